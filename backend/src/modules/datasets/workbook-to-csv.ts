import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import ExcelJS from 'exceljs';

/** Which sheet of a workbook a dataset was read from, and the sheets it had. */
export interface WorkbookRead {
  sheet: string;
  sheets: string[];
}

export class WorkbookError extends Error {
  constructor(
    readonly reason: 'no-sheet' | 'invalid-workbook',
    message: string,
    readonly sheets: string[] = [],
  ) {
    super(message);
    this.name = 'WorkbookError';
  }
}

type CellValue = ExcelJS.CellValue;

/** A cell as the text a CSV export would hold: formulas by their result, rich text joined, dates as ISO. */
function cellText(v: CellValue): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (v instanceof Date) {
    const iso = v.toISOString();
    return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso;
  }
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('result' in v) return cellText((v.result ?? null) as CellValue);
  if ('text' in v) return typeof v.text === 'string' ? v.text : cellText(v.text as CellValue);
  // An error value (#N/A, #DIV/0!) holds no data.
  return '';
}

const csvField = (s: string) => (/[",\r\n]|^\s|\s$/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);

/**
 * Streams one sheet of an .xlsx workbook into a CSV file (RFC 4180), so it is stored, profiled and trained on like
 * any upload. `wanted` names the sheet (its name, or its 1-based number); the first sheet otherwise. Rows are
 * padded to the first row's width; empty rows are left out. Memory stays bounded by one row.
 */
export async function workbookToCsv(from: string, to: string, wanted?: string): Promise<WorkbookRead> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(from, { sharedStrings: 'cache', hyperlinks: 'ignore', styles: 'cache', worksheets: 'emit', entries: 'emit' });
  const out = createWriteStream(to);
  const sheets: string[] = [];
  let chosen: string | null = null;
  try {
    for await (const sheet of reader) {
      const name = (sheet as unknown as { name?: string }).name ?? `Sheet${sheets.length + 1}`;
      sheets.push(name);
      const take = chosen === null && (wanted === undefined || wanted === name || wanted === String(sheets.length));
      let width = 0;
      for await (const row of sheet) {
        if (!take) continue;
        const values = Array.isArray(row.values) ? row.values.slice(1) : [];
        const cells = values.map((v) => cellText((v ?? null) as CellValue));
        if (cells.every((c) => c.trim() === '')) continue;
        width ||= cells.length;
        while (cells.length < width) cells.push('');
        if (!out.write(`${cells.map(csvField).join(',')}\n`)) await once(out, 'drain');
      }
      if (take) chosen = name;
    }
  } catch (err) {
    out.destroy();
    if (err instanceof WorkbookError) throw err;
    throw new WorkbookError('invalid-workbook', `the Excel workbook could not be read (${err instanceof Error ? err.message.slice(0, 200) : String(err)})`);
  }
  out.end();
  await once(out, 'finish');
  if (chosen === null) {
    throw new WorkbookError('no-sheet', wanted === undefined ? 'the workbook has no sheet' : `the workbook has no sheet "${wanted}" (sheets: ${sheets.join(', ')})`, sheets);
  }
  return { sheet: chosen, sheets };
}

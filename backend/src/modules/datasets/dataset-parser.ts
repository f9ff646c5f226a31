import { isUtf8 } from 'node:buffer';
import { createReadStream } from 'node:fs';
import { DATASET_LIMITS, DelimitedRecords, findTextFault, TEXT_FAULT_MESSAGES, type DatasetCell, type DatasetFormat, type DatasetProblem, type DatasetRow } from '@sokhan/common';

/** A file problem with the 1-based line it was found on; the upload answers it as 422 INVALID_DATASET. */
export class DatasetFileError extends Error {
  constructor(readonly problem: DatasetProblem) {
    super(problem.message);
    this.name = 'DatasetFileError';
  }
}

const fail = (line: number, reason: DatasetProblem['reason'], message: string): never => {
  throw new DatasetFileError({ line, reason, message });
};

export interface ParsedRecord {
  values: DatasetRow;
  /** 1-based line the record starts on. */
  line: number;
  /** Byte offset of that line in the file (a place to start reading from later). */
  byteOffset: number;
}

export interface ParseOptions {
  maxLineBytes?: number;
  maxColumns?: number;
  /** CSV/TSV: the header, when reading from the middle of a file (`start` past the header line); never with a read from the start. */
  header?: string[];
  /** Where to start: a record boundary recorded earlier. */
  start?: { byteOffset: number; line: number };
  /** Ragged rows skipped before the file is refused: tolerance(recordsSoFar). */
  raggedTolerance?: (records: number) => number;
  /** Called for each ragged row skipped within the tolerance. */
  onRagged?: (line: number) => void;
  /** CSV/TSV: called once with the column names and the header's line. */
  onHeader?: (columns: string[], line: number) => void;
}

/** Up to 10 ragged rows, or 1 % of the rows read so far when that is more. */
export const defaultRaggedTolerance = (records: number) => Math.max(10, Math.floor(records / 100));
/** Stored datasets are read again without the tolerance: they passed it at upload. */
export const NO_RAGGED_LIMIT = () => Number.POSITIVE_INFINITY;

interface RawLine {
  bytes: Buffer;
  line: number;
  byteOffset: number;
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Splits a byte stream into lines at "\n" (a byte that never occurs inside a multi-byte UTF-8 sequence),
 * dropping a trailing "\r". A line longer than `maxLineBytes` fails before it is buffered whole.
 */
export async function* splitLines(source: AsyncIterable<Buffer | Uint8Array | string>, maxLineBytes: number, start = { byteOffset: 0, line: 1 }): AsyncGenerator<RawLine> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let line = start.line;
  let lineStart = start.byteOffset;
  let position = start.byteOffset;
  const emit = (bytes: Buffer): RawLine => {
    const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
    return { bytes: bytes.subarray(0, end), line, byteOffset: lineStart };
  };
  for await (const piece of source) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece) : Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
    let from = 0;
    while (from < chunk.length) {
      const nl = chunk.indexOf(0x0a, from);
      const end = nl === -1 ? chunk.length : nl;
      if (pendingBytes + (end - from) > maxLineBytes) {
        fail(line, 'line-too-long', `line ${line} is longer than ${Math.round(maxLineBytes / 1024)} KiB`);
      }
      if (nl === -1) {
        pending.push(chunk.subarray(from));
        pendingBytes += chunk.length - from;
        break;
      }
      const part = chunk.subarray(from, nl);
      const bytes = pending.length === 0 ? part : Buffer.concat([...pending, part]);
      yield emit(bytes);
      position += bytes.length + 1;
      pending = [];
      pendingBytes = 0;
      line += 1;
      lineStart = position;
      from = nl + 1;
    }
  }
  if (pendingBytes > 0) yield emit(Buffer.concat(pending));
}

/** Decodes a line, refusing bytes that are not UTF-8; strips a byte-order mark at the start of the file. */
function decodeLine(raw: RawLine): string {
  let bytes = raw.bytes;
  if (raw.byteOffset === 0 && bytes.subarray(0, 3).equals(BOM)) bytes = bytes.subarray(3);
  if (!isUtf8(bytes)) fail(raw.line, 'invalid-utf8', `line ${raw.line} is not valid UTF-8 (save the file as UTF-8)`);
  // Valid UTF-8 cannot hold a lone surrogate, but it can hold NUL, which no stored text may contain.
  if (bytes.includes(0)) fail(raw.line, 'invalid-text', `line ${raw.line}: ${TEXT_FAULT_MESSAGES.nul}`);
  return bytes.toString('utf8');
}

const isBlank = (text: string) => text.trim() === '';

const cell = (text: string): DatasetCell => (text === '' ? null : text);

/** Header names as written, with blanks named column_<n> and repeats suffixed _2, _3 … so every key is unique. */
export function headerNames(fields: string[]): string[] {
  const used = new Set<string>();
  return fields.map((raw, i) => {
    const base = raw.trim() || `column_${i + 1}`;
    let name = base;
    for (let n = 2; used.has(name); n++) name = `${base}_${n}`;
    used.add(name);
    return name;
  });
}

async function* delimitedRecords(lines: AsyncIterable<RawLine>, delimiter: string, opts: Required<Pick<ParseOptions, 'maxLineBytes' | 'maxColumns' | 'raggedTolerance'>> & ParseOptions): AsyncGenerator<ParsedRecord> {
  const reader = new DelimitedRecords(delimiter, opts.maxLineBytes, (start) =>
    fail(start, 'line-too-long', `the record starting at line ${start} is longer than ${Math.round(opts.maxLineBytes / 1024)} KiB`),
  );
  let header = opts.header ?? null;
  let records = 0;
  let ragged = 0;
  let firstRagged = 0;
  for await (const raw of lines) {
    const rec = reader.push(decodeLine(raw), raw.line, raw.byteOffset);
    if (!rec) continue;
    if (!header) {
      if (rec.fields.length > opts.maxColumns) fail(rec.line, 'too-many-columns', `the header has ${rec.fields.length} columns (at most ${opts.maxColumns})`);
      header = headerNames(rec.fields);
      opts.onHeader?.(header, rec.line);
      continue;
    }
    let fields = rec.fields;
    // A trailing delimiter (extra empty fields) is harmless; anything else that does not match the header is ragged.
    if (fields.length > header.length && fields.slice(header.length).every((f) => f.trim() === '')) fields = fields.slice(0, header.length);
    if (fields.length !== header.length) {
      ragged += 1;
      firstRagged ||= rec.line;
      if (ragged > opts.raggedTolerance(records)) {
        fail(
          rec.line,
          'ragged-rows',
          `line ${rec.line} has ${fields.length} fields but the header has ${header.length} (${ragged} such rows, the first at line ${firstRagged})`,
        );
      }
      opts.onRagged?.(rec.line);
      continue;
    }
    records += 1;
    const values: DatasetRow = {};
    for (let i = 0; i < header.length; i++) values[header[i]!] = cell(fields[i]!);
    yield { values, line: rec.line, byteOffset: rec.byteOffset };
  }
  if (reader.open) fail(reader.openLine, 'unterminated-quote', `the quoted field starting at line ${reader.openLine} is never closed`);
}

function jsonCell(value: unknown): DatasetCell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value === '' ? null : value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean') return value;
  return JSON.stringify(value);
}

async function* jsonlRecords(lines: AsyncIterable<RawLine>, opts: Required<Pick<ParseOptions, 'maxColumns'>>): AsyncGenerator<ParsedRecord> {
  const keys = new Set<string>();
  for await (const raw of lines) {
    const text = decodeLine(raw);
    if (isBlank(text)) continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      fail(raw.line, 'invalid-json', `line ${raw.line} is not valid JSON`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      fail(raw.line, 'not-an-object', `line ${raw.line} is not a JSON object`);
    }
    // JSON escapes can spell what the bytes could not: "\u0000", or a lone "\ud800".
    const bad = findTextFault(parsed);
    if (bad) fail(raw.line, 'invalid-text', `line ${raw.line}: ${TEXT_FAULT_MESSAGES[bad.fault]}`);
    const values: DatasetRow = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (!keys.has(k)) {
        if (keys.size >= opts.maxColumns) fail(raw.line, 'too-many-columns', `line ${raw.line} brings the key count past ${opts.maxColumns}`);
        keys.add(k);
      }
      values[k] = jsonCell(v);
    }
    yield { values, line: raw.line, byteOffset: raw.byteOffset };
  }
}

/** Records of a CSV, TSV or JSONL byte stream, parsed as they arrive (memory stays bounded by one record). */
export function parseRecords(source: AsyncIterable<Buffer | Uint8Array | string>, format: DatasetFormat, options: ParseOptions = {}): AsyncGenerator<ParsedRecord> {
  const opts = {
    maxLineBytes: DATASET_LIMITS.maxLineBytes,
    maxColumns: DATASET_LIMITS.maxColumns,
    raggedTolerance: defaultRaggedTolerance,
    ...options,
  };
  const lines = splitLines(source, opts.maxLineBytes, opts.start);
  if (format === 'jsonl') return jsonlRecords(lines, opts);
  return delimitedRecords(lines, format === 'tsv' ? '\t' : ',', opts);
}

/** Records of a stored dataset file, optionally from a recorded record boundary. */
export function readRecords(filePath: string, format: DatasetFormat, options: ParseOptions = {}): AsyncGenerator<ParsedRecord> {
  const stream = createReadStream(filePath, { start: options.start?.byteOffset ?? 0, highWaterMark: 256 * 1024 });
  return parseRecords(stream, format, options);
}


/** Guesses the format from the first bytes: a JSON object, a tab-separated header, or CSV. */
export function sniffFormat(head: Buffer): DatasetFormat {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const first = text.split('\n', 1)[0] ?? '';
  if (first.trimStart().startsWith('{')) return 'jsonl';
  const tabs = first.split('\t').length - 1;
  const commas = first.split(',').length - 1;
  return tabs > 0 && tabs >= commas ? 'tsv' : 'csv';
}

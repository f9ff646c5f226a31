import {
  DATASET_LIMITS,
  parseNumericCell,
  type ColumnType,
  type DatasetCell,
  type DatasetColumn,
  type DatasetFormat,
  type DatasetRow,
  type DatasetType,
  type ValueCount,
} from '@sokhan/common';
import { DatasetFileError, readRecords, type ParsedRecord } from './dataset-parser.js';

/** Column names that usually hold the label, compared lower-cased. */
const LABEL_NAMES = ['label', 'labels', 'sentiment', 'class', 'category', 'target', 'y', 'tag', 'polarity', 'برچسب', 'احساس', 'کلاس', 'دسته', 'هدف'];
/** A number column with more distinct values than this is a regression target, not classes. */
const MAX_NUMERIC_CLASSES = 20;
const MAX_CATEGORY_VALUES = 100;
/** One index entry per this many records lets a page of rows start reading near its offset. */
export const ROW_INDEX_EVERY = 1000;
const MAX_SKIPPED_LINES = 20;

export interface RowIndexEntry {
  row: number;
  byteOffset: number;
  line: number;
}

export interface DatasetProfile {
  recordCount: number;
  /** CSV/TSV header (also the column order); null for JSONL. */
  header: string[] | null;
  columns: DatasetColumn[];
  textColumn: string | null;
  labelColumn: string | null;
  classCounts: ValueCount[] | null;
  type: DatasetType;
  typeGiven: boolean;
  preview: DatasetRow[];
  rowIndex: RowIndexEntry[];
  skippedRows: number;
  skippedLines: number[];
}

export interface ProfileOptions {
  type?: DatasetType;
  labelColumn?: string;
}

class ColumnStats {
  present = 0;
  numeric = 0;
  min = Infinity;
  max = -Infinity;
  sum = 0;
  lengthSum = 0;
  maxLength = 0;
  words = 0;
  readonly values = new Map<string, number>();
  capped = false;

  constructor(readonly name: string) {}

  add(value: DatasetCell): void {
    if (value === null) return;
    const text = String(value).trim();
    if (text === '') return;
    this.present += 1;
    const n = parseNumericCell(value);
    if (n !== null) {
      this.numeric += 1;
      if (n < this.min) this.min = n;
      if (n > this.max) this.max = n;
      this.sum += n;
    }
    this.lengthSum += text.length;
    if (text.length > this.maxLength) this.maxLength = text.length;
    this.words += countWords(text);
    const count = this.values.get(text);
    if (count !== undefined) this.values.set(text, count + 1);
    else if (this.values.size < DATASET_LIMITS.maxTrackedValues) this.values.set(text, 1);
    else this.capped = true;
  }

  type(): ColumnType {
    if (this.present === 0) return 'category';
    if (this.numeric === this.present) return 'number';
    const distinct = this.values.size;
    const meanWords = this.words / this.present;
    if (!this.capped && distinct <= MAX_CATEGORY_VALUES && meanWords < 4 && (distinct <= 2 || distinct * 2 <= this.present)) return 'category';
    return 'text';
  }

  /** Could be class labels: a category, or a number column with few distinct values. */
  classLike(): boolean {
    const t = this.type();
    return t === 'category' || (t === 'number' && !this.capped && this.values.size <= MAX_NUMERIC_CLASSES);
  }

  counts(): ValueCount[] {
    return [...this.values.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([value, count]) => ({ value, count }));
  }

  describe(records: number): DatasetColumn {
    const type = this.type();
    const isNumber = type === 'number' && this.numeric > 0;
    return {
      name: this.name,
      type,
      missing: records - this.present,
      distinct: this.values.size,
      distinctCapped: this.capped,
      min: isNumber ? this.min : null,
      max: isNumber ? this.max : null,
      mean: isNumber ? this.sum / this.numeric : null,
      meanLength: type !== 'number' && this.present > 0 ? this.lengthSum / this.present : null,
      maxLength: type !== 'number' && this.present > 0 ? this.maxLength : null,
      topValues: type === 'category' ? this.counts().slice(0, DATASET_LIMITS.topValues) : null,
    };
  }
}

function countWords(text: string): number {
  let words = 1;
  for (let i = text.indexOf(' '); i !== -1; i = text.indexOf(' ', i + 1)) words += 1;
  return words;
}

/**
 * Builds the metadata of a dataset while its records stream past: counts, column types, label and text
 * columns, class balance, preview and a sparse row index. Memory is bounded by the tracked values per column.
 */
export class DatasetProfiler {
  private readonly columns = new Map<string, ColumnStats>();
  private header: string[] | null = null;
  private headerLine = 0;
  private records = 0;
  private firstLine = 0;
  private readonly preview: DatasetRow[] = [];
  private readonly rowIndex: RowIndexEntry[] = [];
  private skippedRows = 0;
  private readonly skippedLines: number[] = [];

  constructor(private readonly opts: ProfileOptions = {}) {}

  onHeader(names: string[], line: number): void {
    this.header = names;
    this.headerLine = line;
    for (const n of names) this.columns.set(n, new ColumnStats(n));
  }

  onRagged(line: number): void {
    this.skippedRows += 1;
    if (this.skippedLines.length < MAX_SKIPPED_LINES) this.skippedLines.push(line);
  }

  add(rec: ParsedRecord): void {
    if (this.records % ROW_INDEX_EVERY === 0) this.rowIndex.push({ row: this.records, byteOffset: rec.byteOffset, line: rec.line });
    if (this.records === 0) this.firstLine = rec.line;
    this.records += 1;
    if (this.preview.length < DATASET_LIMITS.previewRows) this.preview.push(rec.values);
    for (const [k, v] of Object.entries(rec.values)) {
      let stats = this.columns.get(k);
      if (!stats) {
        stats = new ColumnStats(k);
        this.columns.set(k, stats);
      }
      stats.add(v);
    }
  }

  /** The profile; throws DatasetFileError for an empty file, a header without rows, or a single-class label. */
  finish(): DatasetProfile {
    if (this.records === 0) {
      if (this.header) throw new DatasetFileError({ line: this.headerLine + 1, reason: 'no-rows', message: `the file has a header (line ${this.headerLine}) but no rows` });
      throw new DatasetFileError({ line: 1, reason: 'empty-file', message: 'the file is empty' });
    }
    const stats = [...this.columns.values()];
    const labelStats = this.pickLabel(stats);
    const textStats = stats
      .filter((s) => s !== labelStats && s.type() === 'text')
      .sort((a, b) => b.lengthSum / Math.max(1, b.present) - a.lengthSum / Math.max(1, a.present))[0];
    const type = this.opts.type ?? this.inferType(labelStats, textStats);
    const classification = type !== 'tabular-regression';
    if (classification && labelStats && !labelStats.capped && labelStats.values.size === 1) {
      const only = labelStats.values.keys().next().value ?? '';
      throw new DatasetFileError({
        line: this.firstLine,
        reason: 'single-class',
        message: `the label column "${labelStats.name}" has a single class ("${only}"); classification needs at least two`,
      });
    }
    return {
      recordCount: this.records,
      header: this.header,
      columns: stats.map((s) => s.describe(this.records)),
      textColumn: textStats?.name ?? null,
      labelColumn: labelStats?.name ?? null,
      classCounts: classification && labelStats ? labelStats.counts() : null,
      type,
      typeGiven: this.opts.type !== undefined,
      preview: this.preview,
      rowIndex: this.rowIndex,
      skippedRows: this.skippedRows,
      skippedLines: this.skippedLines,
    };
  }

  private pickLabel(stats: ColumnStats[]): ColumnStats | undefined {
    const given = this.opts.labelColumn;
    if (given !== undefined) {
      const s = this.columns.get(given);
      if (!s) {
        throw new DatasetFileError({ line: this.headerLine || 1, reason: 'unknown-label-column', message: `there is no column "${given}" (columns: ${[...this.columns.keys()].slice(0, 20).join(', ')})` });
      }
      return s;
    }
    const byName = stats.find((s) => LABEL_NAMES.includes(s.name.trim().toLowerCase()));
    if (byName) return byName;
    if (this.opts.type === 'tabular-regression') return stats.filter((s) => s.type() === 'number').at(-1);
    return stats.filter((s) => s.classLike()).at(-1);
  }

  private inferType(label: ColumnStats | undefined, text: ColumnStats | undefined): DatasetType {
    if (label && label.type() === 'number' && (label.capped || label.values.size > MAX_NUMERIC_CLASSES)) return 'tabular-regression';
    if (text) return 'text-classification';
    return 'tabular-classification';
  }
}

/** Streams a stored file once and returns its profile (or throws DatasetFileError with the line). */
export async function profileDatasetFile(filePath: string, format: DatasetFormat, opts: ProfileOptions = {}): Promise<DatasetProfile> {
  const profiler = new DatasetProfiler(opts);
  const records = readRecords(filePath, format, {
    onHeader: (names, line) => profiler.onHeader(names, line),
    onRagged: (line) => profiler.onRagged(line),
  });
  for await (const rec of records) profiler.add(rec);
  return profiler.finish();
}

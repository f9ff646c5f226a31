import type { NonTextKind } from '../datasets/file-kind.js';
import type { HeaderReason } from '../datasets/header-row.js';
import { z } from 'zod';
import { pageQuerySchema, type Page } from './paging.js';

/** What a dataset is for; given at upload or inferred from its columns. */
export const DATASET_TYPES = ['text-classification', 'tabular-classification', 'tabular-regression'] as const;
export type DatasetType = (typeof DATASET_TYPES)[number];

/** File formats accepted at upload (UTF-8 only). */
export const DATASET_FORMATS = ['csv', 'tsv', 'jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

/** Inferred column types: every non-empty value a number; few distinct short values; anything else. */
export const COLUMN_TYPES = ['number', 'category', 'text'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

/** Limits the upload parser enforces (bytes of one line or one quoted record, header columns, preview rows). */
export const DATASET_LIMITS = {
  maxLineBytes: 1024 * 1024,
  maxColumns: 1000,
  previewRows: 20,
  maxRowsPage: 500,
  /** Distinct values tracked per column; beyond it the count is a lower bound (`distinctCapped`). */
  maxTrackedValues: 1000,
  /** Most frequent values reported per category column. */
  topValues: 50,
} as const;

const columnName = z.string().min(1).max(256);

/**
 * The text fields of `POST /api/datasets` (multipart/form-data, next to the `file` part).
 * `format` overrides the file extension; `labelColumn` overrides label inference.
 */
export const datasetUploadFieldsSchema = z.strictObject({
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(2000).optional(),
  type: z.enum(DATASET_TYPES).optional(),
  format: z.enum(DATASET_FORMATS).optional(),
  labelColumn: columnName.optional(),
  /** CSV/TSV: whether the first row holds column names; detected from the first records when not given. */
  header: z.enum(['present', 'absent']).optional(),
  /** An .xlsx workbook: the sheet to read, by name or 1-based number (the first one when not given). */
  sheet: z.string().trim().min(1).max(100).optional(),
});
export type DatasetUploadFields = z.infer<typeof datasetUploadFieldsSchema>;

export const datasetIdParamsSchema = z.object({ id: z.uuid() });

export const datasetListQuerySchema = pageQuerySchema(100, 50);
export type DatasetListQuery = z.infer<typeof datasetListQuerySchema>;

export const datasetRowsQuerySchema = z.object({
  offset: z.coerce.number().int().min(0).default(0),
  limit: z.coerce.number().int().min(1).max(DATASET_LIMITS.maxRowsPage).default(50),
});
export type DatasetRowsQuery = z.infer<typeof datasetRowsQuerySchema>;

/** A cell as stored: CSV/TSV cells are strings (empty → null); JSONL keeps numbers and booleans; nested JSON becomes its text. */
export type DatasetCell = string | number | boolean | null;
export type DatasetRow = Record<string, DatasetCell>;

export interface ValueCount {
  value: string;
  count: number;
}

export interface DatasetColumn {
  name: string;
  type: ColumnType;
  /** Rows where the cell is missing or empty. */
  missing: number;
  /** Distinct non-empty values (a lower bound when distinctCapped). */
  distinct: number;
  distinctCapped: boolean;
  /** number columns */
  min: number | null;
  max: number | null;
  mean: number | null;
  /** text and category columns: characters per non-empty value */
  meanLength: number | null;
  maxLength: number | null;
  /** category columns: the most frequent values, most frequent first (at most DATASET_LIMITS.topValues). */
  topValues: ValueCount[] | null;
}

export interface DatasetHeaderRow {
  present: boolean;
  decidedBy: 'user' | 'detected';
  /** Why the detection decided so (null when the user said). */
  reason: HeaderReason | null;
}

export interface Dataset {
  id: string;
  name: string;
  description: string | null;
  type: DatasetType;
  /** True when `type` came from the upload form, false when inferred. */
  typeGiven: boolean;
  format: DatasetFormat;
  originalName: string | null;
  sizeBytes: number;
  recordCount: number;
  columns: DatasetColumn[];
  /** The column with the most text (for text-classification), if any. */
  textColumn: string | null;
  /** Given at upload or inferred (a column named label, sentiment, class, برچسب… or the last category column). */
  labelColumn: string | null;
  /** Class balance of the label column (classification types), most frequent first; null for regression or no label. */
  classCounts: ValueCount[] | null;
  /**
   * CSV/TSV: whether the file's first row was read as column names, who decided and from what. Without one,
   * columns are named column_1, column_2 … and the first row is data. Null for JSONL.
   */
  headerRow: DatasetHeaderRow | null;
  /** Read from an Excel workbook: which sheet, of which. Null for text files. */
  workbook: { sheet: string; sheets: string[] } | null;
  /** Ragged rows left out within the tolerance, and the first of their line numbers. */
  skippedRows: number;
  skippedLines: number[];
  /** A training job that is queued, running or paused uses it (it cannot be deleted then). */
  inUse: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface DatasetDetail extends Dataset {
  /** The first rows (at most DATASET_LIMITS.previewRows). */
  preview: DatasetRow[];
}

export type DatasetListResponse = Page<Dataset>;

export interface DatasetRowsResponse {
  columns: string[];
  rows: DatasetRow[];
  offset: number;
  limit: number;
  total: number;
}

/** `details` of a 422 INVALID_DATASET answer: where the file went wrong (1-based line) and why. */
export interface DatasetProblem {
  line: number;
  reason:
    | 'empty-file'
    | 'not-text'
    | 'no-rows'
    | 'invalid-utf8'
    | 'invalid-text'
    | 'line-too-long'
    | 'ragged-rows'
    | 'unterminated-quote'
    | 'invalid-json'
    | 'not-an-object'
    | 'too-many-columns'
    | 'single-class'
    | 'unknown-label-column'
    | 'no-sheet'
    | 'invalid-workbook';
  message: string;
  /** `no-sheet`: the sheets the workbook has. */
  sheets?: string[];
  /** `not-text`: what the first bytes say the file is. */
  kind?: NonTextKind;
}

/** Sample datasets that ship with Sokhan: ids are the manifest's slugs (backend/samples/samples.json). */
export const datasetSampleParamsSchema = z.object({ id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/) });
/** `POST /api/datasets/samples/:id`: the name the copy gets (default: the sample's Persian title). */
export const addSampleBodySchema = z.strictObject({ name: z.string().trim().min(1).max(200).optional() });
export type AddSampleBody = z.infer<typeof addSampleBodySchema>;

export interface DatasetSample {
  id: string;
  title: { fa: string; en: string };
  description: { fa: string; en: string };
  /** The task it is written for (the type its copies get). */
  task: DatasetType;
  textColumn: string;
  labelColumn: string;
  format: DatasetFormat;
  fileName: string;
  /** Counted from the shipped file, like an upload's profile. */
  rows: number;
  classes: ValueCount[];
  sizeBytes: number;
  /** SPDX id of the file's license. */
  license: string;
  /** The caller's most recent dataset added from this sample, or null. */
  datasetId: string | null;
}

export interface DatasetSampleListResponse {
  items: DatasetSample[];
}

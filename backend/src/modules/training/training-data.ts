import { cellString, parseNumericCell, seededRandom, type DatasetFormat, type FeatureRow, type TrainingConfig } from '@sokhan/common';
import { NO_RAGGED_LIMIT, readRecords } from '../datasets/dataset-parser.js';

export interface DatasetSource {
  filePath: string;
  format: DatasetFormat;
}

/** Where each row of the file goes: training, validation, or nowhere (its label is missing). */
export const ROLE = { train: 0, validation: 1, skip: 2 } as const;

export interface DatasetPlan {
  /** One role per row, in file order (a byte a row: 1 MB for a million rows). */
  roles: Uint8Array;
  rows: number;
  train: number;
  validation: number;
  skipped: number;
}

/** The columns a job reads: its inputs and its label. */
export function neededColumns(config: Pick<TrainingConfig, 'textColumn' | 'featureColumns' | 'labelColumn'>): string[] {
  return [...(config.textColumn ? [config.textColumn] : []), ...config.featureColumns.map((c) => c.name), config.labelColumn];
}

/** A text column read through an encoder: its embeddings, one per row of the file, stand in for the text. */
export interface EmbeddedColumn {
  column: string;
  dim: number;
  /** The rows' embeddings in file order, one pass per call. */
  rows: () => AsyncIterable<Float32Array>;
}

/**
 * Streams the file from its start (header included), keeping only the needed columns of each row; with `embedded`,
 * that column holds the row's embedding instead of its text.
 */
export async function* streamRows(src: DatasetSource, columns: readonly string[], embedded?: EmbeddedColumn): AsyncGenerator<FeatureRow> {
  const vectors = embedded?.rows()[Symbol.asyncIterator]();
  for await (const rec of readRecords(src.filePath, src.format, { raggedTolerance: NO_RAGGED_LIMIT })) {
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c] = rec.values[c] ?? null;
    if (embedded && vectors) {
      const next = await vectors.next();
      if (next.done) throw new Error('the embedding cache holds fewer rows than the dataset');
      row[embedded.column] = next.value;
    }
    yield row;
  }
}

/** The rows of one role, streamed from the file again (nothing but the plan is kept between passes). */
export async function* rowsOf(src: DatasetSource, columns: readonly string[], plan: DatasetPlan, role: number, embedded?: EmbeddedColumn): AsyncGenerator<FeatureRow> {
  let i = 0;
  for await (const row of streamRows(src, columns, embedded)) {
    if (plan.roles[i++] === role) yield row;
  }
}

/**
 * One pass over the labels, then the split: each class (or, for regression, all rows) is shuffled with the
 * seed and floor(n × fraction) of it held out, so validation has the class mix of the whole file and the
 * same seed always holds out the same rows. Every class keeps at least one training row.
 */
export async function planDataset(src: DatasetSource, config: Pick<TrainingConfig, 'task' | 'labelColumn' | 'validationSplit'>, seed: number): Promise<DatasetPlan> {
  const regression = config.task === 'tabular-regression';
  const classIds = new Map<string, number>();
  let keys = new Int32Array(1024);
  let rows = 0;
  for await (const rec of readRecords(src.filePath, src.format, { raggedTolerance: NO_RAGGED_LIMIT })) {
    const value = rec.values[config.labelColumn] ?? null;
    let key = -1;
    if (regression) key = parseNumericCell(value) === null ? -1 : 0;
    else {
      const label = cellString(value);
      if (label !== null) {
        key = classIds.get(label) ?? classIds.size;
        if (key === classIds.size) classIds.set(label, key);
      }
    }
    if (rows === keys.length) {
      const grown = new Int32Array(keys.length * 2);
      grown.set(keys);
      keys = grown;
    }
    keys[rows++] = key;
  }
  const roles = new Uint8Array(rows);
  const groups: number[][] = Array.from({ length: Math.max(1, classIds.size) }, () => []);
  for (let i = 0; i < rows; i++) {
    if (keys[i]! < 0) roles[i] = ROLE.skip;
    else groups[keys[i]!]!.push(i);
  }
  const rnd = seededRandom(seed);
  let validation = 0;
  for (const g of groups) {
    for (let i = g.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [g[i], g[j]] = [g[j]!, g[i]!];
    }
    const held = Math.min(Math.floor(g.length * config.validationSplit), Math.max(0, g.length - 1));
    for (let i = 0; i < held; i++) roles[g[i]!] = ROLE.validation;
    validation += held;
  }
  const skipped = keys.subarray(0, rows).reduce((n, k) => n + (k < 0 ? 1 : 0), 0);
  return { roles, rows, train: rows - validation - skipped, validation, skipped };
}

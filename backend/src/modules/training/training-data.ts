import { seededRandom, type DatasetFormat, type FeatureRow, type TrainingConfig } from '@sokhan/common';
import { NO_RAGGED_LIMIT, readRecords } from '../datasets/dataset-parser.js';

export interface DatasetSource {
  filePath: string;
  format: DatasetFormat;
}

/** The columns a job reads: its inputs and its label. */
export function neededColumns(config: Pick<TrainingConfig, 'textColumn' | 'featureColumns' | 'labelColumn'>): string[] {
  return [...(config.textColumn ? [config.textColumn] : []), ...config.featureColumns.map((c) => c.name), config.labelColumn];
}

/** Streams the dataset file from its start (header included) and keeps only the needed columns of each row. */
export async function loadRows(src: DatasetSource, columns: readonly string[]): Promise<FeatureRow[]> {
  const rows: FeatureRow[] = [];
  for await (const rec of readRecords(src.filePath, src.format, { raggedTolerance: NO_RAGGED_LIMIT })) {
    const row: Record<string, unknown> = {};
    for (const c of columns) row[c] = rec.values[c] ?? null;
    rows.push(row);
  }
  return rows;
}

/** Shuffles with the seed, then holds out floor(n × fraction) rows for validation. */
export function splitRows<T>(rows: readonly T[], fraction: number, seed: number): { train: T[]; validation: T[] } {
  const order = rows.map((_, i) => i);
  const rnd = seededRandom(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const held = Math.min(Math.floor(rows.length * fraction), Math.max(0, rows.length - 1));
  return { validation: order.slice(0, held).map((i) => rows[i]!), train: order.slice(held).map((i) => rows[i]!) };
}

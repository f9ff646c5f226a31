import type { FeatureTask } from './spec.js';
import type { FittedColumn, FittedEmbedding, FittedFeatures, FittedLabel, FittedText } from './types.js';

/** A fitted column before the vector layout is known. */
export type ColumnParts =
  | { readonly kind: 'number'; readonly name: string; readonly mean: number; readonly std: number }
  | { readonly kind: 'category'; readonly name: string; readonly values: readonly string[] };

export type LabelParts =
  | { readonly kind: 'classification'; readonly column: string; readonly classes: readonly string[]; readonly counts: readonly number[] }
  | { readonly kind: 'regression'; readonly column: string; readonly mean: number; readonly std: number };

export interface FeatureParts {
  readonly task: FeatureTask;
  readonly text: FittedText | null;
  readonly embedding?: FittedEmbedding | null;
  readonly columns: readonly ColumnParts[];
  readonly label: LabelParts;
  readonly rows: { readonly seen: number; readonly used: number };
}

function indexOf(values: readonly string[]): Map<string, number> {
  return new Map(values.map((v, i) => [v, i]));
}

/** Lays the blocks out (text or embedding first, then columns in order) and builds the lookup maps. */
export function assembleFeatures(parts: FeatureParts): FittedFeatures {
  const embedding = parts.embedding ?? null;
  let offset = parts.text ? parts.text.buckets : (embedding?.dim ?? 0);
  const columns: FittedColumn[] = parts.columns.map((c) => {
    const start = offset;
    if (c.kind === 'number') {
      offset += 1;
      return { kind: 'number', name: c.name, offset: start, mean: c.mean, std: c.std };
    }
    offset += c.values.length + 1;
    return { kind: 'category', name: c.name, offset: start, values: [...c.values], index: indexOf(c.values) };
  });
  const l = parts.label;
  const label: FittedLabel =
    l.kind === 'classification'
      ? { kind: 'classification', column: l.column, classes: [...l.classes], counts: [...l.counts], index: indexOf(l.classes) }
      : { kind: 'regression', column: l.column, mean: l.mean, std: l.std };
  return {
    version: 1,
    task: parts.task,
    text: parts.text,
    embedding,
    columns,
    label,
    dim: offset,
    rows: { seen: parts.rows.seen, used: parts.rows.used },
  };
}

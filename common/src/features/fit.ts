import { assembleFeatures } from './assemble.js';
import { EmbeddingStats } from './embedding.js';
import type { ColumnParts, LabelParts } from './assemble.js';
import { FeatureError } from './errors.js';
import type { FeatureSpec, ResolvedFeatureSpec } from './spec.js';
import { MAX_CATEGORIES, labelKindOf, resolveFeatureSpec } from './spec.js';
import { accumulateText, createTextScratch, resetTextScratch, smoothIdf } from './text-features.js';
import type { FittedFeatures, FittedText, FeatureRow } from './types.js';
import { RunningStats, categoryKey, cellString, cellText, compareCodeUnits, parseNumericCell, sortLabels } from './values.js';

/** Distinct values counted per category column; past this, new values are only ever "unknown". */
const MAX_TRACKED_CATEGORY_VALUES = 50_000;

/**
 * Incremental fitting in one pass: feed rows with add() as they stream in, then finish(). Memory stays
 * bounded by the spec (document frequencies per bucket, running mean/variance, category and class counts),
 * not by the number of rows. Rows whose label is missing (or not a number, for regression) are skipped.
 */
export interface FeatureFitter {
  add(row: FeatureRow): void;
  /** Rows offered so far. */
  readonly rowsSeen: number;
  /** Rows used so far (with a usable label). */
  readonly rowsUsed: number;
  /** Builds the fitted extractor. Throws FeatureError NO_ROWS / TOO_FEW_CLASSES / TOO_MANY_CLASSES. */
  finish(): FittedFeatures;
}

type ColumnFitter =
  | { kind: 'number'; name: string; stats: RunningStats }
  | { kind: 'category'; name: string; counts: Map<string, number> };

export function createFeatureFitter(spec: FeatureSpec): FeatureFitter {
  const s: ResolvedFeatureSpec = resolveFeatureSpec(spec);
  const labelKind = labelKindOf(s.task);
  const text = s.text;
  const df = text ? new Uint32Array(text.buckets) : null;
  const scratch = text ? createTextScratch(text.buckets) : null;
  const columns: ColumnFitter[] = s.featureColumns.map((c) =>
    c.kind === 'number'
      ? { kind: 'number', name: c.name, stats: new RunningStats() }
      : { kind: 'category', name: c.name, counts: new Map<string, number>() },
  );
  const embeddingStats = s.embedding ? new EmbeddingStats(s.embedding) : null;
  const classCounts = new Map<string, number>();
  let tooManyClasses = false;
  const target = new RunningStats();
  let seen = 0;
  let used = 0;

  function addLabel(row: FeatureRow): boolean {
    if (labelKind === 'regression') {
      const y = parseNumericCell(row[s.labelColumn]);
      if (y === null) return false;
      target.add(y);
      return true;
    }
    const y = cellString(row[s.labelColumn]);
    if (y === null) return false;
    const count = classCounts.get(y);
    if (count === undefined && classCounts.size >= MAX_CATEGORIES) {
      tooManyClasses = true;
      return false;
    }
    classCounts.set(y, (count ?? 0) + 1);
    return true;
  }

  return {
    get rowsSeen() {
      return seen;
    },
    get rowsUsed() {
      return used;
    },
    add(row: FeatureRow): void {
      seen++;
      if (!addLabel(row)) return;
      used++;
      if (embeddingStats && s.embedding) embeddingStats.add(row[s.embedding.column]);
      if (text && df && scratch) {
        accumulateText(text, cellText(row[text.column]), scratch);
        for (let i = 0; i < scratch.size; i++) df[scratch.touched[i]!]! += 1;
        resetTextScratch(scratch);
      }
      for (const c of columns) {
        if (c.kind === 'number') {
          const v = parseNumericCell(row[c.name]);
          if (v !== null) c.stats.add(v);
        } else {
          const key = categoryKey(row[c.name]);
          if (key === null) continue;
          const count = c.counts.get(key);
          if (count !== undefined) c.counts.set(key, count + 1);
          else if (c.counts.size < MAX_TRACKED_CATEGORY_VALUES) c.counts.set(key, 1);
        }
      }
    },
    finish(): FittedFeatures {
      if (tooManyClasses) {
        throw new FeatureError('TOO_MANY_CLASSES', `the label column "${s.labelColumn}" has more than ${MAX_CATEGORIES} classes`);
      }
      if (used === 0) {
        throw new FeatureError('NO_ROWS', `no row has a usable value in the label column "${s.labelColumn}"`);
      }
      let label: LabelParts;
      if (labelKind === 'classification') {
        const classes = sortLabels(classCounts.keys());
        if (classes.length < 2) {
          throw new FeatureError('TOO_FEW_CLASSES', `the label column "${s.labelColumn}" needs at least two classes`);
        }
        label = { kind: 'classification', column: s.labelColumn, classes, counts: classes.map((c) => classCounts.get(c) ?? 0) };
      } else {
        label = { kind: 'regression', column: s.labelColumn, mean: target.mean, std: target.std() };
      }
      let fittedText: FittedText | null = null;
      if (text && df) {
        const idf = new Float64Array(text.buckets);
        for (let b = 0; b < idf.length; b++) idf[b] = df[b]! < text.minDf ? 0 : smoothIdf(used, df[b]!);
        fittedText = { ...text, documents: used, idf };
      }
      const columnParts: ColumnParts[] = columns.map((c) => {
        if (c.kind === 'number') return { kind: 'number', name: c.name, mean: c.stats.mean, std: c.stats.std() };
        // Most frequent first; ties in code-unit order so every run picks the same values.
        const values = [...c.counts.entries()]
          .sort((a, b) => b[1] - a[1] || compareCodeUnits(a[0], b[0]))
          .slice(0, s.maxCategories)
          .map(([v]) => v);
        return { kind: 'category', name: c.name, values };
      });
      return assembleFeatures({ task: s.task, text: fittedText, embedding: embeddingStats?.finish() ?? null, columns: columnParts, label, rows: { seen, used } });
    },
  };
}

/** Fits the extractor in one pass over `rows` (an array, a generator, any iterable). */
export function fitFeatureExtractor(rows: Iterable<FeatureRow>, spec: FeatureSpec): FittedFeatures {
  const fitter = createFeatureFitter(spec);
  for (const row of rows) fitter.add(row);
  return fitter.finish();
}

/** Same as fitFeatureExtractor, for rows that arrive asynchronously (a streaming CSV/JSONL parser). */
export async function fitFeatureExtractorAsync(rows: AsyncIterable<FeatureRow> | Iterable<FeatureRow>, spec: FeatureSpec): Promise<FittedFeatures> {
  const fitter = createFeatureFitter(spec);
  for await (const row of rows) fitter.add(row);
  return fitter.finish();
}

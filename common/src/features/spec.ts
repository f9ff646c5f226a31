import { z } from 'zod';
import { FeatureError } from './errors.js';
import { embeddingSpecSchema } from './embedding.js';
import type { EmbeddingSpec } from './types.js';

/** The learning tasks the extractor prepares data for. */
export const FEATURE_TASKS = ['text-classification', 'tabular-classification', 'tabular-regression'] as const;
export type FeatureTask = (typeof FEATURE_TASKS)[number];

export const FEATURE_COLUMN_KINDS = ['number', 'category'] as const;
export type FeatureColumnKind = (typeof FEATURE_COLUMN_KINDS)[number];

/** Defaults used when a spec leaves a setting out. */
export const FEATURE_DEFAULTS = {
  buckets: 4096,
  word: { min: 1, max: 2 },
  char: { min: 2, max: 4 },
  sublinearTf: true,
  minDf: 1,
  lowercase: true,
  maxCategories: 64,
} as const;

export const MIN_BUCKETS = 16;
export const MAX_BUCKETS = 1 << 20;
export const MAX_WORD_NGRAM = 3;
export const MAX_CHAR_NGRAM = 6;
export const MAX_CATEGORIES = 1000;
export const MAX_FEATURE_COLUMNS = 512;

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

const columnName = z.string().min(1).max(256);

function ngramRangeSchema(limit: number) {
  return z
    .object({ min: z.number().int().min(1).max(limit), max: z.number().int().min(1).max(limit) })
    .refine((r) => r.max >= r.min, { error: 'max must be at least min' });
}

export const bucketsSchema = z
  .number()
  .int()
  .min(MIN_BUCKETS)
  .max(MAX_BUCKETS)
  .refine(isPowerOfTwo, { error: 'buckets must be a power of two' });

export const featureColumnSchema = z.object({ name: columnName, kind: z.enum(FEATURE_COLUMN_KINDS) });
export type FeatureColumn = z.infer<typeof featureColumnSchema>;

/**
 * What to extract. `false` for `ngram.word` / `ngram.char` switches that family off.
 * text-classification needs `textColumn`; tabular tasks need `featureColumns` (and may add a text column).
 */
export const featureSpecSchema = z
  .object({
    task: z.enum(FEATURE_TASKS),
    textColumn: columnName.optional(),
    featureColumns: z.array(featureColumnSchema).max(MAX_FEATURE_COLUMNS).optional(),
    labelColumn: columnName,
    buckets: bucketsSchema.optional(),
    ngram: z
      .object({
        word: z.union([ngramRangeSchema(MAX_WORD_NGRAM), z.literal(false)]).optional(),
        char: z.union([ngramRangeSchema(MAX_CHAR_NGRAM), z.literal(false)]).optional(),
      })
      .optional(),
    sublinearTf: z.boolean().optional(),
    minDf: z.number().int().min(1).optional(),
    lowercase: z.boolean().optional(),
    maxCategories: z.number().int().min(1).max(MAX_CATEGORIES).optional(),
    /** The text column is read through an encoder: its embedding replaces the hashed n-grams. */
    embedding: embeddingSpecSchema.optional(),
  })
  .superRefine((spec, ctx) => {
    const columns = spec.featureColumns ?? [];
    if (spec.task === 'text-classification' && !spec.textColumn) {
      ctx.addIssue({ code: 'custom', path: ['textColumn'], message: 'text-classification needs a text column' });
    }
    if (spec.task !== 'text-classification' && columns.length === 0 && !spec.textColumn) {
      ctx.addIssue({ code: 'custom', path: ['featureColumns'], message: 'tabular tasks need feature columns' });
    }
    const seen = new Set<string>();
    for (const [i, name] of [spec.textColumn, ...columns.map((c) => c.name)].entries()) {
      if (name === undefined) continue;
      const path = i === 0 ? ['textColumn'] : ['featureColumns', i - 1, 'name'];
      if (name === spec.labelColumn) ctx.addIssue({ code: 'custom', path, message: 'the label column cannot be an input' });
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path, message: `column "${name}" is used twice` });
      seen.add(name);
    }
    const ngram = spec.ngram;
    if (spec.embedding && !spec.textColumn) {
      ctx.addIssue({ code: 'custom', path: ['embedding'], message: 'an embedding needs a text column to embed' });
    }
    if (spec.textColumn && !spec.embedding && ngram && ngram.word === false && ngram.char === false) {
      ctx.addIssue({ code: 'custom', path: ['ngram'], message: 'word and character n-grams cannot both be off' });
    }
  });

export type FeatureSpec = z.input<typeof featureSpecSchema>;

export interface NgramRange {
  readonly min: number;
  readonly max: number;
}

/** The text column's settings with every default filled in (the fitted block adds its idf to these). */
export interface ResolvedTextSpec {
  readonly column: string;
  readonly buckets: number;
  readonly word: NgramRange | null;
  readonly char: NgramRange | null;
  readonly sublinearTf: boolean;
  readonly minDf: number;
  readonly lowercase: boolean;
}

/** A spec with every default filled in. */
export interface ResolvedFeatureSpec {
  readonly task: FeatureTask;
  readonly labelColumn: string;
  readonly text: ResolvedTextSpec | null;
  readonly embedding: EmbeddingSpec | null;
  readonly featureColumns: readonly FeatureColumn[];
  readonly maxCategories: number;
}

export function labelKindOf(task: FeatureTask): 'classification' | 'regression' {
  return task === 'tabular-regression' ? 'regression' : 'classification';
}

/** Validates a spec and fills in defaults; throws FeatureError('INVALID_SPEC') listing every problem. */
export function resolveFeatureSpec(spec: FeatureSpec): ResolvedFeatureSpec {
  const parsed = featureSpecSchema.safeParse(spec);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'spec'}: ${i.message}`);
    throw new FeatureError('INVALID_SPEC', `invalid feature spec: ${problems.join('; ')}`);
  }
  const s = parsed.data;
  const word = s.ngram?.word === false ? null : (s.ngram?.word ?? FEATURE_DEFAULTS.word);
  const char = s.ngram?.char === false ? null : (s.ngram?.char ?? FEATURE_DEFAULTS.char);
  return {
    task: s.task,
    labelColumn: s.labelColumn,
    embedding: s.textColumn && s.embedding ? { column: s.textColumn, dim: s.embedding.dim, encoder: s.embedding.encoder } : null,
    text: s.textColumn && !s.embedding
      ? {
          column: s.textColumn,
          buckets: s.buckets ?? FEATURE_DEFAULTS.buckets,
          word: word ? { min: word.min, max: word.max } : null,
          char: char ? { min: char.min, max: char.max } : null,
          sublinearTf: s.sublinearTf ?? FEATURE_DEFAULTS.sublinearTf,
          minDf: s.minDf ?? FEATURE_DEFAULTS.minDf,
          lowercase: s.lowercase ?? FEATURE_DEFAULTS.lowercase,
        }
      : null,
    featureColumns: (s.featureColumns ?? []).map((c) => ({ name: c.name, kind: c.kind })),
    maxCategories: s.maxCategories ?? FEATURE_DEFAULTS.maxCategories,
  };
}

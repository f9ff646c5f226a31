import { z } from 'zod';
import { assembleFeatures } from './assemble.js';
import { embeddingSpecSchema } from './embedding.js';
import { FeatureError } from './errors.js';
import { FEATURE_TASKS, MAX_CATEGORIES, MAX_CHAR_NGRAM, MAX_FEATURE_COLUMNS, MAX_WORD_NGRAM, bucketsSchema, labelKindOf } from './spec.js';
import type { FittedFeatures } from './types.js';

/** Written into features.json so a reader knows what it holds and which hash made the buckets. */
export const FEATURES_FORMAT = 'sokhan-features';
export const FEATURES_VERSION = 1;
export const FEATURES_HASH = 'fnv1a32-utf16le-fmix32';

const name = z.string().min(1).max(256);
const finite = z.number().refine(Number.isFinite, { error: 'must be a finite number' });
const positive = finite.refine((n) => n > 0, { error: 'must be positive' });
const count = z.number().int().min(0);

function range(limit: number) {
  return z
    .object({ min: z.number().int().min(1).max(limit), max: z.number().int().min(1).max(limit) })
    .refine((r) => r.max >= r.min, { error: 'max must be at least min' });
}

function unique(values: readonly string[]): boolean {
  return new Set(values).size === values.length;
}

const textJsonSchema = z
  .object({
    column: name,
    hash: z.literal(FEATURES_HASH),
    buckets: bucketsSchema,
    word: range(MAX_WORD_NGRAM).nullable(),
    char: range(MAX_CHAR_NGRAM).nullable(),
    sublinearTf: z.boolean(),
    minDf: z.number().int().min(1),
    lowercase: z.boolean(),
    documents: z.number().int().min(1),
    idf: z.array(finite.refine((n) => n >= 0, { error: 'idf must not be negative' })),
  })
  .refine((t) => t.idf.length === t.buckets, { error: 'idf must have one value per bucket', path: ['idf'] })
  .refine((t) => t.word !== null || t.char !== null, { error: 'word and char n-grams cannot both be off' });

const columnJsonSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('number'), name, mean: finite, std: positive }),
  z.object({
    kind: z.literal('category'),
    name,
    values: z.array(z.string().min(1)).max(MAX_CATEGORIES).refine(unique, { error: 'category values must be unique' }),
  }),
]);

const labelJsonSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('classification'),
      column: name,
      classes: z.array(z.string().min(1)).min(2).max(MAX_CATEGORIES).refine(unique, { error: 'classes must be unique' }),
      counts: z.array(count),
    })
    .refine((l) => l.counts.length === l.classes.length, { error: 'one count per class', path: ['counts'] }),
  z.object({ kind: z.literal('regression'), column: name, mean: finite, std: positive }),
]);

/** The schema of features.json (saved next to model.json, fetched by the browser). */
export const featuresJsonSchema = z
  .object({
    format: z.literal(FEATURES_FORMAT),
    version: z.literal(FEATURES_VERSION),
    task: z.enum(FEATURE_TASKS),
    text: textJsonSchema.nullable(),
    /** Written only by models on an encoder (older files have no key). */
    embedding: embeddingSpecSchema
      .extend({ column: name, mean: z.array(finite), std: z.array(positive) })
      .refine((e) => e.mean.length === e.dim && e.std.length === e.dim, { error: 'one mean and one deviation per embedding value' })
      .nullable()
      .optional(),
    columns: z.array(columnJsonSchema).max(MAX_FEATURE_COLUMNS),
    label: labelJsonSchema,
    rows: z.object({ seen: count, used: count }),
  })
  .superRefine((f, ctx) => {
    if (labelKindOf(f.task) !== f.label.kind) {
      ctx.addIssue({ code: 'custom', path: ['label', 'kind'], message: `task ${f.task} needs a ${labelKindOf(f.task)} label` });
    }
    const embedding = f.embedding ?? null;
    if (f.task === 'text-classification' && f.text === null && embedding === null) {
      ctx.addIssue({ code: 'custom', path: ['text'], message: 'text-classification needs a text block' });
    }
    if (f.text !== null && embedding !== null) {
      ctx.addIssue({ code: 'custom', path: ['embedding'], message: 'a text block and an embedding cannot both read the text' });
    }
    if (f.text === null && embedding === null && f.columns.length === 0) {
      ctx.addIssue({ code: 'custom', path: ['columns'], message: 'no inputs' });
    }
    const names = [f.text?.column, embedding?.column, ...f.columns.map((c) => c.name), f.label.column].filter((n) => n !== undefined);
    if (!unique(names)) ctx.addIssue({ code: 'custom', path: ['columns'], message: 'column names must be unique' });
  });

export type FeaturesJson = z.infer<typeof featuresJsonSchema>;

/** The fitted extractor as compact JSON-ready data (idf as a plain number array; no vocabulary). */
export function serializeFeatures(fitted: FittedFeatures): FeaturesJson {
  const t = fitted.text;
  const l = fitted.label;
  return {
    format: FEATURES_FORMAT,
    version: FEATURES_VERSION,
    task: fitted.task,
    text: t
      ? {
          column: t.column,
          hash: FEATURES_HASH,
          buckets: t.buckets,
          word: t.word ? { min: t.word.min, max: t.word.max } : null,
          char: t.char ? { min: t.char.min, max: t.char.max } : null,
          sublinearTf: t.sublinearTf,
          minDf: t.minDf,
          lowercase: t.lowercase,
          documents: t.documents,
          idf: Array.from(t.idf),
        }
      : null,
    ...(fitted.embedding
      ? {
          embedding: {
            column: fitted.embedding.column,
            dim: fitted.embedding.dim,
            encoder: { ...fitted.embedding.encoder, text: { ...fitted.embedding.encoder.text } },
            mean: Array.from(fitted.embedding.mean),
            std: Array.from(fitted.embedding.std),
          },
        }
      : {}),
    columns: fitted.columns.map((c) =>
      c.kind === 'number'
        ? { kind: 'number', name: c.name, mean: c.mean, std: c.std }
        : { kind: 'category', name: c.name, values: [...c.values] },
    ),
    label:
      l.kind === 'classification'
        ? { kind: 'classification', column: l.column, classes: [...l.classes], counts: [...l.counts] }
        : { kind: 'regression', column: l.column, mean: l.mean, std: l.std },
    rows: { seen: fitted.rows.seen, used: fitted.rows.used },
  };
}

/**
 * Validates and loads features.json: pass the parsed object or the raw text. Anything malformed, from
 * another version or from another hash throws FeatureError('INVALID_FEATURES_JSON') listing the problems.
 */
export function deserializeFeatures(json: unknown): FittedFeatures {
  let data = json;
  if (typeof json === 'string') {
    try {
      data = JSON.parse(json) as unknown;
    } catch {
      throw new FeatureError('INVALID_FEATURES_JSON', 'features.json is not valid JSON');
    }
  }
  const parsed = featuresJsonSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 10).map((i) => `${i.path.join('.') || 'root'}: ${i.message}`);
    throw new FeatureError('INVALID_FEATURES_JSON', `invalid features.json: ${problems.join('; ')}`);
  }
  const f = parsed.data;
  return assembleFeatures({
    task: f.task,
    text: f.text
      ? {
          column: f.text.column,
          buckets: f.text.buckets,
          word: f.text.word,
          char: f.text.char,
          sublinearTf: f.text.sublinearTf,
          minDf: f.text.minDf,
          lowercase: f.text.lowercase,
          documents: f.text.documents,
          idf: Float64Array.from(f.text.idf),
        }
      : null,
    embedding: f.embedding ? { ...f.embedding, mean: Float64Array.from(f.embedding.mean), std: Float64Array.from(f.embedding.std) } : null,
    columns: f.columns,
    label: f.label,
    rows: f.rows,
  });
}

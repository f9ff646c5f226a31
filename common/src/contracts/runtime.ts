import { z } from 'zod';

/**
 * Contracts of running installed Hub models here (transformers.js on onnxruntime): what the inspection of an
 * installed model found (`runtime` on every installed model) and `POST /api/models/:id/run`.
 *
 * Errors of a run: NOT_FOUND (no installed Hub model with that id), MODEL_NOT_READY (still downloading),
 * MODEL_NOT_RUNNABLE (422, the inspection's reason in the message and `details: [{reasonCode, reason}]`),
 * PIPELINE_NOT_SUPPORTED (422, `details: [{pipelines}]`: the pipelines it does run), VALIDATION_FAILED (400, also a
 * fill-mask text without the model's mask token, or a variant the model does not have), RUN_TIMEOUT (504, past
 * RUNTIME_TIMEOUT_MS), MODEL_TOO_LARGE (422, larger than RUNTIME_MEMORY_MB), SERVICE_UNAVAILABLE (503, the run
 * queue is full), RUN_FAILED (500, the model threw while running; the message says why).
 */

export const RUN_PIPELINES = [
  'text-classification',
  'token-classification',
  'feature-extraction',
  'fill-mask',
  'zero-shot-classification',
  'text-to-speech',
] as const;
export type RunPipeline = (typeof RUN_PIPELINES)[number];
export const runPipelineSchema = z.enum(RUN_PIPELINES);

/** transformers.js dtypes and the ONNX file each one loads (`onnx/model<suffix>.onnx`). */
export const ONNX_VARIANT_SUFFIX = {
  fp32: '',
  fp16: '_fp16',
  q8: '_quantized',
  int8: '_int8',
  uint8: '_uint8',
  q4: '_q4',
  q4f16: '_q4f16',
  bnb4: '_bnb4',
} as const;
export type OnnxVariant = keyof typeof ONNX_VARIANT_SUFFIX;
export const ONNX_VARIANTS = Object.keys(ONNX_VARIANT_SUFFIX) as [OnnxVariant, ...OnnxVariant[]];
export const onnxVariantSchema = z.enum(ONNX_VARIANTS);

export const onnxVariantFileSchema = z.object({
  variant: onnxVariantSchema,
  /** Repository path, e.g. `onnx/model_quantized.onnx`. */
  file: z.string(),
  sizeBytes: z.number(),
});
export type OnnxVariantFile = z.infer<typeof onnxVariantFileSchema>;

/** The order this server prefers ONNX variants in: full precision (fastest on CPU), then 8-bit, then the rest. */
export const ONNX_VARIANT_PREFERENCE: readonly OnnxVariant[] = ['fp32', 'q8', 'int8', 'uint8', 'fp16', 'q4', 'q4f16', 'bnb4'];

/** The transformers.js ONNX variants among a repository's files, in the order above. */
export function onnxVariantsIn(paths: readonly string[]): { variant: OnnxVariant; file: string }[] {
  const present = new Set(paths);
  return ONNX_VARIANT_PREFERENCE.map((variant) => ({ variant, file: `onnx/model${ONNX_VARIANT_SUFFIX[variant]}.onnx` })).filter((v) => present.has(v.file));
}

/**
 * "Only what runs here": the `include` globs of POST /api/sources/download that take one ONNX variant (and its
 * external weights), the config and tokenizer files (the root JSON files) and the model card — and none of the
 * PyTorch, TensorFlow or other ONNX weights.
 */
export function runnableIncludes(variant: OnnxVariant): string[] {
  const file = `onnx/model${ONNX_VARIANT_SUFFIX[variant]}.onnx`;
  return ['*.json', 'README.md', file, `${file}_data*`];
}

/** Why an installed model does not run here; `reason` says it in English with the details. */
export const RUNTIME_REASON_CODES = [
  'no-config',
  'pytorch-only',
  'tensorflow-only',
  'no-onnx',
  'piper-voice',
  'no-tokenizer',
  'unsupported-task',
  'onnx-load-failed',
  'too-large',
] as const;
export type RuntimeReasonCode = (typeof RUNTIME_REASON_CODES)[number];

/**
 * How Persian text is prepared for a model: through the shared normaliser (common/persian) when the model's own
 * vocabulary is written in Persian letter forms (ی، ک rather than the Arabic ي، ك), else as typed.
 */
export const textPreparationSchema = z.object({
  persian: z.boolean(),
  digits: z.enum(['latin', 'persian', 'keep']),
  keepDiacritics: z.boolean(),
});
export type TextPreparation = z.infer<typeof textPreparationSchema>;

export const modelRuntimeSchema = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('runnable'),
    /** What it runs here, the first being what its page offers first. */
    pipelines: z.array(runPipelineSchema).min(1),
    /** The ONNX files present, best first for this server (fp32, then the quantised ones). */
    variants: z.array(onnxVariantFileSchema).min(1),
    /** The variant a run uses unless it asks for another. */
    defaultVariant: onnxVariantSchema,
    text: textPreparationSchema,
    /** transformers.js' mask token of a fill-mask model (`[MASK]`, `<mask>`); null otherwise. */
    maskToken: z.string().nullable(),
    /** Hidden size of a feature-extraction model (the embedding length); null otherwise. */
    hiddenSize: z.number().nullable(),
    /** Sample rate of a text-to-speech model; null otherwise. */
    samplingRate: z.number().nullable(),
    checkedAt: z.string(),
  }),
  z.object({
    status: z.literal('unsupported'),
    reasonCode: z.enum(RUNTIME_REASON_CODES),
    /** In English, with specifics (onnxruntime's own words for a file that does not load). */
    reason: z.string(),
    checkedAt: z.string(),
  }),
  /** Not inspected yet (an install in progress, or a model installed before this server version). */
  z.object({ status: z.literal('unchecked') }),
]);
export type ModelRuntime = z.infer<typeof modelRuntimeSchema>;

// ---- POST /api/models/:id/run ----

/** `:id` is the installed model's id (models.id, as /api/sources/installed lists it). */
export const runModelParamsSchema = z.object({ id: z.uuid() });

/** Longest text one run takes (code points), per input. */
export const RUN_MAX_CHARS = 4000;
export const RUN_MAX_INPUTS = 32;

const runText = z.string().trim().min(1, 'must not be empty').max(RUN_MAX_CHARS);
const common = { variant: onnxVariantSchema.optional() };

export const runRequestSchema = z.discriminatedUnion('pipeline', [
  z.strictObject({
    pipeline: z.literal('text-classification'),
    inputs: z.union([runText, z.array(runText).min(1).max(RUN_MAX_INPUTS)]),
    ...common,
  }),
  z.strictObject({
    pipeline: z.literal('token-classification'),
    inputs: runText,
    /** Labels left out of `entities` and `tokens` (default `O`, "outside"). */
    ignoreLabels: z.array(z.string().max(64)).max(64).default(['O']),
    ...common,
  }),
  z.strictObject({
    pipeline: z.literal('feature-extraction'),
    /** The sentences to embed; with more than one, `similarities` ranks the others against the first. */
    inputs: z.union([runText, z.array(runText).min(1).max(RUN_MAX_INPUTS)]),
    pooling: z.enum(['mean', 'cls']).default('mean'),
    normalize: z.boolean().default(true),
    ...common,
  }),
  z.strictObject({
    pipeline: z.literal('fill-mask'),
    /** Must hold the model's mask token exactly once (see `runtime.maskToken`). */
    inputs: runText,
    topK: z.number().int().min(1).max(50).default(5),
    ...common,
  }),
  z.strictObject({
    pipeline: z.literal('zero-shot-classification'),
    inputs: runText,
    candidateLabels: z.array(z.string().trim().min(1).max(200)).min(1).max(20),
    /** `{}` is replaced by each label. */
    hypothesisTemplate: z.string().trim().max(500).refine((t) => t.includes('{}'), 'must contain {}').default('این متن درباره {} است.'),
    multiLabel: z.boolean().default(false),
    ...common,
  }),
  z.strictObject({
    pipeline: z.literal('text-to-speech'),
    inputs: runText,
    ...common,
  }),
]);
export type RunRequest = z.input<typeof runRequestSchema>;
export type RunRequestInput = z.output<typeof runRequestSchema>;

const labelScore = z.object({ label: z.string(), score: z.number() });
export type LabelScore = z.infer<typeof labelScore>;

export const tokenEntitySchema = z.object({
  /** The entity type (`PER`), B-/I- prefixes merged. */
  entity: z.string(),
  /** Mean of its tokens' scores. */
  score: z.number(),
  /** Code-unit offsets into `text` (String.prototype.slice), so `text.slice(start, end)` is `word`. */
  start: z.number(),
  end: z.number(),
  word: z.string(),
});
export type TokenEntity = z.infer<typeof tokenEntitySchema>;

export const labelledTokenSchema = z.object({
  index: z.number(),
  token: z.string(),
  label: z.string(),
  score: z.number(),
  /** Offsets into `text`; null for a token the text cannot be matched to (an unknown-token mark). */
  start: z.number().nullable(),
  end: z.number().nullable(),
});

const runInfo = {
  modelId: z.string(),
  repoId: z.string(),
  variant: onnxVariantSchema,
  /** True when the inputs went through the shared Persian normaliser (see `text` for what the model read). */
  normalized: z.boolean(),
  /** True when the model was already loaded (no load time in this run). */
  cached: z.boolean(),
  /** Time in the worker: loading (0 when cached) and running. */
  loadMs: z.number(),
  runMs: z.number(),
};

export const runResponseSchema = z.discriminatedUnion('pipeline', [
  z.object({
    pipeline: z.literal('text-classification'),
    ...runInfo,
    /** The model's problem type: multi-label scores are independent (sigmoid); otherwise they sum to 1. */
    multiLabel: z.boolean(),
    results: z.array(z.object({ text: z.string(), labels: z.array(labelScore) })),
  }),
  z.object({
    pipeline: z.literal('token-classification'),
    ...runInfo,
    text: z.string(),
    entities: z.array(tokenEntitySchema),
    tokens: z.array(labelledTokenSchema),
  }),
  z.object({
    pipeline: z.literal('feature-extraction'),
    ...runInfo,
    texts: z.array(z.string()),
    dimensions: z.number(),
    pooling: z.enum(['mean', 'cls']),
    /** Whether each embedding was scaled to length 1 (the request's `normalize`). */
    unitLength: z.boolean(),
    embeddings: z.array(z.array(z.number())),
    /** Cosine similarity of every input to the first (1 for the first itself). */
    similarities: z.array(z.number()),
  }),
  z.object({
    pipeline: z.literal('fill-mask'),
    ...runInfo,
    text: z.string(),
    maskToken: z.string(),
    predictions: z.array(z.object({ token: z.number(), tokenStr: z.string(), score: z.number(), sequence: z.string() })),
  }),
  z.object({
    pipeline: z.literal('zero-shot-classification'),
    ...runInfo,
    text: z.string(),
    multiLabel: z.boolean(),
    /** Best first; each label as the request wrote it. */
    labels: z.array(labelScore),
  }),
  z.object({
    pipeline: z.literal('text-to-speech'),
    ...runInfo,
    text: z.string(),
    samplingRate: z.number(),
    samples: z.number(),
    durationSeconds: z.number(),
    /** A 16-bit mono WAV file, base64. */
    wavBase64: z.string(),
  }),
]);
export type RunResponse = z.infer<typeof runResponseSchema>;

/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

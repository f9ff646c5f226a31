import { z } from 'zod';
import { pageQuerySchema, pageSchema } from './paging.js';
import { modelRuntimeSchema } from './runtime.js';

/**
 * Contracts of the Hub features: search and model details (`/api/sources/search`, `/api/sources/model/...`),
 * downloads (`/api/sources/download...`), installed models (`/api/sources/installed...`) and Hub tokens
 * (`/api/sources/validate-token`, `/api/settings/huggingface/...`).
 * Request schemas are what the server parses; response schemas describe exactly what it answers.
 */

/**
 * `owner/name`, or a legacy one-part name (`gpt2`, `bert-base-uncased`) that the Hub still serves (by a redirect
 * to its `owner/name` today): letters, digits and `-_.`, each part starting and ending with a letter or digit,
 * no `..`, ≤ 96 chars.
 */
export const REPO_ID_MAX = 96;
const REPO_PART = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?$/;
export function isValidRepoId(value: string): boolean {
  if (value.length > REPO_ID_MAX) return false;
  const parts = value.split('/');
  return parts.length <= 2 && parts.every((p) => REPO_PART.test(p) && !p.includes('..'));
}
export const repoIdSchema = z
  .string()
  .trim()
  .refine(isValidRepoId, 'owner/name (or a one-part name like gpt2): letters, digits and - _ . only, at most 96 characters');

/** A branch, tag or commit: no `..`, no leading `/` or `-`, nothing a URL or a shell could misread. */
export const revisionSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9._/-]*$/, 'letters, digits and . _ / - only')
  .refine((v) => !v.includes('..') && !v.endsWith('/') && !v.includes('//'), 'not a valid revision');

/** The Hub's tasks a user can pick; any other pipeline tag is accepted too. */
export const HUB_TASKS = [
  'text-to-speech',
  'automatic-speech-recognition',
  'text-classification',
  'token-classification',
  'text-generation',
  'fill-mask',
  'translation',
  'summarization',
  'question-answering',
  'feature-extraction',
  'audio-classification',
  'text-to-audio',
] as const;

export const HUB_SORTS = ['downloads', 'likes', 'lastModified', 'createdAt', 'trendingScore'] as const;
export type HubSort = (typeof HUB_SORTS)[number];

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .optional()
    .transform((v) => (v ? v : undefined));

/** `GET /api/sources/search` query. With `cursor` (from a previous answer) the other filters are taken from it. */
export const hubSearchQuerySchema = z.object({
  q: optionalText(200),
  task: z
    .string()
    .trim()
    .max(64)
    .regex(/^[a-z0-9-]*$/, 'a pipeline tag like text-to-speech')
    .optional()
    .transform((v) => (v ? v : undefined)),
  author: z
    .string()
    .trim()
    .max(96)
    .regex(/^[A-Za-z0-9._-]*$/, 'letters, digits and - _ . only')
    .optional()
    .transform((v) => (v ? v : undefined)),
  /** A language tag (the Hub's `filter`, e.g. `fa`). */
  language: z
    .string()
    .trim()
    .max(16)
    .regex(/^[A-Za-z-]*$/, 'a language code like fa')
    .optional()
    .transform((v) => (v ? v : undefined)),
  sort: z.enum(HUB_SORTS).default('downloads'),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  /** Only models with ONNX files (the Hub's `onnx` tag, which transformers.js repositories carry): what can run here. */
  runsHere: z
    .enum(['true', 'false', '1', '0'])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  cursor: z
    .string()
    .max(4096)
    .regex(/^[A-Za-z0-9_-]*$/, 'a cursor from a previous answer')
    .optional()
    .transform((v) => (v ? v : undefined)),
});
export type HubSearchQuery = z.infer<typeof hubSearchQuerySchema>;

/** `false`, or the Hub's gating mode. */
export const gatedSchema = z.union([z.literal(false), z.literal('auto'), z.literal('manual')]);
export type Gated = z.infer<typeof gatedSchema>;

export const hubSearchItemSchema = z.object({
  id: z.string(),
  author: z.string().nullable(),
  pipelineTag: z.string().nullable(),
  libraryName: z.string().nullable(),
  downloads: z.number(),
  likes: z.number(),
  tags: z.array(z.string()),
  /** From the `license:<id>` tag, when present. */
  license: z.string().nullable(),
  /** ISO 8601, or null when the Hub did not say. */
  lastModified: z.string().nullable(),
  gated: gatedSchema,
  private: z.boolean(),
  /** Bytes the repository stores (the Hub's `usedStorage`; offline, the installed copy's size); null when unknown. */
  sizeBytes: z.number().nonnegative().nullable(),
  /** A ready copy of this repository (any revision) is on this server. */
  installed: z.boolean(),
});
export type HubSearchItem = z.infer<typeof hubSearchItemSchema>;

/** How a search was understood and sent to the Hub (Persian words → language, task, tags), for the page to say. */
export const hubSearchInterpretationSchema = z.object({
  /** The id words the Hub's `search` got ('' when none). */
  search: z.string(),
  task: z.string().nullable(),
  language: z.string().nullable(),
  tags: z.array(z.string()),
  understood: z.array(z.object({ phrase: z.string(), as: z.enum(['language', 'task', 'tag']), value: z.string() })),
  /** Persian words that name nothing the Hub can match. */
  ignored: z.array(z.string()),
});
export type HubSearchInterpretation = z.infer<typeof hubSearchInterpretationSchema>;

export const hubSearchResponseSchema = z.object({
  items: z.array(hubSearchItemSchema),
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: z.string().nullable(),
  /** True when HF_HUB_OFFLINE=1: the answer comes from installed models only. */
  offline: z.boolean(),
  interpreted: hubSearchInterpretationSchema,
});
export type HubSearchResponse = z.infer<typeof hubSearchResponseSchema>;

/** `GET /api/sources/card/:owner/:name`: the model card (README.md) as Markdown, without its YAML header. */
export const hubModelCardSchema = z.object({
  /** The canonical id (after a rename). */
  repoId: z.string(),
  /** Null when the repository has no README.md (or it is too large to show). */
  markdown: z.string().nullable(),
});
export type HubModelCard = z.infer<typeof hubModelCardSchema>;

/** `GET /api/sources/model/:owner/:name` (or `:owner%2F:name`) query. */
export const hubModelQuerySchema = z.object({
  revision: revisionSchema.optional(),
});
export type HubModelQuery = z.infer<typeof hubModelQuerySchema>;

export const hubModelFileSchema = z.object({
  path: z.string(),
  size: z.number(),
  /** The LFS sha256; null for small files kept in git (checked against their git oid instead). */
  sha256: z.string().nullable(),
  lfs: z.boolean(),
});
export type HubModelFile = z.infer<typeof hubModelFileSchema>;

export const MODEL_STATUSES = ['pending', 'downloading', 'training', 'ready', 'failed'] as const;
export type ModelStatus = (typeof MODEL_STATUSES)[number];

/** The local copy of a Hub repository (one models row). */
export const installedModelSchema = z.object({
  id: z.string(),
  repoId: z.string(),
  /** The revision asked for (branch, tag or commit). */
  revision: z.string(),
  /** The commit the files come from, once known. */
  commitSha: z.string().nullable(),
  name: z.string(),
  /** The model type, from the pipeline tag. */
  type: z.string(),
  status: z.enum(MODEL_STATUSES),
  /** Absolute folder on the server; admins only (null for everyone else). */
  path: z.string().nullable(),
  /** Bytes of the files on disk now (0 when the folder is gone). */
  sizeBytes: z.number(),
  fileCount: z.number(),
  pipelineTag: z.string().nullable(),
  libraryName: z.string().nullable(),
  license: z.string().nullable(),
  tags: z.array(z.string()),
  /** Who started the first download; admins only (null for everyone else, and when that user was deleted). */
  ownerId: z.string().nullable(),
  /** True when the caller started the first download. */
  installedByMe: z.boolean(),
  /** Found at install: files that will not run here (a voice whose ONNX file does not load), with why. */
  problems: z.array(z.object({ file: z.string(), reason: z.string() })),
  /** Whether it runs here with transformers.js (which pipelines), or why not. */
  runtime: modelRuntimeSchema,
  /** True when the caller may delete it (admin, or the user who installed it). */
  canDelete: z.boolean(),
  /** The caller's trained models that read their text through it (an encoder): deleting it stops them. */
  trainedOnIt: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type InstalledModel = z.infer<typeof installedModelSchema>;

export const hubModelDetailsSchema = z.object({
  id: z.string(),
  author: z.string().nullable(),
  /** The commit of the revision asked for. */
  sha: z.string().nullable(),
  /** The revision asked for (default `main`). */
  revision: z.string(),
  pipelineTag: z.string().nullable(),
  libraryName: z.string().nullable(),
  tags: z.array(z.string()),
  license: z.string().nullable(),
  languages: z.array(z.string()),
  gated: gatedSchema,
  private: z.boolean(),
  downloads: z.number(),
  likes: z.number(),
  lastModified: z.string().nullable(),
  createdAt: z.string().nullable(),
  files: z.array(hubModelFileSchema),
  totalSize: z.number(),
  fileCount: z.number(),
  /** The local copy of this repository and revision, if any (whatever its status). */
  installed: installedModelSchema.nullable(),
  /** True when HF_HUB_OFFLINE=1: built from the local copy only. */
  offline: z.boolean(),
});
export type HubModelDetails = z.infer<typeof hubModelDetailsSchema>;

/** A glob (picomatch syntax) over repository paths, e.g. `*.onnx` or `tokenizer/**`. */
const glob = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((v) => !v.includes('\0'), 'not a valid pattern');

/** `POST /api/sources/download`. Without `include` every file is taken; `exclude` wins over `include`. */
export const createDownloadBodySchema = z.strictObject({
  repoId: repoIdSchema,
  revision: revisionSchema.default('main'),
  include: z.array(glob).max(50).optional(),
  exclude: z.array(glob).max(50).optional(),
});
export type CreateDownloadBody = z.input<typeof createDownloadBodySchema>;
export type CreateDownloadInput = z.output<typeof createDownloadBodySchema>;

export const DOWNLOAD_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type DownloadStatus = (typeof DOWNLOAD_STATUSES)[number];
export const ACTIVE_DOWNLOAD_STATUSES = ['queued', 'running'] as const satisfies readonly DownloadStatus[];

export const downloadRecordSchema = z.object({
  id: z.string(),
  repoId: z.string(),
  revision: z.string(),
  /** The commit being downloaded, once resolved. */
  commitSha: z.string().nullable(),
  /** The models row the files belong to; null after the model was deleted. */
  modelId: z.string().nullable(),
  status: z.enum(DOWNLOAD_STATUSES),
  /** 0–100. */
  progress: z.number(),
  bytesDownloaded: z.number(),
  bytesTotal: z.number(),
  currentFile: z.string().nullable(),
  include: z.array(z.string()),
  exclude: z.array(z.string()),
  /** An error code from ERROR_CODES (FILE_CHECK_FAILED, DISK_FULL, GATED_REPO, …) when failed. */
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
});
export type DownloadRecord = z.infer<typeof downloadRecordSchema>;

/** `GET /api/sources/downloads`: the caller's downloads, newest first. */
export const listDownloadsQuerySchema = z.object({
  status: z.enum(DOWNLOAD_STATUSES).optional(),
  ...pageQuerySchema(100, 20, 1_000_000).shape,
});
export type ListDownloadsQuery = z.infer<typeof listDownloadsQuerySchema>;

export const downloadListResponseSchema = pageSchema(downloadRecordSchema);
export type DownloadListResponse = z.infer<typeof downloadListResponseSchema>;

export const installedListResponseSchema = z.object({
  items: z.array(installedModelSchema),
});
export type InstalledListResponse = z.infer<typeof installedListResponseSchema>;

/** A Hub access token: printable ASCII without spaces (it travels in an HTTP header). */
export const hubTokenSchema = z
  .string()
  .trim()
  .min(4)
  .max(512)
  .regex(/^[\x21-\x7e]+$/, 'a Hub access token (hf_…)');

/** `POST /api/sources/validate-token` and `PUT /api/settings/huggingface/token`. */
export const hubTokenBodySchema = z.strictObject({ token: hubTokenSchema });
export type HubTokenBody = z.infer<typeof hubTokenBodySchema>;

/** `PUT /api/settings/huggingface/validate`: the given token, or the stored one when absent. */
export const hubValidateBodySchema = z.strictObject({ token: hubTokenSchema.optional() });
export type HubValidateBody = z.infer<typeof hubValidateBodySchema>;

/** The answer of a token check; nothing is stored by a check. */
export const hubTokenValidationSchema = z.object({
  valid: z.boolean(),
  username: z.string().nullable(),
  fullname: z.string().nullable(),
  /** `read`, `write` or `fineGrained` as the Hub reports it. */
  tokenRole: z.string().nullable(),
  tokenName: z.string().nullable(),
  orgs: z.array(z.string()),
  /** `hf_…abcd` of the token checked. */
  tokenPreview: z.string().nullable(),
});
export type HubTokenValidation = z.infer<typeof hubTokenValidationSchema>;

/** `DELETE /api/sources/download/:id` and `GET /api/sources/download/:id` answer a DownloadRecord. */
export const downloadIdParamsSchema = z.object({ id: z.uuid() });
export const modelIdParamsSchema = z.object({ modelId: z.uuid() });

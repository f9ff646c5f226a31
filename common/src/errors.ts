import { z } from 'zod';

/** Every error code the API can answer with; the UI translates each one. */
export const ERROR_CODES = [
  'VALIDATION_FAILED',
  'MALFORMED_JSON',
  'UNAUTHENTICATED',
  'INVALID_CREDENTIALS',
  'TOKEN_EXPIRED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'EMAIL_TAKEN',
  'USERNAME_TAKEN',
  'PASSWORD_TOO_LONG',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'RANGE_NOT_SATISFIABLE',
  'RATE_LIMITED',
  'SERVICE_UNAVAILABLE',
  'DB_UNAVAILABLE',
  'INTERNAL',
  // Hub
  'HUB_UNREACHABLE',
  'HUB_BAD_RESPONSE',
  'HUB_RATE_LIMITED',
  'REPO_NOT_FOUND',
  'GATED_REPO',
  'INVALID_TOKEN',
  'FILE_CHECK_FAILED',
  'DISK_FULL',
  'IO_ERROR',
  'UNSAFE_PATH',
  'HUB_OFFLINE',
  'DOWNLOAD_CANCELLED',
  // Datasets / training
  'INVALID_DATASET',
  'DATASET_IN_USE',
  'INVALID_STATE',
  'TRAINING_FAILED',
  'MODEL_NOT_READY',
  'INVALID_MODEL_ARCHIVE',
  // Speech
  'UNKNOWN_VOICE',
  'EMPTY_TEXT',
  'TEXT_TOO_LONG',
  'SYNTHESIS_FAILED',
  // Running installed models
  'MODEL_NOT_RUNNABLE',
  'ENCODER_MISSING',
  'PIPELINE_NOT_SUPPORTED',
  'MODEL_TOO_LARGE',
  'RUN_TIMEOUT',
  'RUN_FAILED',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.array(z.unknown()).optional(),
    requestId: z.string().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;

/** One field problem inside a VALIDATION_FAILED answer. */
export interface FieldIssue {
  path: string;
  message: string;
  code: string;
}

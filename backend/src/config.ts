import path from 'node:path';
import { z } from 'zod';

const bool = z
  .enum(['0', '1', 'true', 'false', 'yes', 'no', ''])
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const int = (def: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(def);

/** `TRUST_PROXY`: a hop count or a list of addresses/subnets; `true` is refused (it trusts any X-Forwarded-For). */
const trustProxy = z
  .string()
  .default('')
  .transform((v, ctx) => {
    const s = v.trim();
    if (s === '' || s === 'false' || s === '0') return false as const;
    if (/^\d+$/.test(s)) return Number(s);
    if (s === 'true') {
      ctx.addIssue({ code: 'custom', message: 'use a hop count or addresses, never "true"' });
      return z.NEVER;
    }
    return s.split(',').map((p) => p.trim()).filter(Boolean);
  });

/** What one process runs: everything (one machine), the HTTP API + Socket.IO only, or the background jobs only. */
export const ROLES = ['all', 'api', 'worker'] as const;
export type Role = (typeof ROLES)[number];

const envSchema = z.object({
  SOKHAN_ROLE: z.enum(ROLES).or(z.literal('').transform((): Role => 'all')).default('all'),
  /** A worker's small health endpoint (GET /health); the worker has no other port. */
  WORKER_HEALTH_PORT: int(3001, 0, 65535),
  /** How often a worker renews the lease on its jobs (its row in worker_instances). */
  WORKER_HEARTBEAT_MS: int(5000, 100, 600_000),
  /** A worker not heard from for this long is dead: its jobs are taken over by another worker. */
  WORKER_LEASE_MS: int(30_000, 300, 3_600_000),
  HOST: z.string().default('0.0.0.0'),
  PORT: int(3000, 0, 65535),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: z.string().url().optional().or(z.literal('').transform(() => undefined)),
  EMBEDDED_PG_PORT: int(54329, 1024, 65535),
  DB_POOL_MAX: int(20, 1, 200),
  DB_CONNECT_TIMEOUT_MS: int(5000, 100, 120_000),
  DB_IDLE_TIMEOUT_MS: int(30_000, 1000, 3_600_000),
  DB_STATEMENT_TIMEOUT_MS: int(30_000, 100, 3_600_000),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters'),
  JWT_EXPIRES_IN: z.string().regex(/^\d+[smhd]?$/, 'like 3600, 15m, 12h or 7d').default('7d'),
  JWT_ISSUER: z.string().default('sokhan'),
  JWT_AUDIENCE: z.string().default('sokhan-app'),
  SECRET_KEY: z.string().min(32, 'must be at least 32 characters'),
  BCRYPT_COST: int(12, 10, 15),
  ADMIN_EMAIL: z.string().email().optional().or(z.literal('').transform(() => undefined)),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean)),
  TRUST_PROXY: trustProxy,
  RATE_LIMIT_WINDOW_MS: int(60_000, 1000, 86_400_000),
  RATE_LIMIT_MAX: int(600, 1, 1_000_000),
  AUTH_RATE_LIMIT_MAX: int(20, 1, 100_000),
  JSON_BODY_LIMIT: z.string().default('1mb'),
  HF_ENDPOINT: z.string().url().default('https://huggingface.co'),
  HF_TOKEN: z.string().optional(),
  HF_HUB_OFFLINE: bool.default(false),
  HUB_TIMEOUT_MS: int(15_000, 100, 600_000),
  HUB_RETRIES: int(4, 0, 10),
  DOWNLOAD_CONCURRENCY: int(2, 1, 16),
  DOWNLOAD_FILE_CONCURRENCY: int(4, 1, 32),
  /** Parallel Range requests per large file; 1 fetches every file as one stream. */
  DOWNLOAD_CONNECTIONS: int(8, 1, 32),
  /** Files of at least this many MiB are fetched as parallel ranges. */
  DOWNLOAD_CHUNKED_MIN_MB: int(32, 1, 1_000_000),
  /** Connections one download may have open, over all its files (file concurrency and chunks together). */
  DOWNLOAD_MAX_CONNECTIONS: int(8, 1, 64),
  /** Connections to one host over all downloads. */
  DOWNLOAD_HOST_CONNECTIONS: int(16, 1, 256),
  MODELS_DIR: z.string().default('./models'),
  DATASETS_DIR: z.string().default('./datasets'),
  CHECKPOINTS_DIR: z.string().default('./checkpoints'),
  DATASET_MAX_MB: int(1024, 1, 100_000),
  TRAINING_CONCURRENCY: int(1, 1, 16),
  TF_BACKEND: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).default('auto'),
  TTS_MAX_CHARS: int(2000, 10, 100_000),
  /** Speech synthesis worker threads; 0 = one per CPU core, at most 2. */
  TTS_WORKERS: int(0, 0, 16),
  TTS_TIMEOUT_MS: int(120_000, 1000, 3_600_000),
  /** Memory for loaded installed models (counted as their ONNX files), shared by the runtime workers; LRU evicted. */
  RUNTIME_MEMORY_MB: int(1024, 16, 1_000_000),
  /** Worker threads that run installed models. */
  RUNTIME_WORKERS: int(1, 1, 16),
  /** Longest one run (or one inspection load) may take; past it the worker is ended and the run answers 504. */
  RUNTIME_TIMEOUT_MS: int(60_000, 10, 3_600_000),
  FRONTEND_DIST: z.string().default(''),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SHUTDOWN_TIMEOUT_MS: int(10_000, 100, 600_000),
});

export type Env = z.infer<typeof envSchema>;

export interface Config extends Env {
  /** Absolute forms of the folder settings. */
  paths: { data: string; models: string; datasets: string; checkpoints: string; frontendDist: string };
  version: string;
  /**
   * Other processes may share this database (role api or worker, or DATABASE_URL set): Socket.IO events and rate
   * limits then go through PostgreSQL. One process on its embedded database keeps them in memory.
   */
  shared: boolean;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment; throws ConfigError listing every bad variable (one line each). */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, rootDir = process.cwd()): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  }
  const e = parsed.data;
  if (e.SOKHAN_ROLE !== 'all' && !e.DATABASE_URL) {
    // The embedded server listens on this machine's loopback only: another instance could never reach it.
    throw new ConfigError([`DATABASE_URL: SOKHAN_ROLE=${e.SOKHAN_ROLE} needs the PostgreSQL every instance shares (the embedded one is for role all)`]);
  }
  if (e.WORKER_LEASE_MS < 3 * e.WORKER_HEARTBEAT_MS) {
    // Two missed heartbeats (a busy event loop, a slow query) must not hand a live worker's jobs to another.
    throw new ConfigError([`WORKER_LEASE_MS: ${e.WORKER_LEASE_MS} must be at least three heartbeats (3 × WORKER_HEARTBEAT_MS = ${3 * e.WORKER_HEARTBEAT_MS})`]);
  }
  if (e.DOWNLOAD_CONNECTIONS > e.DOWNLOAD_MAX_CONNECTIONS) {
    throw new ConfigError([`DOWNLOAD_CONNECTIONS: ${e.DOWNLOAD_CONNECTIONS} is more than DOWNLOAD_MAX_CONNECTIONS (${e.DOWNLOAD_MAX_CONNECTIONS})`]);
  }
  const abs = (p: string) => path.resolve(rootDir, p);
  return {
    ...e,
    paths: {
      data: abs(e.DATA_DIR),
      models: abs(e.MODELS_DIR),
      datasets: abs(e.DATASETS_DIR),
      checkpoints: abs(e.CHECKPOINTS_DIR),
      frontendDist: e.FRONTEND_DIST ? abs(e.FRONTEND_DIST) : abs('frontend/dist'),
    },
    version: env.npm_package_version ?? '0.1.0',
    shared: e.SOKHAN_ROLE !== 'all' || e.DATABASE_URL !== undefined,
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { seededRandom, type TrainingProgressEvent } from '@sokhan/common';
import type { Notifier } from '../../backend/src/platform/realtime/realtime.js';
import { instanceEnv } from '../../backend/test/sokhan-process.js';
import { io as connect } from 'socket.io-client';
import { freePort } from '../../backend/test/ports.js';
import { killAllSokhan, startSokhan, waitForOutput, type SokhanProcess } from '../../backend/test/sokhan-process.js';
import { call, waitFor } from '../lib/http.js';

/**
 * Several processes on one PostgreSQL (the embedded server, started on its own for the bench).
 * 1. Four training jobs queued at once, drained by one `worker` process and then by two (wall time and ratio; each
 *    worker trains one job at a time, so on two cores two workers should come close to twice as fast).
 * 2. The delay of a `training:progress` event from a worker's emitter (the Socket.IO server without HTTP a worker
 *    runs, on the PostgreSQL adapter) to a socket on an `api` instance, against the same event emitted by the
 *    Socket.IO server of one process to its own socket (role all, no adapter). p50 / p99 over PROBES events; each
 *    carries its send time in its jobId, and sender and receiver share this machine's clock.
 * Prints figures; asserts nothing.
 */

const SELF = fileURLToPath(import.meta.url);
const JOBS = 4;
const PROBES = 400;
type Figures = Record<string, number | string>;

/** Persian review lines labelled مثبت/منفی (the tests' fixtures need vitest, so the bench makes its own). */
function reviewsCsv(rows: number, seed: number): string {
  const rnd = seededRandom(seed);
  const pick = (list: string[]) => list[Math.floor(rnd() * list.length)]!;
  const subjects = ['این فیلم', 'این کتاب', 'غذای رستوران', 'خدمات پشتیبانی', 'این گوشی', 'اتاق هتل'];
  const good = ['عالی بود', 'خیلی خوب است', 'را دوست داشتم', 'ارزش خرید دارد'];
  const bad = ['افتضاح بود', 'خیلی بد است', 'را دوست نداشتم', 'ارزش خرید ندارد'];
  const lines = ['text,label'];
  for (let i = 0; i < rows; i++) {
    const positive = rnd() < 0.5;
    lines.push(`${pick(subjects)} ${pick(positive ? good : bad)},${positive ? 'مثبت' : 'منفی'}`);
  }
  return `${lines.join('\n')}\n`;
}

function trainingConfig(datasetId: string, seed: number) {
  return {
    datasetId,
    task: 'text-classification',
    textColumn: 'text',
    labelColumn: 'label',
    layers: [{ type: 'dense', units: 64, activation: 'relu' }],
    optimizer: 'adam',
    learningRate: 0.01,
    epochs: 6,
    batchSize: 16,
    validationSplit: 0.2,
    earlyStopping: null,
    seed,
  };
}

/** Milliseconds with sub-millisecond precision, the same clock in every process on this machine. */
const now = () => performance.timeOrigin + performance.now();

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function database(adminUrl: string, name: string): Promise<string> {
  const { ensureDatabase } = await import('../../backend/src/platform/db/embedded.js');
  return ensureDatabase(adminUrl, name);
}

function baseEnv(root: string, url: string): Record<string, string> {
  return instanceEnv(root, url, { HF_HUB_OFFLINE: '1', TRAINING_CONCURRENCY: '1', TF_BACKEND: process.env.TF_BACKEND ?? 'auto' });
}

async function register(base: string): Promise<{ token: string; id: string }> {
  const tag = randomBytes(4).toString('hex');
  const r = await call(base, 'POST', '/api/auth/register', { body: { email: `b${tag}@example.com`, username: `b${tag}`, password: 'رمز-عبور-امن-۱۲۳۴' } });
  if (r.status !== 201) throw new Error(`register failed: ${r.status}`);
  return { token: r.body.token, id: r.body.user.id };
}

/** One api and `workers` workers on a fresh database; the wall time from queueing JOBS jobs to all completed. */
async function drain(adminUrl: string, workers: number): Promise<number> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-mi-'));
  const env = baseEnv(root, await database(adminUrl, `bench_mi_${workers}_${randomBytes(3).toString('hex')}`));
  const port = await freePort();
  const procs: SokhanProcess[] = [startSokhan('api', { ...env, SOKHAN_ROLE: 'api', PORT: String(port) })];
  for (let i = 0; i < workers; i++) procs.push(startSokhan(`worker-${i}`, { ...env, SOKHAN_ROLE: 'worker', WORKER_HEALTH_PORT: '0' }));
  try {
    await Promise.all(procs.map((p) => waitForOutput(p, /is running/, 180_000)));
    const base = `http://127.0.0.1:${port}`;
    const u = await register(base);
    const form = new FormData();
    form.append('name', 'bench');
    form.append('file', new Blob([reviewsCsv(3000, 11)]), 'reviews.csv');
    const up = await call(base, 'POST', '/api/datasets', { token: u.token, body: form });
    if (up.status !== 201) throw new Error(`upload failed: ${up.status}`);
    const started = now();
    const ids = await Promise.all(
      Array.from({ length: JOBS }, async (_, i) => (await call(base, 'POST', '/api/training', { token: u.token, body: trainingConfig(up.body.id, i) })).body.id as string),
    );
    for (const id of ids) {
      await waitFor(async () => {
        const j = await call(base, 'GET', `/api/training/${id}`, { token: u.token });
        if (j.body.status === 'failed') throw new Error(`job failed: ${JSON.stringify(j.body.error)}`);
        return j.body.status === 'completed';
      }, 600_000, 100);
    }
    return (now() - started) / 1000;
  } finally {
    await Promise.all(procs.map((p) => p.stop()));
    await fs.rm(root, { recursive: true, force: true });
  }
}

/** A bench child: prints one JSON line when ready, then emits PROBES events to `userId` when stdin says `go`. */
function emitter(mode: 'all' | 'worker', env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=source', SELF, '--bench-child', mode], { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, ...env } });
}

function firstLine(proc: ChildProcess): Promise<any> {
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: proc.stdout! });
    rl.once('line', (l) => resolve(JSON.parse(l)));
    proc.once('exit', (code) => reject(new Error(`emitter exited (${code})`)));
  });
}

/** Connects a socket, tells the emitter to go, and collects each probe's delay (ms). */
async function delays(url: string, token: string, proc: ChildProcess): Promise<number[]> {
  const c = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  const got: number[] = [];
  const done = new Promise<void>((resolve) =>
    c.on('training:progress', (p: TrainingProgressEvent) => {
      got.push(now() - Number(p.jobId.slice('probe:'.length)));
      if (got.length === PROBES) resolve();
    }),
  );
  proc.stdin!.write('go\n');
  await done;
  c.close();
  return got.sort((a, b) => a - b);
}

async function probeAll(adminUrl: string): Promise<number[]> {
  const url = await database(adminUrl, `bench_mi_all_${randomBytes(3).toString('hex')}`);
  const proc = emitter('all', { BENCH_DATABASE_URL: url });
  try {
    const ready = await firstLine(proc);
    return await delays(ready.url, ready.token, proc);
  } finally {
    proc.kill('SIGTERM');
  }
}

async function probeCross(adminUrl: string): Promise<number[]> {
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-mi-'));
  const env = baseEnv(root, await database(adminUrl, `bench_mi_x_${randomBytes(3).toString('hex')}`));
  const port = await freePort();
  const apiProc = startSokhan('api', { ...env, SOKHAN_ROLE: 'api', PORT: String(port) });
  let proc: ChildProcess | null = null;
  try {
    await waitForOutput(apiProc, /is running/, 180_000);
    const base = `http://127.0.0.1:${port}`;
    const u = await register(base);
    proc = emitter('worker', { BENCH_DATABASE_URL: env.DATABASE_URL!, BENCH_USER: u.id });
    await firstLine(proc);
    return await delays(base, u.token, proc);
  } finally {
    proc?.kill('SIGTERM');
    await apiProc.stop();
    await fs.rm(root, { recursive: true, force: true });
  }
}

export async function multiInstanceBench(): Promise<{ name: string; figures: Figures }> {
  const { startEmbeddedPostgres } = await import('../../backend/src/platform/db/embedded.js');
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-pg-'));
  await fs.chmod(dir, 0o755);
  const pg = await startEmbeddedPostgres({ dataDir: dir, port: await freePort() });
  try {
    const one = await drain(pg.url, 1);
    const two = await drain(pg.url, 2);
    const all = await probeAll(pg.url);
    const cross = await probeCross(pg.url);
    return {
      name: 'multi-instance',
      figures: {
        [`${JOBS} jobs, 1 worker (s)`]: one,
        [`${JOBS} jobs, 2 workers (s)`]: two,
        'speed-up with 2 workers (×)': one / two,
        'cores': os.availableParallelism(),
        'progress event, one process p50 (ms)': quantile(all, 0.5),
        'progress event, one process p99 (ms)': quantile(all, 0.99),
        'progress event, worker → other api p50 (ms)': quantile(cross, 0.5),
        'progress event, worker → other api p99 (ms)': quantile(cross, 0.99),
      },
    };
  } finally {
    await killAllSokhan();
    await pg.stop();
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** The emitter children: role all's in-process Socket.IO server, or a worker's detached one on the adapter. */
async function child(mode: string): Promise<void> {
  const { createLogger } = await import('../../backend/src/platform/logger.js');
  const { createPool } = await import('../../backend/src/platform/db/pool.js');
  const { migrate } = await import('../../backend/src/platform/db/migrator.js');
  const { MIGRATIONS_DIR } = await import('../../backend/src/platform/db/database.js');
  const { attachRealtime, detachedRealtime } = await import('../../backend/src/platform/realtime/realtime.js');
  const logger = createLogger('silent');
  const pool = createPool({ connectionString: process.env.BENCH_DATABASE_URL!, max: 4, connectTimeoutMs: 5000, idleTimeoutMs: 30_000, statementTimeoutMs: 30_000, logger });
  await migrate(pool, MIGRATIONS_DIR);
  let userId = process.env.BENCH_USER ?? '';
  let notifier: Notifier;
  if (mode === 'all') {
    const { createServer } = await import('node:http');
    const { loadConfig } = await import('../../backend/src/config.js');
    const { createAuthService } = await import('../../backend/src/modules/auth/auth.factory.js');
    const config = loadConfig({ JWT_SECRET: randomBytes(32).toString('hex'), SECRET_KEY: randomBytes(32).toString('hex'), BCRYPT_COST: '10' });
    const auth = createAuthService(config, pool);
    const http = createServer();
    notifier = attachRealtime(http, { auth, logger, corsOrigins: [] });
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
    const tag = randomBytes(4).toString('hex');
    const user = await auth.register({ email: `b${tag}@example.com`, username: `b${tag}`, password: 'رمز-عبور-امن-۱۲۳۴' });
    userId = user.user.id;
    console.log(JSON.stringify({ url: `http://127.0.0.1:${(http.address() as { port: number }).port}`, token: user.token }));
  } else {
    notifier = detachedRealtime(pool, logger);
    console.log(JSON.stringify({ ready: true }));
  }
  const rl = createInterface({ input: process.stdin });
  rl.once('line', async () => {
    for (let i = 0; i < PROBES; i++) {
      const e = { jobId: `probe:${now()}`, epoch: 1, epochs: 1, batch: i, batches: PROBES, progress: 0, loss: null, accuracy: null, samplesPerSecond: null, etaSeconds: null, valLoss: null, valAccuracy: null, phase: 'batch' } as TrainingProgressEvent;
      notifier.notifyUser(userId, 'training:progress', e);
      // About the rate a few training jobs send at (4 a second each), bunched: 5 ms apart.
      await new Promise((r) => setTimeout(r, 5));
    }
  });
  process.once('SIGTERM', () => process.exit(0));
}

if (process.argv.includes('--bench-child')) await child(process.argv[process.argv.indexOf('--bench-child') + 1]!);

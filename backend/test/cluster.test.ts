import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ServerEventName } from '@sokhan/common';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoFolder } from '../src/modules/hub/hub.paths.js';
import { createTestDatabase } from './helpers.js';
import { sha256File, startFixtureMirror, waitFor, type MirrorFixture } from './hub-fixture.js';
import { freePort } from './ports.js';
import { instanceEnv, killAllSokhan, startSokhan, waitForOutput, type SokhanProcess } from './sokhan-process.js';
import { persianSentiment, sentimentConfig, toCsv } from './training-fixtures.js';

// Two `api` and two `worker` processes, built from source like ./start.sh runs the build, on one PostgreSQL (a
// database of the run's embedded server) and one set of folders: what a lab with three machines runs.

const BIG = 'test-lab/cluster-weights';
const BIG_BYTES = 3_000_000;
const CANCELLED = 'test-lab/cluster-cancelled';
const AUTH_LIMIT = 40;

let db: Awaited<ReturnType<typeof createTestDatabase>>;
let fx: MirrorFixture;
let root: string;
let env: Record<string, string>;
const apis: { url: string; p: SokhanProcess }[] = [];
const workers: SokhanProcess[] = [];
const sockets: Socket[] = [];

function startWorker(name: string): SokhanProcess {
  return startSokhan(name, { ...env, SOKHAN_ROLE: 'worker', WORKER_HEALTH_PORT: '0' });
}

beforeAll(async () => {
  db = await createTestDatabase();
  fx = await startFixtureMirror({ extraRepos: [
      { id: BIG, files: { 'config.json': '{}\n', 'weights.bin': { randomBytes: BIG_BYTES, seed: 'cluster' } } },
      { id: CANCELLED, files: { 'weights.bin': { randomBytes: BIG_BYTES, seed: 'cancelled' } } },
    ], });
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-cluster-'));
  // One secret for all: a token from one API instance is good on the other.
  env = instanceEnv(root, db.url, {
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: String(AUTH_LIMIT),
    ...fx.env,
    TRAINING_CONCURRENCY: '1',
    DOWNLOAD_CONCURRENCY: '1',
    WORKER_HEARTBEAT_MS: '300',
    WORKER_LEASE_MS: '1500',
    TF_BACKEND: 'cpu',
  });
  for (const name of ['api-1', 'api-2']) {
    const port = await freePort();
    apis.push({ url: `http://127.0.0.1:${port}`, p: startSokhan(name, { ...env, SOKHAN_ROLE: 'api', PORT: String(port) }) });
  }
  workers.push(startWorker('worker-1'), startWorker('worker-2'));
  await Promise.all([...apis.map((a) => waitForOutput(a.p, /is running at/)), ...workers.map((w) => waitForOutput(w, /worker is running/))]);
}, 180_000);

afterAll(async () => {
  for (const s of sockets) s.close();
  await killAllSokhan();
  await fx?.close();
  await db?.drop();
  if (root) await fs.rm(root, { recursive: true, force: true });
});

const api1 = () => apis[0]!.url;
const api2 = () => apis[1]!.url;

async function call(base: string, method: string, url: string, token?: string, body?: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(base + url, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}) },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

let users = 0;
async function register(base: string): Promise<{ token: string; id: string }> {
  users += 1;
  const tag = `${process.pid}c${users}${randomBytes(2).toString('hex')}`;
  const r = await call(base, 'POST', '/api/auth/register', undefined, { email: `c${tag}@example.com`, username: `c${tag}`, password: 'رمز-عبور-امن-۱۲۳۴' });
  if (r.status !== 201) throw new Error(`register failed: ${r.status} ${JSON.stringify(r.body)}`);
  return { token: r.body.token, id: r.body.user.id };
}

async function upload(base: string, token: string, rows: number, seed: number): Promise<string> {
  const form = new FormData();
  form.append('name', 'نظرات');
  form.append('file', new Blob([toCsv(persianSentiment(rows, seed))]), 'reviews.csv');
  const res = await fetch(`${base}/api/datasets`, { method: 'POST', headers: { Authorization: `Bearer ${token}` }, body: form });
  const body = (await res.json()) as { id: string };
  if (res.status !== 201) throw new Error(`upload failed: ${res.status} ${JSON.stringify(body)}`);
  return body.id;
}

interface Received {
  event: ServerEventName;
  payload: any;
}

async function listen(base: string, token: string): Promise<Received[]> {
  const c = connect(base, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(c);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  const got: Received[] = [];
  c.onAny((event: ServerEventName, payload: unknown) => got.push({ event, payload }));
  return got;
}

async function job(base: string, token: string, id: string): Promise<any> {
  return (await call(base, 'GET', `/api/training/${id}`, token)).body;
}

async function waitForJobState(base: string, token: string, id: string, statuses: string[], until: (j: any) => boolean = () => true, timeoutMs = 120_000): Promise<any> {
  return waitFor(
    async () => {
      const j = await job(base, token, id);
      return statuses.includes(j.status) && until(j) ? j : null;
    },
    `job ${id} to be ${statuses.join('/')}`,
    timeoutMs,
    100,
  );
}

/** The worker process whose lease a job row names (worker_instances keeps each worker's pid). */
async function workerOf(table: 'training_jobs' | 'download_queue', id: string): Promise<SokhanProcess> {
  const pid = await waitFor(async () => {
    const r = await db.pool.query<{ pid: number }>(`SELECT w.pid FROM ${table} t JOIN worker_instances w ON w.id = t.worker_id WHERE t.id = $1`, [id]);
    return r.rows[0]?.pid ?? null;
  }, `the worker of ${id}`);
  const w = workers.find((x) => x.child.pid === pid && x.child.exitCode === null && x.child.signalCode === null);
  if (!w) throw new Error(`no live worker with pid ${pid}`);
  return w;
}

/** Kills a worker with SIGKILL (no shutdown of any kind) and starts another in its place. */
async function killAndReplace(w: SokhanProcess): Promise<void> {
  await w.kill();
  const fresh = startWorker(`${w.name}+`);
  workers.splice(workers.indexOf(w), 1, fresh);
  await waitForOutput(fresh, /worker is running/);
}

const of = (got: Received[], event: ServerEventName, jobId: string) => got.filter((r) => r.event === event && r.payload.jobId === jobId);

// Four processes and their training threads on two cores: each step waits for states, with room for a busy machine.
describe('many API instances and workers on one PostgreSQL', { timeout: 240_000 }, () => {
  let owner: { token: string; id: string };
  let datasetId: string;

  it('sends a socket on API 1 the progress of a training job created through API 2 and run by a worker, in its own room only', async () => {
    owner = await register(api2());
    const other = await register(api1());
    datasetId = await upload(api2(), owner.token, 200, 5);
    const mine = await listen(api1(), owner.token);
    const theirs = await listen(api1(), other.token);

    const created = await call(api2(), 'POST', '/api/training', owner.token, sentimentConfig(datasetId, { epochs: 3 }));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => of(mine, 'training:complete', id).length === 1, 'training:complete on API 1', 120_000);
    expect(of(mine, 'training:progress', id).length).toBeGreaterThan(0);
    expect(of(mine, 'training:checkpoint', id).map((r) => r.payload.epoch)).toEqual([1, 2, 3]);
    const runner = await workerOf('training_jobs', id);
    expect(workers).toContain(runner);
    expect(theirs).toEqual([]);
    // Both API instances answer for the same job.
    expect((await job(api1(), owner.token, id)).status).toBe('completed');
    const status = await call(api1(), 'GET', '/api/system/status', owner.token);
    expect(status.body).toMatchObject({ role: 'api', workers: 2 });
  });

  it('runs each of ten jobs queued at once exactly once', async () => {
    const mine = await listen(api1(), owner.token);
    const ids: string[] = [];
    const created = await Promise.all(Array.from({ length: 10 }, (_, i) => call(i % 2 ? api1() : api2(), 'POST', '/api/training', owner.token, sentimentConfig(datasetId, { epochs: 2, seed: i }))));
    for (const c of created) {
      expect(c.status).toBe(201);
      ids.push(c.body.id);
    }
    for (const id of ids) await waitForJobState(api1(), owner.token, id, ['completed']);
    const rows = await db.pool.query<{ id: string; worker_id: string }>(`SELECT id, worker_id FROM training_jobs WHERE id = ANY($1::uuid[])`, [ids]);
    for (const id of ids) {
      // Claimed once (one `running`), and each epoch checkpointed once.
      expect(of(mine, 'training:status', id).filter((r) => r.payload.status === 'running')).toHaveLength(1);
      expect(of(mine, 'training:checkpoint', id).map((r) => r.payload.epoch)).toEqual([1, 2]);
    }
    expect(rows.rows.every((r) => typeof r.worker_id === 'string')).toBe(true);
  });

  it('continues a training job from its checkpoint on the other worker when the one running it is killed, no epoch run twice', async () => {
    const mine = await listen(api1(), owner.token);
    const bigger = await upload(api1(), owner.token, 400, 8);
    const epochs = 10;
    const created = await call(api2(), 'POST', '/api/training', owner.token, sentimentConfig(bigger, { epochs, batchSize: 8, earlyStopping: null }));
    const id = created.body.id as string;
    await waitFor(async () => of(mine, 'training:checkpoint', id).some((r) => r.payload.epoch >= 2), 'two checkpoints', 120_000);
    const victim = await workerOf('training_jobs', id);
    const before = (await db.pool.query<{ worker_id: string }>('SELECT worker_id FROM training_jobs WHERE id = $1', [id])).rows[0]!.worker_id;
    await killAndReplace(victim);

    const done = await waitForJobState(api2(), owner.token, id, ['completed']);
    const after = (await db.pool.query<{ worker_id: string }>('SELECT worker_id FROM training_jobs WHERE id = $1', [id])).rows[0]!.worker_id;
    expect(after).not.toBe(before);
    const all = Array.from({ length: epochs }, (_, i) => i + 1);
    expect(done.checkpoints.map((c: any) => c.epoch)).toEqual(all);
    expect(done.metrics.history.map((h: any) => h.epoch)).toEqual(all);
    // An epoch run twice would have sent its checkpoint twice.
    const sent = of(mine, 'training:checkpoint', id).map((r) => r.payload.epoch);
    expect(new Set(sent).size).toBe(sent.length);
    expect(of(mine, 'training:status', id).filter((r) => r.payload.status === 'running')).toHaveLength(2);
  });

  it('drops the writes of a worker stalled past its lease (SIGSTOP): the other one continues the job, and the stale one exits when it wakes', async () => {
    const mine = await listen(api1(), owner.token);
    const data = await upload(api1(), owner.token, 400, 9);
    const epochs = 10;
    const created = await call(api2(), 'POST', '/api/training', owner.token, sentimentConfig(data, { epochs, batchSize: 8, earlyStopping: null }));
    const id = created.body.id as string;
    await waitFor(async () => of(mine, 'training:checkpoint', id).some((r) => r.payload.epoch >= 2), 'two checkpoints', 120_000);
    const stalled = await workerOf('training_jobs', id);
    const ownerId = async () => (await db.pool.query<{ worker_id: string | null }>('SELECT worker_id FROM training_jobs WHERE id = $1', [id])).rows[0]!.worker_id;
    const before = await ownerId();
    stalled.child.kill('SIGSTOP');
    try {
      // Its lease runs out; the other worker claims the job and trains on from the checkpoint.
      await waitFor(async () => ![before, null].includes(await ownerId()), 'another worker to claim the job', 60_000);
      const at = (await job(api2(), owner.token, id)).metrics.history.length as number;
      await waitFor(async () => (await job(api2(), owner.token, id)).metrics.history.length > at, 'an epoch on the other worker', 60_000);
    } finally {
      stalled.child.kill('SIGCONT');
    }
    // Awake, it learns it was found dead and exits; what its training thread reported meanwhile lands nowhere.
    expect(await stalled.exited).toBe(1);
    expect(stalled.output()).toMatch(/found dead by another/);
    const fresh = startWorker(`${stalled.name}+`);
    workers.splice(workers.indexOf(stalled), 1, fresh);
    await waitForOutput(fresh, /worker is running/);
    const done = await waitForJobState(api2(), owner.token, id, ['completed']);
    const all = Array.from({ length: epochs }, (_, i) => i + 1);
    expect(done.metrics.history.map((h: any) => h.epoch)).toEqual(all);
    expect(done.checkpoints.map((c: any) => c.epoch)).toEqual(all);
    expect(await ownerId()).not.toBe(before);
  });

  it('resumes a download with Range on the other worker when the one fetching it is killed, and its sha256 passes', async () => {
    const want = fx.repo(BIG).files.find((f) => f.path === 'weights.bin')!;
    const part = path.join(repoFolder(env.MODELS_DIR!, BIG, 'main'), 'weights.bin.part');
    fx.mirror.faults.throttleBytesPerSec = 250_000;
    const started = await call(api1(), 'POST', '/api/sources/download', owner.token, { repoId: BIG });
    expect(started.status).toBe(202);
    const id = started.body.id as string;
    await waitFor(async () => ((await fs.stat(part).catch(() => null))?.size ?? 0) > 400_000, 'a .part file with bytes', 60_000);
    const victim = await workerOf('download_queue', id);
    const kept = (await fs.stat(part)).size;
    await killAndReplace(victim);
    fx.mirror.resetFaults();

    const rec = await waitFor(async () => {
      const r = await call(api2(), 'GET', `/api/sources/download/${id}`, owner.token);
      return ['completed', 'failed', 'cancelled'].includes(r.body.status) ? r.body : null;
    }, 'the download to finish', 90_000);
    expect(rec.status).toBe('completed');
    expect(await sha256File(part.slice(0, -'.part'.length))).toBe(want.sha256);
    const ranged = fx.mirror.stats.requests.filter((q) => q.host === 'file' && q.url.endsWith('weights.bin') && q.range);
    const from = Math.max(...ranged.map((q) => Number(/bytes=(\d+)-/.exec(q.range ?? '')?.[1] ?? 0)));
    expect(from).toBeGreaterThanOrEqual(kept);
  });

  it('hands a training job to the other worker when the one running it stops with SIGTERM, continued from its checkpoint', async () => {
    const mine = await listen(api1(), owner.token);
    const epochs = 8;
    const id = (await call(api2(), 'POST', '/api/training', owner.token, sentimentConfig(datasetId, { epochs, batchSize: 8, earlyStopping: null }))).body.id as string;
    await waitFor(async () => of(mine, 'training:checkpoint', id).length >= 1, 'a checkpoint', 120_000);
    const leaving = await workerOf('training_jobs', id);
    // A clean stop: the job pauses at its next batch with a checkpoint and goes back to the queue.
    expect(await leaving.stop()).toBe(0);
    const fresh = startWorker(`${leaving.name}+`);
    workers.splice(workers.indexOf(leaving), 1, fresh);
    const done = await waitForJobState(api2(), owner.token, id, ['completed']);
    expect(done.checkpoints.map((c: any) => c.epoch)).toEqual(Array.from({ length: epochs }, (_, i) => i + 1));
    const sent = of(mine, 'training:checkpoint', id).map((r) => r.payload.epoch);
    expect(new Set(sent).size).toBe(sent.length);
    const statuses = of(mine, 'training:status', id).map((r) => r.payload.status);
    expect(statuses).toContain('queued');
    expect(statuses).not.toContain('paused');
    await waitForOutput(fresh, /worker is running/);
  });

  it('stops jobs running on either worker with pause and cancel sent to API 2', async () => {
    const long = { epochs: 300, batchSize: 8, earlyStopping: null };
    const a = (await call(api1(), 'POST', '/api/training', owner.token, sentimentConfig(datasetId, long))).body.id as string;
    const b = (await call(api1(), 'POST', '/api/training', owner.token, sentimentConfig(datasetId, long))).body.id as string;
    // One training job per worker at a time: both running means one on each.
    await waitForJobState(api1(), owner.token, a, ['running'], (j) => j.checkpoints.length >= 1);
    await waitForJobState(api1(), owner.token, b, ['running'], (j) => j.checkpoints.length >= 1);
    const [wa, wb] = [await workerOf('training_jobs', a), await workerOf('training_jobs', b)];
    expect(wa).not.toBe(wb);

    expect((await call(api2(), 'POST', `/api/training/${a}/pause`, owner.token)).status).toBe(200);
    const cancelled = await call(api2(), 'DELETE', `/api/training/${b}`, owner.token);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', modelId: null });
    const paused = await waitForJobState(api2(), owner.token, a, ['paused']);
    expect(paused.epochsCompleted).toBe(paused.checkpoints.at(-1).epoch);
    // The workers let go: each is free for the next job, which the queue hands them.
    const next = (await call(api2(), 'POST', '/api/training', owner.token, sentimentConfig(datasetId, { epochs: 1 }))).body.id as string;
    await waitForJobState(api1(), owner.token, next, ['completed']);
    expect((await job(api1(), owner.token, b)).status).toBe('cancelled');

    expect((await call(api2(), 'POST', `/api/training/${a}/resume`, owner.token)).status).toBe(200);
    await waitForJobState(api1(), owner.token, a, ['running'], (j) => j.checkpoints.at(-1).epoch > paused.checkpoints.at(-1).epoch);
    expect((await call(api2(), 'DELETE', `/api/training/${a}`, owner.token)).body.status).toBe('cancelled');
  });

  it('cancels a download running on a worker from API 2, and that worker removes its partial files', async () => {
    fx.mirror.faults.throttleBytesPerSec = 100_000;
    const started = await call(api1(), 'POST', '/api/sources/download', owner.token, { repoId: CANCELLED });
    const id = started.body.id as string;
    const dir = repoFolder(env.MODELS_DIR!, CANCELLED, 'main');
    await waitFor(async () => (await db.pool.query(`SELECT 1 FROM download_queue WHERE id = $1 AND status = 'running' AND worker_id IS NOT NULL`, [id])).rowCount === 1, 'the download to run');
    await waitFor(async () => (await fs.stat(path.join(dir, 'weights.bin.part')).catch(() => null)) !== null, 'its .part file');
    expect((await call(api2(), 'DELETE', `/api/sources/download/${id}`, owner.token)).body.status).toBe('cancelled');
    // A first install that was cancelled leaves nothing: no partial file, no folder.
    await waitFor(async () => (await fs.stat(dir).catch(() => null)) === null, 'the folder to go', 30_000);
    expect((await db.pool.query(`SELECT 1 FROM models WHERE repo_id = $1`, [CANCELLED])).rowCount).toBe(0);
    fx.mirror.resetFaults();
  });

  it('applies a rate limit counted through API 1 on API 2', async () => {
    const bad = { email: 'nobody@example.com', password: 'not-the-password' };
    let status = 0;
    for (let i = 0; i <= AUTH_LIMIT && status !== 429; i++) status = (await call(api1(), 'POST', '/api/auth/login', undefined, bad)).status;
    expect(status).toBe(429);
    const onApi2 = await call(api2(), 'POST', '/api/auth/login', undefined, bad);
    expect(onApi2.status).toBe(429);
    expect(onApi2.body.error.code).toBe('RATE_LIMITED');
  });
});

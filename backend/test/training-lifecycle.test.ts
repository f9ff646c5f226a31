import fs from 'node:fs/promises';
import path from 'node:path';
import type { ServerEventName } from '@sokhan/common';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, startTestServer } from './helpers.js';
import { persianSentiment, sentimentConfig, toCsv, uploadCsv, waitForJob } from './training-fixtures.js';

type Server = Awaited<ReturnType<typeof startTestServer>>;
let s: Server;
const sockets: Socket[] = [];
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  for (const c of sockets) c.close();
  await s.close();
});

/** A long job (many small batches, many epochs) so pause, resume and cancel land while it trains. */
const LONG = { epochs: 300, batchSize: 8, earlyStopping: null };

interface Received {
  event: ServerEventName;
  payload: any;
  at: number;
}

async function listen(token: string): Promise<Received[]> {
  const c = connect(s.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
  sockets.push(c);
  await new Promise<void>((resolve, reject) => {
    c.once('connect', () => resolve());
    c.once('connect_error', reject);
  });
  const got: Received[] = [];
  c.onAny((event: ServerEventName, payload: unknown) => got.push({ event, payload, at: Date.now() }));
  return got;
}

async function until<T>(fn: () => T | undefined, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('pause, resume, cancel and live events', () => {
  it('sends the owner progress, checkpoints and status (nobody else); pause and resume continue the epochs; cancel keeps checkpoints', async () => {
    const owner = await registerUser(s.app);
    const other = await registerUser(s.app);
    const mine = await listen(owner.token);
    const theirs = await listen(other.token);
    const datasetId = await uploadCsv(s.app, owner.token, toCsv(persianSentiment(400, 21)));
    const created = await request(s.app).post('/api/training').set(bearer(owner.token)).send(sentimentConfig(datasetId, LONG));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    const of = (event: ServerEventName) => mine.filter((r) => r.event === event && r.payload.jobId === id);

    // Pause once a couple of epochs are done: the worker stops after its current batch and checkpoints.
    await until(() => of('training:checkpoint').find((r) => r.payload.epoch >= 2));
    const pausing = await request(s.app).post(`/api/training/${id}/pause`).set(bearer(owner.token));
    expect(pausing.status).toBe(200);
    expect(['pausing', 'paused']).toContain(pausing.body.status);
    const paused = await waitForJob(s.app, owner.token, id, ['paused']);
    const lastEpoch = paused.checkpoints.at(-1).epoch as number;
    expect(paused.epochsCompleted).toBe(lastEpoch);
    expect(paused.metrics.history.map((h: any) => h.epoch)).toEqual(Array.from({ length: lastEpoch }, (_, i) => i + 1));
    expect(paused.checkpoints.filter((c: any) => c.best)).toHaveLength(1);
    const dir = path.join(s.config.paths.checkpoints, id, `epoch-${lastEpoch}`);
    expect((await fs.readdir(dir)).sort()).toEqual(['checkpoint.json', 'features.json', 'model.json', 'sparse-optimizer.bin', 'sparse-optimizer.json', 'weights.bin']);
    // Nothing moves while paused.
    await new Promise((r) => setTimeout(r, 300));
    expect((await request(s.app).get(`/api/training/${id}`).set(bearer(owner.token))).body.checkpoints).toHaveLength(paused.checkpoints.length);

    const resumed = await request(s.app).post(`/api/training/${id}/resume`).set(bearer(owner.token));
    expect(['queued', 'running']).toContain(resumed.body.status);
    const next = await until(() => of('training:checkpoint').find((r) => r.payload.epoch === lastEpoch + 1));
    expect(next.payload.step).toBeGreaterThan(paused.checkpoints.at(-1).step);
    const after = (await request(s.app).get(`/api/training/${id}`).set(bearer(owner.token))).body;
    const history = after.metrics.history;
    expect(history.slice(0, lastEpoch + 1).map((h: any) => h.epoch)).toEqual(Array.from({ length: lastEpoch + 1 }, (_, i) => i + 1));
    // Continued, not restarted: the first resumed epoch's loss is far below the first epoch's.
    expect(history[lastEpoch].loss).toBeLessThan(history[0].loss * 0.8);

    const cancelled = await request(s.app).delete(`/api/training/${id}`).set(bearer(owner.token));
    expect(cancelled.status).toBe(200);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', modelId: null });
    expect(cancelled.body.checkpoints.length).toBeGreaterThanOrEqual(lastEpoch + 1);
    expect(await fs.readdir(path.join(s.config.paths.checkpoints, id))).toContain(`epoch-${lastEpoch + 1}`);
    expect((await request(s.app).delete(`/api/training/${id}`).set(bearer(owner.token))).body.status).toBe('cancelled');
    expect((await request(s.app).post(`/api/training/${id}/resume`).set(bearer(owner.token))).status).toBe(409);
    await new Promise((r) => setTimeout(r, 200));

    const statuses = of('training:status').map((r) => r.payload.status);
    expect(statuses).toEqual(expect.arrayContaining(['queued', 'running', 'pausing', 'paused', 'cancelled']));
    expect(statuses.indexOf('pausing')).toBeLessThan(statuses.indexOf('paused'));
    const progress = of('training:progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress[0]!.payload).toMatchObject({ jobId: id, epochs: 300, batches: 38 });
    for (const k of ['epoch', 'batch', 'progress', 'samplesPerSecond', 'etaSeconds', 'loss', 'accuracy', 'valLoss', 'valAccuracy', 'phase']) {
      expect(progress[0]!.payload, k).toHaveProperty(k);
    }
    expect(progress.filter((p) => p.payload.phase === 'epoch').at(-1)!.payload.valAccuracy).toBeGreaterThan(0.5);
    // Batch progress is throttled: never more than 4 a second (with slack for delivery jitter).
    const batchEvents = progress.filter((p) => p.payload.phase === 'batch');
    const span = (batchEvents.at(-1)!.at - batchEvents[0]!.at) / 1000;
    expect(batchEvents.length).toBeLessThanOrEqual(Math.ceil(span * 4) + 4);
    expect(of('training:checkpoint').length).toBeGreaterThanOrEqual(lastEpoch + 1);
    expect(theirs).toEqual([]);
  });

  it('runs TRAINING_CONCURRENCY jobs at once; the rest wait queued and can be paused or cancelled there', async () => {
    const u = await registerUser(s.app);
    const datasetId = await uploadCsv(s.app, u.token, toCsv(persianSentiment(200, 4)));
    const a = (await request(s.app).post('/api/training').set(bearer(u.token)).send(sentimentConfig(datasetId, LONG))).body;
    const b = (await request(s.app).post('/api/training').set(bearer(u.token)).send(sentimentConfig(datasetId, LONG))).body;
    await waitForJob(s.app, u.token, a.id, ['running']);
    expect((await request(s.app).get(`/api/training/${b.id}`).set(bearer(u.token))).body.status).toBe('queued');
    const pausedB = await request(s.app).post(`/api/training/${b.id}/pause`).set(bearer(u.token));
    expect(pausedB.body).toMatchObject({ status: 'paused', checkpoints: [] });
    expect((await request(s.app).delete(`/api/training/${b.id}`).set(bearer(u.token))).body.status).toBe('cancelled');
    expect((await request(s.app).delete(`/api/training/${a.id}`).set(bearer(u.token))).body.status).toBe('cancelled');
    const list = await request(s.app).get('/api/training?status=cancelled,failed').set(bearer(u.token));
    expect(list.body.items.map((j: any) => j.id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe('restart', () => {
  it('a job that was running comes back paused at its last checkpoint and resumes from it', async () => {
    const first = await buildTestApp();
    const u = await registerUser(first.app);
    const datasetId = await uploadCsv(first.app, u.token, toCsv(persianSentiment(400, 33)));
    const id = (await request(first.app).post('/api/training').set(bearer(u.token)).send(sentimentConfig(datasetId, LONG))).body.id as string;
    await waitForJob(first.app, u.token, id, ['running'], { until: (j) => j.checkpoints.length >= 1 });

    // A clean shutdown pauses the job at a checkpoint of its own.
    await first.services.stop();
    const atStop = await waitForJob(first.app, u.token, id, ['paused']);
    const last = atStop.checkpoints.at(-1);
    // Now as if the process had died mid-epoch: the row still says running, a checkpoint write was cut short.
    await first.pool.query(`UPDATE training_jobs SET status = 'running' WHERE id = $1`, [id]);
    const torn = path.join(first.config.paths.checkpoints, id, `.tmp-epoch-${last.epoch + 1}-dead`);
    await fs.mkdir(torn);

    const second = await buildTestApp({}, { pool: first.pool, config: first.config });
    try {
      const back = (await request(second.app).get(`/api/training/${id}`).set(bearer(u.token))).body;
      expect(back.status).toBe('paused');
      expect(back.checkpoints.at(-1).epoch).toBe(last.epoch);
      await expect(fs.stat(torn)).rejects.toThrow();
      await request(second.app).post(`/api/training/${id}/resume`).set(bearer(u.token)).expect(200);
      const moved = await waitForJob(second.app, u.token, id, ['running'], { until: (j) => j.checkpoints.at(-1).epoch > last.epoch });
      expect(moved.checkpoints.map((c: any) => c.epoch)).toEqual(Array.from({ length: moved.checkpoints.length }, (_, i) => i + 1));
      expect(moved.metrics.history.at(-1).loss).toBeLessThan(moved.metrics.history[0].loss);
      expect((await request(second.app).delete(`/api/training/${id}`).set(bearer(u.token))).body.status).toBe('cancelled');
    } finally {
      await second.services.stop();
      await first.close();
    }
  });
});

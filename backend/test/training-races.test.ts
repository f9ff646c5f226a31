import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { ServerEventName, TrainingConfigInput } from '@sokhan/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DatasetsService } from '../src/modules/datasets/datasets.service.js';
import { spawnWorker } from '../src/modules/training/training.runner.js';
import { TrainingService } from '../src/modules/training/training.service.js';
import { JobQueue } from '../src/platform/queue/job-queue.js';
import { QueueRepository } from '../src/platform/queue/queue.repository.js';
import { CONTROL, type WorkerInput } from '../src/modules/training/worker-protocol.js';
import type { Notifier } from '../src/platform/realtime/realtime.js';
import { buildTestApp, registerUser, testLogger, type TestApp } from './helpers.js';
import { persianSentiment, sentimentConfig as fixtureConfig, toCsv, uploadCsv } from './training-fixtures.js';

// Each test drives a TrainingService of its own on the test database, holding it at the step the race is about.
// The app's own training service never runs jobs here: its routes are not used and its queue is not started.

let t: TestApp;
let userId: string;
let token: string;
let datasetId: string;
const services: { svc: TrainingService; queue: JobQueue }[] = [];

beforeAll(async () => {
  t = await buildTestApp({}, { start: false });
  ({ token, user: { id: userId } } = await registerUser(t.app));
  datasetId = await uploadCsv(t.app, token, toCsv(persianSentiment(200, 7)));
});
afterAll(async () => {
  for (const { svc } of services) await stop(svc);
  await t.close();
});

// The fixture's config is for JSON bodies; the service takes it typed.
const sentimentConfig = (id: string, over: Record<string, unknown> = {}) => fixtureConfig(id, over) as TrainingConfigInput;

/** A long job, so it is still training whenever a test looks. */
const LONG = { epochs: 300, batchSize: 8, earlyStopping: null };

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until<T>(fn: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Spawned {
  input: WorkerInput;
  exited: Promise<void>;
}

/** Real workers, recorded with the control flag the runner gave them. */
function recordingSpawn(into: Spawned[]): (input: WorkerInput) => Worker {
  return (input) => {
    const worker = spawnWorker(input);
    into.push({ input, exited: new Promise<void>((r) => worker.once('exit', () => r())) });
    return worker;
  };
}

/** The real datasets service, except that forTraining can be held once while armed (the queue's claim calls it). */
function holdableDatasets() {
  const gate = deferred();
  const entered = deferred();
  let armed = false;
  const datasets = {
    forTraining: async (user: string, id: string) => {
      if (armed) {
        armed = false;
        entered.resolve();
        await gate.promise;
      }
      return t.services.datasets.forTraining(user, id);
    },
  } as unknown as DatasetsService;
  return { datasets, arm: () => (armed = true), entered: entered.promise, release: gate.resolve };
}

function service(opts: { datasets?: DatasetsService; spawn?: (input: WorkerInput) => Worker; onEvent?: (event: ServerEventName, payload: any) => void } = {}) {
  const notifier: Notifier = { notifyUser: (_user, event, payload) => opts.onEvent?.(event, payload), connectedCount: () => 0 };
  const queue = new JobQueue({
    pool: t.pool,
    logger: testLogger,
    lease: { instanceId: randomUUID(), leaseMs: t.config.WORKER_LEASE_MS },
    role: 'all',
    heartbeatMs: t.config.WORKER_HEARTBEAT_MS,
    onLeaseLost: () => undefined,
  });
  const svc = new TrainingService({
    pool: t.pool,
    datasets: opts.datasets ?? t.services.datasets,
    notifier,
    logger: testLogger,
    paths: { models: t.config.paths.models, checkpoints: t.config.paths.checkpoints },
    concurrency: 1,
    tfPreference: 'cpu',
    queue,
    spawnWorker: opts.spawn,
  });
  services.push({ svc, queue });
  return svc;
}

const queueOf = (svc: TrainingService) => services.find((s) => s.svc === svc)!.queue;

/** Starts the job and the service's queue, which hands it the job (queued since it was created). */
async function start(svc: TrainingService, jobId: string) {
  await svc.startTraining(jobId, userId);
  await queueOf(svc).start();
}

async function stop(svc: TrainingService) {
  const queue = queueOf(svc);
  const drained = queue.drain();
  await svc.stop();
  await drained;
  await queue.stop();
}

const statusOf = async (svc: TrainingService, id: string) => (await svc.getTrainingStatus(id)).status;

describe('training jobs between being claimed and having a worker', () => {
  it('starting a job the queue already picked up answers with the job, not 409; cancel then stops its worker', async () => {
    const hold = holdableDatasets();
    const spawned: Spawned[] = [];
    const svc = service({ datasets: hold.datasets, spawn: recordingSpawn(spawned) });
    const job = await svc.createTrainingJob(userId, null, sentimentConfig(datasetId, LONG));
    hold.arm();
    await start(svc, job.id);
    await hold.entered; // claimed: the row says running, its worker does not exist yet
    const again = await svc.startTraining(job.id, userId);
    expect(again.status).toBe('running');

    hold.release();
    const cancelled = await svc.cancelTraining(job.id, userId);
    expect(cancelled).toMatchObject({ status: 'cancelled', modelId: null });
    expect(spawned).toHaveLength(1);
    await spawned[0]!.exited;
    await expect(fs.stat(svc.modelDir(job.modelId!))).rejects.toThrow();
    expect((await t.pool.query('SELECT 1 FROM models WHERE id = $1', [job.modelId])).rowCount).toBe(0);
    await stop(svc);
  });

  it('a pause that lands while the queue is starting the job reaches the worker it launches', async () => {
    const hold = holdableDatasets();
    const spawned: Spawned[] = [];
    // The pause marks the row pausing and looks for a worker right after this event; only then may the claim go on.
    const svc = service({
      datasets: hold.datasets,
      spawn: recordingSpawn(spawned),
      onEvent: (event, payload) => {
        if (event === 'training:status' && payload.status === 'pausing') hold.release();
      },
    });
    const job = await svc.createTrainingJob(userId, null, sentimentConfig(datasetId, LONG));
    hold.arm();
    await start(svc, job.id);
    await hold.entered;

    await svc.pauseTraining(job.id, userId);
    // Answered only once the worker launched for the job holds the stop request (not: row paused, worker training).
    expect(spawned).toHaveLength(1);
    expect(Atomics.load(new Int32Array(spawned[0]!.input.control), 0)).toBe(CONTROL.pause);
    await spawned[0]!.exited;
    await until(async () => ((await statusOf(svc, job.id)) === 'paused' ? true : undefined));
    expect(spawned).toHaveLength(1);
    await svc.cancelTraining(job.id, userId);
    await stop(svc);
  });

  it('a worker thread that cannot start fails its job with a clear error (no unhandled rejection, no job left running)', async () => {
    const errors: any[] = [];
    const svc = service({
      spawn: () => {
        throw new Error('no threads left');
      },
      onEvent: (event, payload) => event === 'training:error' && errors.push(payload),
    });
    const job = await svc.createTrainingJob(userId, null, sentimentConfig(datasetId, { epochs: 1 }));
    await start(svc, job.id);
    const failed = await until(async () => {
      const j = await svc.getTrainingStatus(job.id);
      return j.status === 'failed' ? j : undefined;
    });
    expect(failed.error).toEqual({ code: 'TRAINING_FAILED', message: 'the training worker thread could not be started' });
    expect(failed.model?.status).toBe('failed');
    expect(errors).toEqual([{ jobId: job.id, code: 'TRAINING_FAILED', message: 'the training worker thread could not be started' }]);
    await stop(svc);
  });
});

describe('creating a job', () => {
  it('answers 404 when the dataset is deleted after it was checked, and leaves no model row behind', async () => {
    const doomed = await uploadCsv(t.app, token, toCsv(persianSentiment(60, 9)));
    const datasets = {
      forTraining: async (user: string, id: string) => {
        const found = await t.services.datasets.forTraining(user, id);
        await t.services.datasets.delete(user, id);
        return found;
      },
    } as unknown as DatasetsService;
    const svc = service({ datasets });
    await expect(svc.createTrainingJob(userId, null, sentimentConfig(doomed))).rejects.toMatchObject({ status: 404, code: 'NOT_FOUND' });
    const left = await t.pool.query(`SELECT 1 FROM models WHERE source = 'trained' AND metadata->>'datasetId' = $1`, [doomed]);
    expect(left.rowCount).toBe(0);
    await stop(svc);
  });
});

describe('a worker whose job another worker has taken over (it stalled past its lease)', () => {
  it('writes nothing more of its run and stops it; the job stays the other worker’s', async () => {
    const spawned: Spawned[] = [];
    const svc = service({ spawn: recordingSpawn(spawned) });
    const job = await svc.createTrainingJob(userId, null, sentimentConfig(datasetId, LONG));
    await start(svc, job.id);
    for (;;) {
      if ((await svc.getTrainingStatus(job.id, userId)).checkpoints.length > 0) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    // Another worker, alive, claims the job (as the queue lets it once this one's lease has run out).
    const other = randomUUID();
    await new QueueRepository(t.pool).registerInstance({ id: other, role: 'worker', host: 'elsewhere', pid: 1 });
    await t.pool.query('UPDATE training_jobs SET worker_id = $2 WHERE id = $1', [job.id, other]);
    const before = await svc.getTrainingStatus(job.id, userId);
    // The thread's next report finds the job another's: the thread is stopped (300 epochs would take minutes).
    await spawned[0]!.exited;
    const after = await svc.getTrainingStatus(job.id, userId);
    expect(after.status).toBe('running');
    expect(after.metrics.history).toEqual(before.metrics.history);
    expect(after.metrics.current).toEqual(before.metrics.current);
    expect(after.checkpoints).toEqual(before.checkpoints);
    expect((await t.pool.query('SELECT worker_id FROM training_jobs WHERE id = $1', [job.id])).rows[0].worker_id).toBe(other);
    await stop(svc);
    await t.pool.query(`UPDATE training_jobs SET status = 'cancelled' WHERE id = $1`, [job.id]);
    await t.pool.query('DELETE FROM worker_instances WHERE id = $1', [other]);
  });
});

import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { trainingConfigSchema, type TrainingConfigInput } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { persianSentiment, toCsv } from '../../../test/training-fixtures.js';
import { MODEL_JSON, WEIGHTS_BIN } from './model-io.js';
import { initTfBackend } from './tf-backend.js';
import { FEATURES_JSON, LABELS_JSON, runTraining, SPARSE_STATE_BIN, SPARSE_STATE_JSON, type TrainerEvent, type TrainJob } from './trainer.js';
import { planDataset } from './training-data.js';

let root: string;
let csv: string;
beforeAll(async () => {
  await initTfBackend('auto');
  root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-trainer-'));
  csv = path.join(root, 'reviews.csv');
  await fs.writeFile(csv, toCsv(persianSentiment(240, 3)));
});
afterAll(() => fs.rm(root, { recursive: true, force: true }));

let runs = 0;
function job(over: Partial<TrainingConfigInput> = {}, extra: Partial<TrainJob> = {}): TrainJob {
  runs += 1;
  const config = trainingConfigSchema.parse({
    datasetId: '00000000-0000-4000-8000-000000000000',
    task: 'text-classification',
    textColumn: 'text',
    labelColumn: 'label',
    layers: [{ type: 'dense', units: 16, activation: 'relu' }, { type: 'dropout', rate: 0.1 }],
    epochs: 3,
    batchSize: 16,
    learningRate: 0.01,
    seed: 11,
    textFeatures: { buckets: 512 },
    validationSplit: 0.2,
    earlyStopping: null,
    ...over,
  });
  return {
    jobId: `job-${runs}`,
    config,
    dataset: { filePath: csv, format: 'csv' },
    checkpointsDir: path.join(root, `ck-${runs}`),
    modelDir: path.join(root, `model-${runs}`),
    resume: null,
    baseModelDir: null,
    history: [],
    maxFeatureBytes: 256 * 2 ** 20,
    backend: 'wasm',
    ...extra,
  };
}

const never = { requested: () => null };

describe('runTraining', () => {
  it('trains, checkpoints every epoch, saves a loadable model and leaves no tensors behind', async () => {
    const baseline = tf.memory().numTensors;
    const events: TrainerEvent[] = [];
    const j = job();
    expect(await runTraining(j, never, (e) => events.push(e))).toBe('completed');
    const epochs = events.filter((e) => e.type === 'progress' && e.phase === 'epoch');
    expect(epochs).toHaveLength(3);
    const checkpoints = events.filter((e) => e.type === 'checkpoint');
    expect(checkpoints.map((c) => c.type === 'checkpoint' && c.epoch)).toEqual([1, 2, 3]);
    expect((await fs.readdir(path.join(j.checkpointsDir, 'epoch-2'))).sort()).toEqual(['checkpoint.json', FEATURES_JSON, MODEL_JSON, WEIGHTS_BIN]);
    const done = events.at(-1)!;
    expect(done.type).toBe('completed');
    if (done.type !== 'completed') return;
    expect(done.metrics.valAccuracy).toBeGreaterThan(0.7);
    // Without early stopping the last epoch is kept, and the stored evaluation is of that model on the held-out rows.
    expect(done.metrics.bestEpoch).toBe(3);
    expect(done.evaluation?.split).toBe('validation');
    expect(done.evaluation?.report.rows).toBe(48 - 1);
    expect(done.evaluation?.report.accuracy).toBeCloseTo(done.metrics.valAccuracy!, 5);
    expect(done.labels).toEqual(['مثبت', 'منفی']);
    expect(done.files.map((f) => f.name)).toEqual([FEATURES_JSON, LABELS_JSON, MODEL_JSON, WEIGHTS_BIN]);
    expect(tf.memory().numTensors).toBe(baseline);

    // Several more runs (fresh, resumed, fine-tuned) and the count is still where it started.
    for (let i = 0; i < 2; i++) await runTraining(job({ optimizer: i ? 'sgd' : 'rmsprop' }), never, () => undefined);
    await runTraining(job({ epochs: 4 }, { resume: { dir: path.join(j.checkpointsDir, 'epoch-2'), epoch: 2, step: 24 } }), never, () => undefined);
    await runTraining(job({ epochs: 1 }, { baseModelDir: j.modelDir }), never, () => undefined);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('pauses after the current batch with a partial checkpoint, and resumes at the next epoch with the optimizer state', async () => {
    const first = job({ epochs: 4 });
    // 193 training rows in batches of 16: 13 batches an epoch; the control is asked once before fit, then after every batch.
    let asked = 0;
    const events: TrainerEvent[] = [];
    const pauseInEpoch2 = { requested: () => (++asked >= 13 + 4 ? ('pause' as const) : null) };
    const outcome = await runTraining(first, pauseInEpoch2, (e) => events.push(e));
    expect(outcome).toBe('paused');
    const cps = events.flatMap((e) => (e.type === 'checkpoint' ? [e] : []));
    expect(cps.map((c) => [c.epoch, c.metrics.partial])).toEqual([
      [1, false],
      [2, true],
    ]);
    const paused = cps[1]!;
    const resumed: TrainerEvent[] = [];
    const again = job({ epochs: 4 }, { jobId: first.jobId, checkpointsDir: first.checkpointsDir, modelDir: first.modelDir, resume: { dir: paused.dir, epoch: 2, step: paused.step }, history: cps.map((c) => c.metrics) });
    expect(await runTraining(again, never, (e) => resumed.push(e))).toBe('completed');
    const epochs = resumed.flatMap((e) => (e.type === 'checkpoint' ? [e] : []));
    expect(epochs.map((c) => c.epoch)).toEqual([3, 4]);
    expect(paused.step).toBe(16);
    const started = events.find((e) => e.type === 'started');
    const perEpoch = started?.type === 'started' ? Math.ceil(started.samples.train / 16) : 0;
    expect(epochs[0]!.step).toBe(16 + perEpoch);
    // Adam's moments came back: the loss keeps falling from where it was instead of jumping back up.
    expect(epochs[0]!.metrics.loss!).toBeLessThan(cps[0]!.metrics.loss!);
    const model = JSON.parse(await fs.readFile(path.join(paused.dir, MODEL_JSON), 'utf8'));
    expect(model.weightsManifest[0].weights.some((w: any) => w.group === 'optimizer')).toBe(true);
  });

  it('cancels without a checkpoint for the cut epoch, and stops early when the monitor stalls', async () => {
    let n = 0;
    const c = job({ epochs: 5 });
    expect(await runTraining(c, { requested: () => (++n > 20 ? 'cancel' : null) }, () => undefined)).toBe('cancelled');
    expect(await fs.readdir(c.checkpointsDir)).toEqual(['epoch-1']);
    await expect(fs.stat(c.modelDir)).rejects.toThrow();

    const events: TrainerEvent[] = [];
    const e = job({ epochs: 30, learningRate: 0.05, earlyStopping: { monitor: 'loss', patience: 1, minDelta: 10 } });
    expect(await runTraining(e, never, (ev) => events.push(ev))).toBe('completed');
    const done = events.at(-1)!;
    expect(done.type === 'completed' && done.stoppedEarly).toBe(true);
    expect(done.type === 'completed' && done.metrics.epochs).toBe(2);
  });

  it('trains the sparse model, keeps the best epoch by validation loss, and predicts the same after reload', async () => {
    const baseline = tf.memory().numTensors;
    const events: TrainerEvent[] = [];
    // A high learning rate overfits at once: validation loss turns up within a few epochs.
    const j = job({ input: 'sparse', layers: [], epochs: 12, learningRate: 0.5, classWeight: 'balanced', earlyStopping: { monitor: 'val_loss', patience: 2 } });
    expect(await runTraining(j, never, (e) => events.push(e))).toBe('completed');
    const done = events.at(-1)!;
    if (done.type !== 'completed') throw new Error('not completed');
    const history = events.flatMap((e) => (e.type === 'checkpoint' ? [e.metrics] : []));
    const best = history.reduce((a, b) => (b.valLoss! < a.valLoss! ? b : a));
    expect(done.metrics.bestEpoch).toBe(best.epoch);
    expect(done.metrics.valLoss).toBe(best.valLoss);
    expect(done.evaluation?.report.accuracy).toBeCloseTo(best.valAccuracy!, 5);
    const model = JSON.parse(await fs.readFile(path.join(j.modelDir, MODEL_JSON), 'utf8'));
    expect(model.userDefinedMetadata).toEqual({ sokhan: { input: 'sparse', pooling: 'tfidf' } });
    expect(JSON.stringify(model.modelTopology)).toContain('sparse_embedding');
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('resumes the sparse model from a checkpoint with its table optimizer: the same weights as a run never stopped', async () => {
    const settings = { input: 'sparse' as const, layers: [{ type: 'dense' as const, units: 8, activation: 'relu' as const }], epochs: 3, learningRate: 0.05, l2: 1e-4 };
    const whole = job(settings);
    const checkpoints: TrainerEvent[] = [];
    expect(await runTraining(whole, never, (e) => e.type === 'checkpoint' && checkpoints.push(e))).toBe('completed');
    const first = checkpoints[0]!;
    if (first.type !== 'checkpoint') throw new Error('no checkpoint');
    expect((await fs.readdir(first.dir)).sort()).toEqual(['checkpoint.json', FEATURES_JSON, MODEL_JSON, SPARSE_STATE_BIN, SPARSE_STATE_JSON, WEIGHTS_BIN].sort());
    const state = JSON.parse(await fs.readFile(path.join(first.dir, SPARSE_STATE_JSON), 'utf8'));
    expect(state).toMatchObject({ kind: 'adam', step: first.step });
    const resumed = job(settings, { resume: { dir: first.dir, epoch: 1, step: first.step }, history: [first.metrics] });
    expect(await runTraining(resumed, never, () => undefined)).toBe('completed');
    const a = await fs.readFile(path.join(whole.modelDir, WEIGHTS_BIN));
    const b = await fs.readFile(path.join(resumed.modelDir, WEIGHTS_BIN));
    expect(b.length).toBe(a.length);
    const wa = new Float32Array(a.buffer, a.byteOffset, a.length / 4);
    const wb = new Float32Array(b.buffer, b.byteOffset, b.length / 4);
    let worst = 0;
    for (let i = 0; i < wa.length; i++) worst = Math.max(worst, Math.abs(wa[i]! - wb[i]!));
    expect(worst).toBeLessThan(1e-5);
  });

  it('refits on every row for the epoch count early stopping chose, with L2 and square-root class weights', async () => {
    const baseline = tf.memory().numTensors;
    const events: TrainerEvent[] = [];
    const j = job({ input: 'sparse', layers: [], epochs: 12, learningRate: 0.5, classWeight: 'sqrt', l2: 1e-4, refit: true, earlyStopping: { monitor: 'val_loss', patience: 2 } });
    expect(await runTraining(j, never, (e) => events.push(e))).toBe('completed');
    const done = events.at(-1)!;
    if (done.type !== 'completed') throw new Error('not completed');
    expect(done.metrics.refitEpochs).toBe(done.metrics.bestEpoch);
    // The evaluation is still the held-out one: of the kept epoch's model, which never saw those rows.
    const best = events.flatMap((e) => (e.type === 'checkpoint' && e.epoch === done.metrics.bestEpoch ? [e.metrics] : []))[0]!;
    expect(done.evaluation?.split).toBe('validation');
    expect(done.evaluation?.report.accuracy).toBeCloseTo(best.valAccuracy!, 5);
    const saved = JSON.parse(await fs.readFile(path.join(j.modelDir, MODEL_JSON), 'utf8'));
    expect(saved.userDefinedMetadata).toEqual({ sokhan: { input: 'sparse', pooling: 'tfidf' } });
    expect(JSON.stringify(saved.modelTopology)).toMatch(/"embeddings_regularizer":\{"class_name":"L1L2","config":\{"l1":0,"l2":0\.0001\}/);
    // The saved model is the refit one, not the kept checkpoint: the same rows get other probabilities.
    const rows = await fs.readFile(path.join(j.modelDir, WEIGHTS_BIN));
    const kept = await fs.readFile(path.join(j.checkpointsDir, `epoch-${done.metrics.bestEpoch}`, WEIGHTS_BIN));
    expect(rows.length).toBeLessThan(kept.length);
    expect(Buffer.compare(rows, kept.subarray(0, rows.length))).not.toBe(0);
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('holds out a stratified validation split fixed by the seed', async () => {
    const skewed = path.join(root, 'skewed.csv');
    const rows = persianSentiment(200, 5).map((r, i) => ({ ...r, label: i % 10 === 0 ? 'خنثی' : r.label }));
    await fs.writeFile(skewed, toCsv(rows));
    const a = await planDataset({ filePath: skewed, format: 'csv' }, { task: 'text-classification', labelColumn: 'label', validationSplit: 0.25 }, 7);
    const b = await planDataset({ filePath: skewed, format: 'csv' }, { task: 'text-classification', labelColumn: 'label', validationSplit: 0.25 }, 7);
    const c = await planDataset({ filePath: skewed, format: 'csv' }, { task: 'text-classification', labelColumn: 'label', validationSplit: 0.25 }, 8);
    expect(Array.from(a.roles)).toEqual(Array.from(b.roles));
    expect(Array.from(a.roles)).not.toEqual(Array.from(c.roles));
    const held = (label: string) => rows.filter((r, i) => r.label === label && a.roles[i] === 1).length;
    const all = (label: string) => rows.filter((r) => r.label === label).length;
    for (const label of ['مثبت', 'منفی', 'خنثی']) expect(held(label)).toBe(Math.floor(all(label) * 0.25));
  });

  it('refuses data it cannot learn from with INVALID_DATASET', async () => {
    const one = path.join(root, 'one.csv');
    await fs.writeFile(one, 'text,label\nخوب,مثبت\nعالی,مثبت\n');
    const j = job({}, { dataset: { filePath: one, format: 'csv' } });
    await expect(runTraining(j, never, () => undefined)).rejects.toMatchObject({ code: 'INVALID_DATASET' });
    await expect(runTraining(job({}, { maxFeatureBytes: 1000 }), never, () => undefined)).rejects.toMatchObject({ code: 'INVALID_DATASET', message: expect.stringMatching(/MB/) });
  });
});

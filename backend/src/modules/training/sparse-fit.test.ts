import { seededRandom, type LayerConfig, type TrainingTask } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildNetwork, compileNetwork, disposeNetwork } from './network.js';
import { fitSparse, SparseFitter } from './sparse-fit.js';
import { initTfBackend } from './tf-backend.js';
import { registerSegmentSum } from '../../../test/wasm-segment-sum.js';
import { batchInputs, type EncodedRow } from './training-batches.js';

beforeAll(async () => {
  registerSegmentSum(await initTfBackend('auto'));
});

const DIM = 40;

/** Rows of 2–7 distinct ids (bias slot last, as SparseEncoder writes them) with weights and targets. */
function rows(n: number, classes: number, seed: number): EncodedRow[] {
  const rnd = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const ids = new Set<number>();
    const k = 2 + Math.floor(rnd() * 6);
    while (ids.size < k) ids.add(Math.floor(rnd() * DIM));
    const list = [...ids, DIM];
    return {
      ids: Int32Array.from(list),
      values: Float32Array.from(list, (_, i) => (i === list.length - 1 ? 1 : 0.2 + rnd())),
      target: classes > 1 ? Math.floor(rnd() * classes) : rnd() * 3 - 1,
    };
  });
}

function targets(batch: readonly EncodedRow[], task: TrainingTask, classes: number): tf.Tensor {
  if (task === 'tabular-regression') return tf.tensor2d(Float32Array.from(batch, (r) => r.target), [batch.length, 1]);
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(batch, (r) => r.target), 'int32'), classes).toFloat());
}

const cases: { name: string; task: TrainingTask; layers: LayerConfig[]; classes: number; optimizer: 'adam' | 'rmsprop' | 'sgd' }[] = [
  { name: 'a multinomial logistic regression (adam)', task: 'text-classification', layers: [], classes: 3, optimizer: 'adam' },
  { name: 'a hidden relu layer under the table (rmsprop)', task: 'text-classification', layers: [{ type: 'dense', units: 6, activation: 'relu' }, { type: 'dense', units: 4, activation: 'tanh' }], classes: 4, optimizer: 'rmsprop' },
  { name: 'a regression (sgd)', task: 'tabular-regression', layers: [], classes: 1, optimizer: 'sgd' },
];

describe('SparseFitter', () => {
  it.each(cases)('takes the same steps as model.trainOnBatch for $name', async ({ task, layers, classes, optimizer }) => {
    const config = { task, layers, seed: 5, input: 'sparse' as const, l2: 0.002, optimizer, learningRate: 0.05 };
    const reference = buildNetwork(config, DIM, classes);
    const trained = buildNetwork(config, DIM, classes);
    compileNetwork(reference, config);
    compileNetwork(trained, config);
    const fitter = new SparseFitter(trained, config);
    const data = rows(48, classes, 9);
    for (let i = 0; i < data.length; i += 12) {
      const batch = data.slice(i, i + 12);
      const xs = batchInputs(batch, DIM);
      const ys = targets(batch, task, classes);
      const out = (await reference.trainOnBatch(xs, ys)) as number | number[];
      tf.dispose([xs, ys].flat());
      const ours = fitter.trainBatch(batch);
      expect(ours.loss).toBeCloseTo(Array.isArray(out) ? out[0]! : out, 4);
    }
    fitter.syncModel();
    const expected = reference.getWeights().map((w) => [...w.dataSync()]);
    const actual = trained.getWeights().map((w) => [...w.dataSync()]);
    expect(actual.map((w) => w.length)).toEqual(expected.map((w) => w.length));
    actual.forEach((w, i) => w.forEach((x, j) => expect(x).toBeCloseTo(expected[i]![j]!, 4)));
    disposeNetwork(reference);
    disposeNetwork(trained);
  });

  it('reports epoch logs like fitDataset: validation after whole epochs only, stopTraining ends the epoch', async () => {
    const config = { task: 'text-classification' as const, layers: [], seed: 1, input: 'sparse' as const, l2: 0, optimizer: 'adam' as const, learningRate: 0.1 };
    const model = buildNetwork(config, DIM, 2);
    compileNetwork(model, config);
    const fitter = new SparseFitter(model, config);
    const data = rows(40, 2, 3);
    const logs: { epoch: number; loss?: number; acc?: number; val_loss?: number }[] = [];
    let batches = 0;
    await fitSparse(fitter, {
      epochs: 5,
      train: async function* () {
        for (let i = 0; i < 40; i += 10) yield data.slice(i, i + 10);
      },
      validation: async function* () {
        yield data.slice(0, 20);
      },
      callbacks: {
        onBatchEnd: async () => {
          batches += 1;
          // Stop two batches into the third epoch.
          if (batches === 10) model.stopTraining = true;
        },
        onEpochEnd: async (epoch, l) => {
          logs.push({ epoch, ...l });
        },
      },
    });
    expect(logs.map((l) => l.epoch)).toEqual([0, 1, 2]);
    expect(logs.map((l) => l.val_loss === undefined)).toEqual([false, false, true]);
    expect(logs[1]!.loss!).toBeLessThan(logs[0]!.loss!);
    expect(logs[2]!.acc).toBeGreaterThanOrEqual(0);
    disposeNetwork(model);
  });
});

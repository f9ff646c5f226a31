import type { OptimizerName } from '@sokhan/common';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createOptimizer } from './network.js';
import { TableOptimizer } from './table-optimizer.js';
import { initTfBackend } from './tf-backend.js';

beforeAll(async () => {
  await initTfBackend('auto');
});

const ROWS = 9;
const WIDTH = 3;
const L2 = 0.01;

/** Gradients for a few rows per step (the others get none but the penalty), the same for both optimizers. */
function stepGradients(step: number): { rows: Int32Array; grads: Float32Array } {
  const rows = Int32Array.from([step % ROWS, (step * 4 + 1) % ROWS].filter((r, i, all) => all.indexOf(r) === i));
  const grads = Float32Array.from({ length: rows.length * WIDTH }, (_, i) => Math.sin(step * 7 + i) * 0.3);
  return { rows, grads };
}

describe('TableOptimizer', () => {
  it.each(['adam', 'rmsprop', 'sgd'] as OptimizerName[])('moves every weight as tf.train.%s with the L2 penalty in the loss', (kind) => {
    const start = Float32Array.from({ length: ROWS * WIDTH }, (_, i) => Math.cos(i) * 0.5);
    const table = start.slice();
    const ours = new TableOptimizer(kind, 0.05, L2, table, WIDTH);
    const w = tf.variable(tf.tensor2d(start, [ROWS, WIDTH]));
    const theirs = createOptimizer(kind, 0.05);
    for (let step = 1; step <= 12; step++) {
      const { rows, grads } = stepGradients(step);
      const dense = new Float32Array(ROWS * WIDTH);
      rows.forEach((r, k) => dense.set(grads.subarray(k * WIDTH, (k + 1) * WIDTH), r * WIDTH));
      const g = tf.tensor2d(dense, [ROWS, WIDTH]);
      // d/dW of Σ W⊙G + λ Σ W² is G + 2λW: the data gradient plus the regulariser's, as model.fit computes it.
      theirs.minimize(() => tf.add(tf.sum(tf.mul(w, g)), tf.mul(L2, tf.sum(tf.square(w)))) as tf.Scalar, false, [w]);
      g.dispose();
      ours.apply(rows, grads);
    }
    const expected = w.dataSync() as Float32Array;
    for (let i = 0; i < table.length; i++) expect(table[i]).toBeCloseTo(expected[i]!, 5);
    expect(ours.penalty()).toBeCloseTo(L2 * expected.reduce((sum, x) => sum + x * x, 0), 5);
    // A row no batch touched still moved (the penalty), as under the dense optimizer.
    expect(table[8 * WIDTH]).not.toBe(start[8 * WIDTH]);
    w.dispose();
    theirs.dispose();
  });

  it('restores its state into a table of the same size and optimizer only', () => {
    const a = new TableOptimizer('adam', 0.1, 0, new Float32Array(12), 3);
    a.apply(Int32Array.from([1]), Float32Array.from([1, 2, 3]));
    const { meta, data } = a.serialize();
    const b = new TableOptimizer('adam', 0.1, 0, new Float32Array(12), 3);
    expect(b.restore(meta, data)).toBe(true);
    expect(b.step).toBe(1);
    expect([...b.m]).toEqual([...a.m]);
    expect([...b.v]).toEqual([...a.v]);
    expect(new TableOptimizer('rmsprop', 0.1, 0, new Float32Array(12), 3).restore(meta, data)).toBe(false);
    expect(new TableOptimizer('adam', 0.1, 0, new Float32Array(15), 3).restore(meta, data)).toBe(false);
  });
});

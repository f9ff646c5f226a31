import { seededRandom } from '@sokhan/common';
import { describe, expect, it } from 'vitest';
import { lengthBatches, type EncodedRow } from './training-batches.js';

async function* from<T>(items: readonly T[]): AsyncGenerator<T> {
  yield* items;
}

/** Rows whose length is given (target = their index, to tell them apart). */
const rows = (lengths: readonly number[]): EncodedRow[] => lengths.map((n, i) => ({ ids: new Int32Array(n), values: new Float32Array(n), target: i }));

async function collect(input: EncodedRow[], size: number, seed: number): Promise<EncodedRow[][]> {
  const out: EncodedRow[][] = [];
  for await (const b of lengthBatches(from(input), size, seededRandom(seed))) out.push(b);
  return out;
}

describe('lengthBatches', () => {
  it('hands out every row once, in batches of rows of similar length, in an order set by the seed', async () => {
    const rnd = seededRandom(3);
    const input = rows(Array.from({ length: 1000 }, () => 1 + Math.floor(rnd() * 400)));
    const a = await collect(input, 8, 1);
    expect(a.flat().map((r) => r.target).sort((x, y) => x - y)).toEqual(input.map((r) => r.target));
    expect(a.every((b) => b.length <= 8)).toBe(true);
    // One pool (32 batches of 8) of a sorted length range each: batches never overlap in length.
    const firstPool = a.slice(0, 32).map((b) => [Math.min(...b.map((r) => r.values.length)), Math.max(...b.map((r) => r.values.length))] as const);
    firstPool.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < firstPool.length; i++) expect(firstPool[i]![0]).toBeGreaterThanOrEqual(firstPool[i - 1]![1]);
    // Padding to the widest row of each batch costs far less than in batches of rows as they came.
    const padded = (bs: EncodedRow[][]) => bs.reduce((s, b) => s + b.length * Math.max(...b.map((r) => r.values.length)), 0);
    const plain = Array.from({ length: Math.ceil(input.length / 8) }, (_, i) => input.slice(i * 8, i * 8 + 8));
    expect(padded(a)).toBeLessThan(padded(plain) * 0.7);
    const again = await collect(input, 8, 1);
    const other = await collect(input, 8, 2);
    expect(again.map((b) => b.map((r) => r.target))).toEqual(a.map((b) => b.map((r) => r.target)));
    expect(other.map((b) => b[0]!.target)).not.toEqual(a.map((b) => b[0]!.target));
  });
});

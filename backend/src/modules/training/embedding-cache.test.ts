import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { EncoderRef } from '@sokhan/common';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmbeddingCache, embeddingCacheKey, removePartialEmbeddings } from './embedding-cache.js';

const ref: EncoderRef = { repoId: 'a/enc', revision: 'r1', variant: 'fp32', pooling: 'mean', normalize: true, text: { persian: true, digits: 'latin', keepDiacritics: false } };
let dir: string;

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-embeddings-'));
});
afterEach(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

async function all(cache: EmbeddingCache, dim: number): Promise<number[][]> {
  const out: number[][] = [];
  for await (const row of cache.rows(dim)) out.push(Array.from(row));
  return out;
}

describe('the embedding cache', () => {
  it('continues a partial file after a torn last row, and becomes complete only by finish', async () => {
    const cache = new EmbeddingCache(dir, 'text', ref, 'job-1');
    expect(await cache.state()).toEqual({ complete: false, rows: 0, dim: null });
    const w = await cache.writer(2, 0);
    await w.append(Float32Array.of(1, 2, 3, 4, 5, 6));
    await w.close();
    expect(await cache.state()).toEqual({ complete: false, rows: 3, dim: 2 });
    // A crash mid-write leaves part of a row: it does not count, and the next writer cuts it off.
    const partial = (await fs.readdir(dir)).find((f) => f.endsWith('.partial'))!;
    await fs.appendFile(path.join(dir, partial), Buffer.alloc(4, 0xff));
    expect(await cache.state()).toEqual({ complete: false, rows: 3, dim: 2 });
    const again = await cache.writer(2, 3);
    await again.append(Float32Array.of(7, 8));
    await again.finish();
    expect(await cache.state()).toEqual({ complete: true, rows: 4, dim: 2 });
    expect(await all(cache, 2)).toEqual([[1, 2], [3, 4], [5, 6], [7, 8]]);
    expect((await fs.readdir(dir)).sort()).toEqual([`${embeddingCacheKey('text', ref)}.f32`, `${embeddingCacheKey('text', ref)}.json`]);
    // Another job finds it complete.
    expect(await new EmbeddingCache(dir, 'text', ref, 'job-2').state()).toEqual({ complete: true, rows: 4, dim: 2 });
  });

  it('keys what changes the numbers: another revision, pooling or column is another cache', () => {
    const key = embeddingCacheKey('text', ref);
    expect(embeddingCacheKey('text', { ...ref, revision: 'r2' })).not.toBe(key);
    expect(embeddingCacheKey('text', { ...ref, pooling: 'cls' })).not.toBe(key);
    expect(embeddingCacheKey('body', ref)).not.toBe(key);
    expect(embeddingCacheKey('text', { ...ref, text: { ...ref.text, persian: false } })).not.toBe(key);
    expect(embeddingCacheKey('text', { ...ref })).toBe(key);
  });

  it('reads rows across its read blocks, and a job’s partial files go with removePartialEmbeddings', async () => {
    const dim = 300; // 1200 bytes a row: a 1 MiB block does not end on a row boundary of the file
    const cache = new EmbeddingCache(dir, 'text', ref, 'job-3');
    const w = await cache.writer(dim, 0);
    const n = 2000;
    const values = Float32Array.from({ length: n * dim }, (_, i) => i % 9973);
    await w.append(values);
    await w.finish();
    let count = 0;
    for await (const row of cache.rows(dim)) {
      expect(row[0]).toBe(values[count * dim]);
      expect(row[dim - 1]).toBe(values[count * dim + dim - 1]);
      count++;
    }
    expect(count).toBe(n);
    const other = await new EmbeddingCache(dir, 'other', ref, 'job-4').writer(2, 0);
    await other.append(Float32Array.of(1, 2));
    await other.close();
    await removePartialEmbeddings(dir, 'job-4');
    expect((await fs.readdir(dir)).some((f) => f.includes('job-4'))).toBe(false);
  });
});

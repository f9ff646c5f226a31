import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { EncoderRef } from '@sokhan/common';

/**
 * An encoder's embeddings of one dataset column, one float32 row per row of the file in file order, on disk beside
 * the dataset (so they go when it goes). One cache per (column, encoder repository, revision, variant, pooling,
 * normalisation, text preparation): what changes the numbers changes the key. A job writes its own partial file
 * (`<key>.<jobId>.partial`), appended batch by batch, so a pause or a crash loses at most the rows of one batch and
 * the job continues where its file ends; the complete file (`<key>.f32`) appears by rename, whole or not at all.
 */
export interface EmbeddingCacheMeta {
  rows: number;
  dim: number;
  column: string;
  encoder: EncoderRef;
}

export type CacheState =
  | { complete: true; rows: number; dim: number }
  /** Rows of this job's partial file (whole rows only) and their length, when it has any. */
  | { complete: false; rows: number; dim: number | null };

export function embeddingCacheKey(column: string, encoder: EncoderRef): string {
  const identity = JSON.stringify([column, encoder.repoId, encoder.revision, encoder.variant, encoder.pooling, encoder.normalize, encoder.text.persian, encoder.text.digits, encoder.text.keepDiacritics]);
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

export class EmbeddingCache {
  private readonly base: string;

  constructor(
    private readonly dir: string,
    private readonly column: string,
    private readonly encoder: EncoderRef,
    private readonly jobId: string,
  ) {
    this.base = path.join(dir, embeddingCacheKey(column, encoder));
  }

  get file(): string {
    return `${this.base}.f32`;
  }

  private get partial(): string {
    return `${this.base}.${this.jobId}.partial`;
  }

  async state(): Promise<CacheState> {
    const meta = await readMeta(`${this.base}.json`);
    const size = await fileSize(this.file);
    if (meta && size === meta.rows * meta.dim * 4) return { complete: true, rows: meta.rows, dim: meta.dim };
    const partialMeta = await readMeta(`${this.partial}.json`);
    const partialSize = await fileSize(this.partial);
    if (!partialMeta || partialSize === null) return { complete: false, rows: 0, dim: null };
    return { complete: false, rows: Math.floor(partialSize / (partialMeta.dim * 4)), dim: partialMeta.dim };
  }

  /**
   * Appends rows to this job's partial file from row `from` on (a torn last row from a crash is cut off first);
   * `finish` makes it the complete cache.
   */
  async writer(dim: number, from: number): Promise<CacheWriter> {
    await fs.mkdir(this.dir, { recursive: true });
    if (from === 0) await writeJson(`${this.partial}.json`, { rows: 0, dim, column: this.column, encoder: this.encoder });
    const handle = await fs.open(this.partial, from === 0 ? 'w' : 'r+');
    await handle.truncate(from * dim * 4);
    let position = from * dim * 4;
    let rows = from;
    return {
      append: async (values: Float32Array) => {
        if (values.length % dim !== 0) throw new Error(`an embedding batch of ${values.length} values is not rows of ${dim}`);
        await handle.write(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), 0, values.byteLength, position);
        position += values.byteLength;
        rows += values.length / dim;
      },
      finish: async () => {
        await handle.sync();
        await handle.close();
        await writeJson(`${this.base}.json`, { rows, dim, column: this.column, encoder: this.encoder });
        await fs.rename(this.partial, this.file);
        await fs.rm(`${this.partial}.json`, { force: true });
      },
      close: () => handle.close().catch(() => undefined),
    };
  }

  /** The cache's rows in file order, `dim` floats each, read in large sequential blocks. */
  async *rows(dim: number): AsyncGenerator<Float32Array> {
    const handle = await fs.open(this.file, 'r');
    try {
      const rowBytes = dim * 4;
      const block = Buffer.alloc(Math.max(rowBytes, Math.floor((1 << 20) / rowBytes) * rowBytes));
      let position = 0;
      for (;;) {
        const { bytesRead } = await handle.read(block, 0, block.length, position);
        if (bytesRead < rowBytes) return;
        position += bytesRead;
        const whole = Math.floor(bytesRead / rowBytes);
        // Copied out: the block is reused for the next read while these rows live on in batches.
        const values = new Float32Array(block.buffer.slice(block.byteOffset, block.byteOffset + whole * rowBytes));
        for (let r = 0; r < whole; r++) yield values.subarray(r * dim, (r + 1) * dim);
      }
    } finally {
      await handle.close();
    }
  }
}

export interface CacheWriter {
  append(values: Float32Array): Promise<void>;
  finish(): Promise<void>;
  close(): Promise<void>;
}

/** Removes a job's partial embedding files (it was cancelled or failed; a paused job keeps them to continue). */
export async function removePartialEmbeddings(dir: string, jobId: string): Promise<void> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => n.includes(`.${jobId}.partial`)).map((n) => fs.rm(path.join(dir, n), { force: true })));
}

async function readMeta(file: string): Promise<EmbeddingCacheMeta | null> {
  const text = await fs.readFile(file, 'utf8').catch(() => null);
  if (text === null) return null;
  try {
    const m = JSON.parse(text) as Partial<EmbeddingCacheMeta>;
    return Number.isInteger(m.rows) && Number.isInteger(m.dim) && m.dim! > 0 ? (m as EmbeddingCacheMeta) : null;
  } catch {
    return null;
  }
}

async function fileSize(file: string): Promise<number | null> {
  return (await fs.stat(file).catch(() => null))?.size ?? null;
}

async function writeJson(file: string, value: unknown): Promise<void> {
  const tmp = `${file}.tmp`;
  await fs.writeFile(tmp, JSON.stringify(value));
  await fs.rename(tmp, file);
}

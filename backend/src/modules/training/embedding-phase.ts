import { cellString, type EmbeddingProgress, type EncoderRef } from '@sokhan/common';
import { ModelRunner } from '../runtime/model-runner.js';
import type { LoadSpec, RunJob } from '../runtime/runtime-protocol.js';
import { localTransformers } from '../runtime/transformers-env.js';
import { EmbeddingCache, removePartialEmbeddings, type CacheWriter } from './embedding-cache.js';
import { streamRows, type DatasetSource, type EmbeddedColumn } from './training-data.js';

/** What a training worker needs to embed a dataset with an installed encoder (plain data, crosses into the thread). */
export interface EncoderJob {
  ref: EncoderRef;
  installedId: string;
  load: LoadSpec & { sizeBytes: number };
  /** MODELS_DIR: transformers.js resolves nothing outside the folder it is given. */
  modelsRoot: string;
  /** The dataset's embeddings folder (beside its file). */
  cacheDir: string;
  /** onnxruntime threads for this job. */
  threads: number;
}

/** Rows embedded per run of the encoder (the runtime's limit per request, so both paths batch alike). */
const BATCH = 32;
const PROGRESS_INTERVAL_MS = 250;

/**
 * Makes sure the dataset's column has its embeddings in the cache: reused when complete, else computed here (in
 * the training worker) from where this job's partial file ends, with progress at most four times a second. Asked
 * after every batch whether to stop: a pause keeps the partial file to continue from, a cancel removes it.
 */
export async function ensureEmbeddings(
  opts: { jobId: string; dataset: DatasetSource; column: string; totalRows: number; encoder: EncoderJob },
  requested: () => 'pause' | 'cancel' | null,
  emit: (p: EmbeddingProgress) => void,
): Promise<EmbeddedColumn | 'paused' | 'cancelled'> {
  const { encoder, totalRows: total } = opts;
  const cache = new EmbeddingCache(encoder.cacheDir, opts.column, encoder.ref, opts.jobId);
  const progress = (rows: number, dim: number, extra: Partial<EmbeddingProgress>): EmbeddingProgress => ({
    encoderId: encoder.installedId,
    repoId: encoder.ref.repoId,
    rows,
    total,
    cached: false,
    rowsPerSecond: null,
    etaSeconds: null,
    done: false,
    dim,
    ...extra,
  });
  const embedded = (dim: number): EmbeddedColumn => ({ column: opts.column, dim, rows: () => cache.rows(dim) });

  const state = await cache.state();
  if (state.complete && state.rows === total) {
    emit(progress(total, state.dim, { cached: true, done: true }));
    return embedded(state.dim);
  }
  const from = state.complete ? 0 : Math.min(state.rows, total);
  const runner = new ModelRunner(await localTransformers(encoder.modelsRoot), { budgetBytes: encoder.load.sizeBytes, intraOpThreads: encoder.threads });
  // Held in an object: the batches assign it inside a closure.
  const open: { writer: CacheWriter | null } = { writer: null };
  let cancelled = false;
  try {
    const job = (inputs: string[]): RunJob => ({
      ...encoder.load,
      text: encoder.ref.text,
      request: { pipeline: 'feature-extraction', inputs, pooling: encoder.ref.pooling, normalize: encoder.ref.normalize },
    });
    const { pipe } = await runner.loadFor(job(['']));
    let dim = state.complete ? null : state.dim;
    let done = from;
    const started = performance.now();
    let lastEmit = 0;
    const embedBatch = async (texts: string[]) => {
      const out = await runner.run(job(texts), pipe);
      if (out.pipeline !== 'feature-extraction') throw new Error(`the encoder answered ${out.pipeline}`);
      dim ??= out.dimensions;
      if (out.dimensions !== dim) throw new Error(`the encoder gave ${out.dimensions} values, the cache holds ${dim}`);
      open.writer ??= await cache.writer(dim, from);
      const flat = new Float32Array(texts.length * dim);
      out.embeddings.forEach((e, i) => flat.set(e, i * dim!));
      await open.writer.append(flat);
      done += texts.length;
      const now = performance.now();
      if (now - lastEmit >= PROGRESS_INTERVAL_MS) {
        lastEmit = now;
        const rate = (done - from) / ((now - started) / 1000);
        emit(progress(done, dim, { rowsPerSecond: rate, etaSeconds: rate > 0 ? (total - done) / rate : null }));
      }
    };
    emit(progress(from, dim ?? 0, {}));
    let index = 0;
    let batch: string[] = [];
    for await (const row of streamRows(opts.dataset, [opts.column])) {
      if (index++ < from) continue;
      // A missing text embeds as the empty one: every row keeps its place in the file order.
      batch.push(cellString(row[opts.column]) ?? '');
      if (batch.length < BATCH) continue;
      await embedBatch(batch);
      batch = [];
      const stop = requested();
      if (stop === 'pause') return 'paused';
      if (stop === 'cancel') {
        cancelled = true;
        return 'cancelled';
      }
    }
    if (batch.length) await embedBatch(batch);
    if (dim === null || done !== total) throw new Error(`the file gave ${done} rows, ${total} were planned`);
    await open.writer?.finish();
    open.writer = null;
    const seconds = (performance.now() - started) / 1000;
    emit(progress(total, dim, { done: true, rowsPerSecond: seconds > 0 ? (total - from) / seconds : null, etaSeconds: 0 }));
    return embedded(dim);
  } finally {
    await open.writer?.close();
    await runner.close();
    if (cancelled) await removePartialEmbeddings(encoder.cacheDir, opts.jobId);
  }
}

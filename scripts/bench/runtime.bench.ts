import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { firstRecords } from '@sokhan/common';
import { buildFixtureRepos } from '../hub-mirror/fixtures.js';
import { RUNNABLE_REPO } from '../hub-mirror/onnx-fixtures.js';
import { startHubMirror } from '../hub-mirror/server.js';
import { call, waitFor } from '../lib/http.js';
import { benchServerEnv, resetPeakRss, rssMb, serveForBench, startBenchServer, stopBenchServer, type BenchServer } from './bench-server.js';

/**
 * Installed models through POST /api/models/:id/run against transformers.js called directly in this process, on the
 * mirror's fixture encoder (sokhan-lab/bert-fa-tiny-encoder):
 * 1. one-sentence latency (p50, p95) and throughput, and the overhead ratio (HTTP + JSON + worker hop + Persian
 *    normalisation over the bare pipeline);
 * 2. embedding throughput on SentiPers sentences (DeepSentiPers test.csv from `--corpus=<dir>`,
 *    $BENCH_TEXT_CORPUS or ../shared/data/deepsentipers; the shipped fa-sentiment sample without it), 32 a request;
 * 3. the server's peak RSS with three models loaded (sentiment, NLI, encoder), against RUNTIME_MEMORY_MB.
 * The server runs in a child process on fresh folders, downloading from a mirror on loopback. Nothing is asserted.
 */

const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '../..');
const ROUNDS = 300;
const BATCH = 32;
type Figures = Record<string, number | string>;

function corpusSentences(): Promise<{ source: string; sentences: string[] }> {
  const arg = process.argv.find((a) => a.startsWith('--corpus='));
  const dir = path.resolve(arg?.slice('--corpus='.length) ?? process.env.BENCH_TEXT_CORPUS ?? path.join(REPO, '../shared/data/deepsentipers'));
  const file = existsSync(path.join(dir, 'test.csv')) ? path.join(dir, 'test.csv') : path.join(REPO, 'backend/samples/fa-sentiment.csv');
  return fs.readFile(file, 'utf8').then((text) => {
    const rows = firstRecords(text, ',', Number.MAX_SAFE_INTEGER).map((r) => r[0] ?? '');
    // The sample has a header row; SentiPers has none.
    const sentences = (file.endsWith('fa-sentiment.csv') ? rows.slice(1) : rows).map((s) => s.trim()).filter((s) => s.length > 0).map((s) => s.slice(0, 1000));
    return { source: path.relative(REPO, file), sentences };
  });
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;

async function timeEach(n: number, fn: (i: number) => Promise<void>): Promise<{ p50: number; p95: number; perSecond: number }> {
  const times: number[] = [];
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await fn(i);
    times.push(performance.now() - t0);
  }
  const total = (performance.now() - started) / 1000;
  times.sort((a, b) => a - b);
  return { p50: quantile(times, 0.5), p95: quantile(times, 0.95), perSecond: n / total };
}

export async function runtimeBench(): Promise<{ name: string; figures: Figures }> {
  const figures: Figures = {};
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-runtime-'));
  await buildFixtureRepos(path.join(dir, 'hub'), { includeDefaults: false, runnableModels: true, writeTokens: false });
  const mirror = await startHubMirror({ dir: path.join(dir, 'hub') });
  let server: BenchServer | null = null;
  try {
    const memoryMb = 1024;
    server = await startBenchServer(SELF, { HF_HUB_OFFLINE: '0', HF_ENDPOINT: mirror.url, RUNTIME_MEMORY_MB: String(memoryMb) });
    const base = server.url;
    const reg = await call(base, 'POST', '/api/auth/register', { body: { email: 'bench-runtime@example.com', username: 'bench_runtime', password: 'گذرواژه-سنجش-۱۲۳۴' } });
    const token = reg.body.token as string;
    const ids: Record<string, string> = {};
    const sizes: Record<string, number> = {};
    for (const repoId of [RUNNABLE_REPO.encoder, RUNNABLE_REPO.sentiment, RUNNABLE_REPO.nli]) {
      const d = await call(base, 'POST', '/api/sources/download', { token, body: { repoId } });
      const done = await waitFor(async () => {
        const r = await call(base, 'GET', `/api/sources/download/${d.body.id}`, { token });
        return ['completed', 'failed'].includes(r.body.status) ? r.body : null;
      }, 120_000);
      if (done.status !== 'completed') throw new Error(`${repoId}: ${done.error}`);
      const m = (await call(base, 'GET', `/api/sources/installed/${done.modelId}`, { token })).body;
      ids[repoId] = m.id;
      sizes[repoId] = m.runtime.variants[0].sizeBytes;
    }
    const runApi = async (repoId: string, body: object) => {
      const r = await call(base, 'POST', `/api/models/${ids[repoId]}/run`, { token, body });
      if (r.status !== 200) throw new Error(`run ${repoId}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      return r.body;
    };

    // 3 first: the three models loaded from cold, the server's peak memory around it.
    const before = await rssMb(server.pid);
    await resetPeakRss(server.pid);
    await runApi(RUNNABLE_REPO.sentiment, { pipeline: 'text-classification', inputs: 'این فیلم خیلی عالی بود' });
    await runApi(RUNNABLE_REPO.nli, { pipeline: 'zero-shot-classification', inputs: 'فوتبال دیشب عالی بود', candidateLabels: ['ورزش', 'غذا'] });
    await runApi(RUNNABLE_REPO.encoder, { pipeline: 'feature-extraction', inputs: 'سلام' });
    const after = await rssMb(server.pid);
    figures.server_rss_before_mb = before.now;
    figures.server_peak_rss_three_loaded_mb = after.peak;
    figures.server_rss_three_loaded_mb = after.now;
    figures.three_models_onnx_mb = Object.values(sizes).reduce((a, b) => a + b, 0) / (1024 * 1024);
    figures.runtime_memory_budget_mb = memoryMb;

    // 1. one sentence at a time.
    const sentence = 'این فیلم خیلی خوب بود و بازیگرانش عالی بودند';
    const workerMs: number[] = [];
    const api = await timeEach(ROUNDS, async () => {
      workerMs.push((await runApi(RUNNABLE_REPO.encoder, { pipeline: 'feature-extraction', inputs: sentence })).runMs);
    });
    const tjs = (await import('@huggingface/transformers')) as unknown as {
      env: { allowRemoteModels: boolean };
      pipeline(task: string, model: string, opts: object): Promise<(input: unknown, opts: object) => Promise<unknown>>;
    };
    tjs.env.allowRemoteModels = false;
    const direct = await tjs.pipeline('feature-extraction', path.join(dir, 'hub', ...RUNNABLE_REPO.encoder.split('/')), {
      dtype: 'fp32',
      device: 'cpu',
      session_options: { intraOpNumThreads: Math.max(1, os.availableParallelism()), interOpNumThreads: 1 },
    });
    await direct(sentence, { pooling: 'mean', normalize: true });
    const bare = await timeEach(ROUNDS, async () => {
      await direct(sentence, { pooling: 'mean', normalize: true });
    });
    figures.api_one_sentence_p50_ms = api.p50;
    figures.api_one_sentence_p95_ms = api.p95;
    figures.api_requests_per_s = api.perSecond;
    // The pipeline's own time inside the worker (normalising included): the rest of a request is HTTP, auth, SQL and the thread hop.
    figures.api_worker_run_p50_ms = quantile(workerMs.sort((x, y) => x - y), 0.5);
    figures.direct_one_sentence_p50_ms = bare.p50;
    figures.direct_one_sentence_p95_ms = bare.p95;
    figures.direct_calls_per_s = bare.perSecond;
    figures.overhead_ratio_p50 = api.p50 / bare.p50;
    figures.throughput_ratio_direct_over_api = bare.perSecond / api.perSecond;

    // 2. embedding throughput, 32 sentences a request.
    const { source, sentences } = await corpusSentences();
    const batches: string[][] = [];
    for (let i = 0; i < sentences.length; i += BATCH) batches.push(sentences.slice(i, i + BATCH));
    let started = performance.now();
    for (const b of batches) await runApi(RUNNABLE_REPO.encoder, { pipeline: 'feature-extraction', inputs: b });
    const apiSeconds = (performance.now() - started) / 1000;
    started = performance.now();
    for (const b of batches) await direct(b, { pooling: 'mean', normalize: true });
    const directSeconds = (performance.now() - started) / 1000;
    figures.corpus = `${source} (${sentences.length} sentences)`;
    figures.api_sentences_per_s = sentences.length / apiSeconds;
    figures.direct_sentences_per_s = sentences.length / directSeconds;
    figures.embedding_overhead_ratio = apiSeconds / directSeconds;
  } finally {
    await stopBenchServer(server);
    await mirror.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { name: 'runtime', figures };
}

// ---- child process: the server ----

const at = process.argv.indexOf('--bench-child');
if (at !== -1 && process.argv[at + 1] === 'server') await serveForBench('sokhan-bench-runtime-server-', benchServerEnv());

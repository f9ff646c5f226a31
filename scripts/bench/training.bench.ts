import { execFile, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serveForBench } from './bench-server.js';
import { call, waitFor } from '../lib/http.js';

/**
 * Training throughput and API latency under training.
 * 1. samples/s of a fixed MLP (256 inputs → dense 256 relu → dense 128 relu → 10 softmax, Adam, batch 64, 8192
 *    random samples, 3 timed epochs after one warm-up) on the TensorFlow.js backend the server uses, against the same
 *    network in PyTorch from Debian (python3-torch with libopenblas0-pthread, OPENBLAS_NUM_THREADS=1), on this machine
 *    in this run. PyTorch runs with its default intra-op threads and again with one thread (wasm in Node is one thread).
 * 2. /api/health p50/p95 with no job, then while a job trains that MLP through the real path (upload → job → worker).
 * TF.js and the server run in child processes started with `--conditions=source`, so they use the sources, own
 * their TensorFlow.js engine and never share an event loop with the measuring client.
 */

const exec = promisify(execFile);
const SELF = fileURLToPath(import.meta.url);
const SAMPLES = 8192;
const FEATURES = 256;
const CLASSES = 10;
const BATCH = 64;
const EPOCHS_TIMED = 3;
const HEALTH_REQUESTS = 300;
const DEBIAN_PYTHON = '/usr/bin/python3';

type Figures = Record<string, number | string>;

function child(mode: string, env: Record<string, string> = {}): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', '--conditions=source', SELF, '--bench-child', mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
}

/** The first JSON line a child prints (it prints one when ready or done). */
function firstJson<T>(proc: ChildProcess, timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no answer in ${timeoutMs} ms: ${err.slice(-500)}`)), timeoutMs);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line) as T);
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited ${code}: ${err.slice(-800)}`));
    });
  });
}

// ---- PyTorch ----

const TORCH_SCRIPT = `
import json, os, time, torch
torch.manual_seed(0)
if os.environ.get('TORCH_THREADS'):
    torch.set_num_threads(int(os.environ['TORCH_THREADS']))
N, F, C, B, E = ${SAMPLES}, ${FEATURES}, ${CLASSES}, ${BATCH}, ${EPOCHS_TIMED}
x = torch.randn(N, F)
y = torch.randint(0, C, (N,))
model = torch.nn.Sequential(torch.nn.Linear(F, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128), torch.nn.ReLU(), torch.nn.Linear(128, C))
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
loss_fn = torch.nn.CrossEntropyLoss()
def epoch():
    perm = torch.randperm(N)
    for i in range(0, N, B):
        idx = perm[i:i + B]
        opt.zero_grad()
        loss = loss_fn(model(x[idx]), y[idx])
        loss.backward()
        opt.step()
epoch()
t = time.perf_counter()
for _ in range(E):
    epoch()
dt = time.perf_counter() - t
print(json.dumps({"samplesPerSecond": E * N / dt, "threads": torch.get_num_threads(), "version": torch.__version__}))
`;

async function torchAvailable(): Promise<boolean> {
  return exec(DEBIAN_PYTHON, ['-c', 'import torch']).then(
    () => true,
    () => false,
  );
}

/** Installs python3-torch and the pthread OpenBLAS from Debian when missing; answers why not when it cannot. */
async function ensureTorch(): Promise<{ ok: true; installed: boolean } | { ok: false; reason: string }> {
  if (await torchAvailable()) return { ok: true, installed: false };
  if (process.getuid?.() !== 0) return { ok: false, reason: 'python3-torch is missing and installing it needs root (apt-get install -y python3-torch libopenblas0-pthread)' };
  const apt = (args: string[]) => exec('apt-get', args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }, maxBuffer: 64 * 1024 * 1024 });
  const install = () => apt(['install', '-y', '--no-install-recommends', 'python3-torch', 'libopenblas0-pthread']);
  try {
    await install().catch(async () => {
      await apt(['update']);
      await install();
    });
  } catch (err) {
    return { ok: false, reason: `apt-get could not install python3-torch: ${(err as Error).message.split('\n')[0]}` };
  }
  return (await torchAvailable()) ? { ok: true, installed: true } : { ok: false, reason: 'python3-torch installed but `import torch` still fails' };
}

async function torchRun(threads: number | null): Promise<{ samplesPerSecond: number; threads: number; version: string }> {
  const env: Record<string, string> = { ...(process.env as Record<string, string>), OPENBLAS_NUM_THREADS: '1' };
  if (threads) env.TORCH_THREADS = String(threads);
  const { stdout } = await exec(DEBIAN_PYTHON, ['-c', TORCH_SCRIPT], { env, maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!);
}

// ---- /api/health latency ----

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function healthLatency(url: string): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 20; i++) await fetch(`${url}/api/health`).then((r) => r.arrayBuffer());
  const times: number[] = [];
  for (let i = 0; i < HEALTH_REQUESTS; i++) {
    const t = performance.now();
    const res = await fetch(`${url}/api/health`);
    await res.arrayBuffer();
    if (res.status !== 200) throw new Error(`/api/health answered ${res.status}`);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95) };
}

/** The MLP's data as a CSV the API accepts: 256 number columns and a 10-class label. */
function mlpCsv(): string {
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32) * 2 - 1;
  const header = [...Array.from({ length: FEATURES }, (_, i) => `f${i}`), 'label'].join(',');
  const lines = [header];
  for (let r = 0; r < SAMPLES; r++) {
    const row = Array.from({ length: FEATURES }, () => rnd().toFixed(3));
    lines.push(`${row.join(',')},c${r % CLASSES}`);
  }
  return lines.join('\n') + '\n';
}

async function serverFigures(): Promise<Figures> {
  const server = child('server');
  let serverRoot: string | null = null;
  try {
    const { url, root } = await firstJson<{ url: string; root: string }>(server, 180_000);
    serverRoot = root;
    const idle = await healthLatency(url);
    const reg = await call(url, 'POST', '/api/auth/register', { body: { email: 'bench@example.com', username: 'bench_user', password: 'bench-password-123' } });
    const token = reg.body.token as string;
    const form = new FormData();
    form.set('name', 'mlp-bench');
    form.set('labelColumn', 'label');
    form.set('file', new Blob([mlpCsv()], { type: 'text/csv' }), 'mlp.csv');
    const up = await call(url, 'POST', '/api/datasets', { token, body: form });
    if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${JSON.stringify(up.body)}`);
    const job = await call(url, 'POST', '/api/training', {
      token,
      body: {
        datasetId: up.body.id,
        task: 'tabular-classification',
        featureColumns: Array.from({ length: FEATURES }, (_, i) => ({ name: `f${i}`, kind: 'number' })),
        labelColumn: 'label',
        layers: [
          { type: 'dense', units: 256, activation: 'relu' },
          { type: 'dense', units: 128, activation: 'relu' },
        ],
        optimizer: 'adam',
        learningRate: 0.001,
        epochs: 1000,
        batchSize: BATCH,
        validationSplit: 0,
        seed: 1,
      },
    });
    if (job.status !== 201) throw new Error(`job answered ${job.status}: ${JSON.stringify(job.body)}`);
    const id = job.body.id as string;
    const epochs = async () => {
      const j = await call(url, 'GET', `/api/training/${id}`, { token });
      if (j.body.status === 'failed') throw new Error(`the job failed: ${JSON.stringify(j.body.error)}`);
      return j.body.metrics.history as { epoch: number; samplesPerSecond: number }[];
    };
    // The first full epoch runs undisturbed; then /api/health is hammered while the next ones train.
    const quiet = await waitFor(async () => (await epochs()).at(-1), 180_000, 100);
    const busy = await healthLatency(url);
    const loaded = await waitFor(async () => (await epochs()).find((h) => h.epoch > quiet.epoch), 180_000, 100);
    const running = (await call(url, 'GET', `/api/training/${id}`, { token })).body;
    await call(url, 'DELETE', `/api/training/${id}`, { token });
    return {
      health_idle_p50_ms: idle.p50,
      health_idle_p95_ms: idle.p95,
      health_training_p50_ms: busy.p50,
      health_training_p95_ms: busy.p95,
      health_p95_training_vs_idle: busy.p95 / idle.p95,
      job_backend: String(running.metrics.backend),
      job_samples_per_s_epoch_1: quiet.samplesPerSecond,
      job_samples_per_s_while_health_hammered: loaded.samplesPerSecond,
    };
  } finally {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    // The child leaves its folder to us (see serveForBench).
    if (serverRoot) await fs.rm(serverRoot, { recursive: true, force: true });
  }
}

export async function benchTraining(): Promise<{ name: string; figures: Figures }> {
  const figures: Figures = { network: `${FEATURES}→256→128→${CLASSES} softmax, Adam, batch ${BATCH}, ${SAMPLES} samples`, cpus: os.cpus().length };

  const tfjs = await firstJson<{ backend: string; samplesPerSecond: number }>(child('tfjs'), 600_000);
  figures.tfjs_backend = tfjs.backend;
  figures.tfjs_samples_per_s = tfjs.samplesPerSecond;

  const torch = await ensureTorch();
  if (torch.ok) {
    const def = await torchRun(null);
    const one = await torchRun(1);
    figures.torch_version = `${def.version} (Debian python3-torch${torch.installed ? ', installed by this run' : ''}), OPENBLAS_NUM_THREADS=1`;
    figures.torch_samples_per_s = def.samplesPerSecond;
    figures.torch_threads = def.threads;
    figures.torch_1thread_samples_per_s = one.samplesPerSecond;
    figures.tfjs_vs_torch_ratio = tfjs.samplesPerSecond / def.samplesPerSecond;
    figures.tfjs_vs_torch_1thread_ratio = tfjs.samplesPerSecond / one.samplesPerSecond;
  } else {
    figures.torch = `not measured: ${torch.reason}`;
  }

  Object.assign(figures, await serverFigures());
  return { name: 'training', figures };
}

// ---- child processes ----

async function childTfjs(): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  const { initTfBackend } = await import('../../backend/src/modules/training/tf-backend.js');
  const backend = await initTfBackend((process.env.TF_BACKEND as 'auto' | undefined) || 'auto');
  const model = tf.sequential();
  model.add(tf.layers.dense({ inputShape: [FEATURES], units: 256, activation: 'relu' }));
  model.add(tf.layers.dense({ units: 128, activation: 'relu' }));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  const optimizer = tf.train.adam(0.001);
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  const x = tf.randomNormal([SAMPLES, FEATURES], 0, 1, 'float32', 1);
  const y = tf.tidy(() => tf.oneHot(tf.randomUniform([SAMPLES], 0, CLASSES, 'int32', 2), CLASSES).toFloat());
  await model.fit(x, y, { epochs: 1, batchSize: BATCH, shuffle: true, verbose: 0 });
  const t = performance.now();
  await model.fit(x, y, { epochs: EPOCHS_TIMED, batchSize: BATCH, shuffle: true, verbose: 0 });
  const seconds = (performance.now() - t) / 1000;
  tf.dispose([x, y]);
  model.dispose();
  optimizer.dispose();
  console.log(JSON.stringify({ backend, samplesPerSecond: (EPOCHS_TIMED * SAMPLES) / seconds }));
}

const childServer = () => serveForBench('sokhan-bench-train-');

const at = process.argv.indexOf('--bench-child');
if (at !== -1) {
  const mode = process.argv[at + 1];
  await (mode === 'tfjs' ? childTfjs() : childServer());
}

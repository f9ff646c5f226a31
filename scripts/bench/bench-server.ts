import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../backend/test/ports.js';

/**
 * The body of a bench's server child process: the real server (offline, embedded PostgreSQL) on fresh temp
 * folders, its URL printed as one JSON line; SIGTERM closes it and removes the folders. Benches run it in a child
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
  console.log(JSON.stringify({ url: `http://127.0.0.1:${server.port}` }));
  const shutdown = async () => {
    await server.close();
    await fs.rm(root, { recursive: true, force: true });
    process.exit(0);
  };
  process.once('SIGTERM', () => void shutdown());
}

export interface BenchServer {
  url: string;
  pid: number;
  proc: ChildProcess;
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
        resolve({ url: (JSON.parse(line) as { url: string }).url, pid: proc.pid!, proc });
      }
    });
    proc.stderr!.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited ${code}: ${err.slice(-800)}`));
    });
  });
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

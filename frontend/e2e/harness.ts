import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../backend/test/ports.js';
import { buildFixtureRepos } from '../../scripts/hub-mirror/fixtures.js';
import { startHubMirror, type HubMirror } from '../../scripts/hub-mirror/server.js';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** E2E_ARTIFACTS moves the screenshots, the server log and the accessibility report (two runs at once on one tree). */
export const ARTIFACTS = process.env.E2E_ARTIFACTS ? path.resolve(process.env.E2E_ARTIFACTS) : path.join(ROOT, 'artifacts');
export const SCREENSHOTS = path.join(ARTIFACTS, 'screenshots');
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-quic',
  '--no-first-run',
  '--disable-sync',
];

export interface Stack {
  baseUrl: string;
  mirror: HubMirror;
  tmp: string;
  logFile: string;
  stop(): Promise<void>;
}

/** What must exist before the suite can run; each missing piece comes with the command that provides it. */
export function preflight(): string[] {
  const problems: string[] = [];
  if (!existsSync(CHROMIUM)) {
    problems.push(`Chromium is missing at ${CHROMIUM}. Install it with: sudo apt-get install -y chromium`);
  }
  if (!existsSync(path.join(ROOT, 'backend', 'dist', 'main.js')) && process.env.E2E_FROM_SOURCE !== '1') {
    problems.push('backend/dist/main.js is missing. Build first: npm run build');
  }
  if (!existsSync(path.join(ROOT, 'frontend', 'dist', 'index.html'))) {
    problems.push('frontend/dist/index.html is missing. Build first: npm run build -w frontend');
  }
  return problems;
}

async function waitForHealth(baseUrl: string, server: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited: number | null = null;
  server.once('exit', (code) => {
    exited = code ?? -1;
  });
  while (Date.now() < deadline) {
    if (exited !== null) throw new Error(`the server exited with code ${exited} before it was healthy`);
    try {
      const res = await fetch(`${baseUrl}/api/health`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`the server did not become healthy within ${timeoutMs / 1000} s`);
}

/**
 * The embedded PostgreSQL's postmaster serving `dataDir`, from its pid file; null once it has stopped. The pid is
 * trusted only while that process still runs on this cluster (a stale file's pid may belong to anything by now).
 */
function postmasterPid(dataDir: string): number | null {
  const cluster = path.join(dataDir, 'pg');
  try {
    const pid = Number.parseInt(readFileSync(path.join(cluster, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(cluster) ? pid : null;
  } catch {
    return null;
  }
}

function killNow(pid: number | null | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * The real stack on loopback: a Hub mirror over generated repositories and the built server (`node backend/dist/main.js`)
 * with a fresh embedded database and fresh folders, so every run starts from nothing.
 */
export async function startStack(): Promise<Stack> {
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-e2e-'));
  // If the runner exits without stop() (a second Ctrl-C, a crash), nothing it started outlives it.
  const removeTmp = () => rmSync(tmp, { recursive: true, force: true });
  process.once('exit', removeTmp);
  // Started as root, the embedded PostgreSQL runs as an unprivileged user that must be able to reach DATA_DIR.
  await fsp.chmod(tmp, 0o755);
  const hubDir = path.join(tmp, 'hub');
  // One larger repository so a download lasts long enough to watch (the mirror throttles it during that scenario),
  // and the runnable transformers.js models (with the two that do not run) for the try-it panel.
  await buildFixtureRepos(hubDir, { bigFileMB: 24, runnableModels: true });
  const mirror = await startHubMirror({ dir: hubDir, onError: () => undefined });

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  mkdirSync(ARTIFACTS, { recursive: true });
  const logFile = path.join(ARTIFACTS, 'e2e-server.log');
  const dataDir = path.join(tmp, 'data');
  const log = createWriteStream(logFile);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    DATABASE_URL: '',
    DATA_DIR: dataDir,
    MODELS_DIR: path.join(tmp, 'models'),
    DATASETS_DIR: path.join(tmp, 'datasets'),
    CHECKPOINTS_DIR: path.join(tmp, 'checkpoints'),
    EMBEDDED_PG_PORT: String(await freePort()),
    JWT_SECRET: randomBytes(32).toString('hex'),
    SECRET_KEY: randomBytes(32).toString('hex'),
    HF_ENDPOINT: mirror.url,
    HF_HUB_OFFLINE: '0',
    ADMIN_EMAIL: '',
    CORS_ORIGINS: '',
    BCRYPT_COST: '10',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '100000',
    AUTH_RATE_LIMIT_MAX: '1000',
  };
  const args =
    process.env.E2E_FROM_SOURCE === '1'
      ? ['--import', 'tsx', '--conditions=source', path.join(ROOT, 'backend', 'src', 'main.ts')]
      : [path.join(ROOT, 'backend', 'dist', 'main.js')];
  // In the runner's process group, so a group kill from outside (Ctrl-C, CI) reaches the server and its database too.
  const server = spawn(process.execPath, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  // For a server that hangs or died without stopping its database.
  const killAll = () => {
    killNow(server.pid);
    killNow(postmasterPid(dataDir));
  };
  // Before removeTmp: the processes go before their folders.
  process.prependOnceListener('exit', killAll);
  server.stdout?.pipe(log, { end: false });
  server.stderr?.pipe(log, { end: false });

  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise<void>((resolve) => server.once('exit', () => resolve()));
      // SIGTERM lets the server drain and stop its database.
      server.kill('SIGTERM');
      const timer = setTimeout(killAll, 20_000);
      await exited;
      clearTimeout(timer);
    }
    // A database the server left running (it crashed, or a second signal cut its shutdown short).
    killAll();
    process.off('exit', killAll);
    process.off('exit', removeTmp);
    log.end();
    // A scenario may already have closed the mirror on purpose.
    await mirror.close().catch(() => undefined);
    await fsp.rm(tmp, { recursive: true, force: true });
  };

  try {
    await waitForHealth(baseUrl, server, 120_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { baseUrl, mirror, tmp, logFile, stop };
}

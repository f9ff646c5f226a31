import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

export interface SokhanProcess {
  name: string;
  child: ChildProcess;
  /** Everything it printed so far (stdout and stderr). */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once it has exited. */
  exited: Promise<number | string>;
  /** SIGKILL now, and wait for the exit. */
  kill(): Promise<void>;
  /** SIGTERM (a graceful stop), then SIGKILL after `ms`. */
  stop(ms?: number): Promise<number | string>;
}

/**
 * The settings of a Sokhan process on the PostgreSQL at `databaseUrl` with its folders under `root` (every instance
 * given the same result shares them and its secrets, as machines of one install do); `over` wins.
 */
export function instanceEnv(root: string, databaseUrl: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    DB_POOL_MAX: '8',
    HOST: '127.0.0.1',
    DATA_DIR: path.join(root, 'data'),
    MODELS_DIR: path.join(root, 'models'),
    DATASETS_DIR: path.join(root, 'datasets'),
    CHECKPOINTS_DIR: path.join(root, 'checkpoints'),
    FRONTEND_DIST: path.join(root, 'no-frontend'),
    JWT_SECRET: randomBytes(32).toString('hex'),
    SECRET_KEY: randomBytes(32).toString('hex'),
    BCRYPT_COST: '10',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_MAX: '1000000',
    AUTH_RATE_LIMIT_MAX: '1000',
    ...over,
  };
}

/** Every process started here, so a test's afterAll can kill what it left. */
const started = new Set<SokhanProcess>();

/** `node backend/src/main.ts` from source (tsx), the way `./start.sh` runs the build, with exactly this environment on top of ours. */
export function startSokhan(name: string, env: Record<string, string>): SokhanProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions=source', path.join(ROOT, 'backend', 'src', 'main.ts')], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: 'production', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const alive = () => child.exitCode === null && child.signalCode === null;
  const p: SokhanProcess = {
    name,
    child,
    output: () => out,
    exited,
    kill: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
    },
    stop: async (ms = 20_000) => {
      if (alive()) child.kill('SIGTERM');
      const timer = setTimeout(() => alive() && child.kill('SIGKILL'), ms);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  started.add(p);
  void exited.then(() => started.delete(p));
  return p;
}

/** Kills every process startSokhan started that is still running. */
export async function killAllSokhan(): Promise<void> {
  await Promise.all([...started].map((p) => p.kill()));
}

/** Waits until the process prints `pattern`; fails early when it exits first. */
export async function waitForOutput(p: SokhanProcess, pattern: RegExp, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (pattern.test(p.output())) return;
    if (p.child.exitCode !== null || p.child.signalCode !== null) throw new Error(`${p.name} exited before printing ${pattern}:\n${p.output().slice(-3000)}`);
    if (Date.now() > deadline) throw new Error(`${p.name} did not print ${pattern} in time:\n${p.output().slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const WRAPPER = path.resolve(import.meta.dirname, 'lib', 'in-group.sh');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Starts the wrapper around a shell that leaves a `sleep` behind; resolves with the sleep's pid once printed. */
function start(script: string) {
  const child = spawn(WRAPPER, ['bash', '-c', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))));
  const orphan = new Promise<number>((resolve) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\n/.exec(out);
      if (m) resolve(Number(m[1]));
    });
  });
  return { child, exited, orphan };
}

async function gone(pid: number): Promise<boolean> {
  // The wrapper has exited when this runs; the group is stopped before that, so this only waits out reaping.
  for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 20));
  return !alive(pid);
}

describe('scripts/lib/in-group.sh', () => {
  it('stops what the command left running when it ends, and keeps its exit status', async () => {
    const run = start('sleep 300 & echo $!; exit 3');
    const pid = await run.orphan;
    expect(await run.exited).toBe(3);
    expect(await gone(pid)).toBe(true);
  });

  it('stops the whole group on SIGINT and exits 130', async () => {
    const run = start('sleep 300 & echo $!; wait');
    const pid = await run.orphan;
    expect(alive(pid)).toBe(true);
    run.child.kill('SIGINT');
    expect(await run.exited).toBe(130);
    expect(await gone(pid)).toBe(true);
  });
});

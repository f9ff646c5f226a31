import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');

/** Runs setup.sh's env loader on `envFile` text with `env` set, and prints the named variables. */
function load(envFile: string, env: Record<string, string>, names: string[]): Record<string, string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sokhan-env-'));
  try {
    fs.writeFileSync(path.join(dir, '.env'), envFile);
    const script = `. "${ROOT}/scripts/lib/env-defaults.sh"; load_env_defaults "${dir}/.env"; ${names.map((n) => `printf '%s=%s\\n' ${n} "\${${n}-<unset>}"`).join('; ')}`;
    const out = execFileSync('bash', ['-c', script], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, encoding: 'utf8' });
    return Object.fromEntries(out.trim().split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe("setup.sh's .env loading", () => {
  it('lets the environment win, and fills only what the environment lacks', () => {
    const got = load('# comment\nEMBEDDED_PG_PORT=54329\nDATA_DIR=./data\nDATABASE_URL=postgres://x\r\nQUOTED="a b"\nexport EXPORTED=1\nnot a line\n', { EMBEDDED_PG_PORT: '54450', DATABASE_URL: '' }, [
      'EMBEDDED_PG_PORT',
      'DATA_DIR',
      'DATABASE_URL',
      'QUOTED',
      'EXPORTED',
    ]);
    expect(got).toEqual({ EMBEDDED_PG_PORT: '54450', DATA_DIR: './data', DATABASE_URL: '', QUOTED: 'a b', EXPORTED: '1' });
  });

  it('setup.sh uses this loader, not `. ./.env`', () => {
    const setup = fs.readFileSync(path.join(ROOT, 'setup.sh'), 'utf8');
    expect(setup).toContain('load_env_defaults .env');
    expect(setup).not.toMatch(/^\s*(\.|source)\s+\.\/?\.env/m);
  });
});

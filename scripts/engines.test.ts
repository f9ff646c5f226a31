import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import semver from 'semver';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '..');
const declared = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { engines: { node: string } }).engines.node;
// The oldest release of each line the range admits: a dependency that refuses one of them breaks that line.
const FLOORS = ['20.19.0', '22.13.0', '24.0.0'];

function* packageJsons(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      yield* packageJsons(full);
      continue;
    }
    if (existsSync(path.join(full, 'package.json'))) yield path.join(full, 'package.json');
    yield* packageJsons(path.join(full, 'node_modules'));
  }
}

describe('supported Node.js versions', () => {
  it('package.json "engines" admits exactly the floors of 20, 22 and 24, and not the odd lines between', () => {
    for (const v of FLOORS) expect(semver.satisfies(v, declared), v).toBe(true);
    for (const v of ['20.18.0', '21.7.0', '22.12.0', '23.5.0']) expect(semver.satisfies(v, declared), v).toBe(false);
  });

  it('every installed dependency accepts every supported line', () => {
    const refusing: string[] = [];
    for (const root of ['node_modules', 'common/node_modules', 'backend/node_modules', 'frontend/node_modules']) {
      for (const file of packageJsons(path.join(ROOT, root))) {
        const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string; engines?: { node?: unknown } };
        const range = pkg.engines?.node;
        if (typeof range !== 'string' || !semver.validRange(range)) continue;
        for (const v of FLOORS) if (!semver.satisfies(v, range)) refusing.push(`${pkg.name}@${pkg.version} (${range}) refuses ${v}`);
      }
    }
    expect(refusing).toEqual([]);
  });

  it("setup.sh's version check agrees with the range", () => {
    const script = readFileSync(path.join(ROOT, 'setup.sh'), 'utf8');
    const check = /node -e '([^']+process\.exit[^']+)'/.exec(script)?.[1];
    expect(check).toBeDefined();
    for (const v of [...FLOORS, '20.18.0', '21.7.0', '22.12.0', '23.5.0', '25.1.0']) {
      const code = check!.replace('process.versions.node', JSON.stringify(v));
      let accepted = true;
      try {
        execFileSync(process.execPath, ['-e', code]);
      } catch {
        accepted = false;
      }
      expect(accepted, v).toBe(semver.satisfies(v, declared));
    }
  });
});

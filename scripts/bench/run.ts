/**
 * `npm run bench [-- name…]`: runs every `scripts/bench/*.bench.ts` (or the named ones). Each exports one async
 * function returning `{ name, figures }`, measured against a baseline in the same run. Figures are printed and
 * written to `artifacts/bench.json`; nothing here asserts a timing.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

interface BenchResult {
  name: string;
  figures: Record<string, number | string>;
}

const dir = path.dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.bench.ts')).sort();
const results: BenchResult[] = [];
for (const file of files) {
  const short = file.replace(/\.bench\.ts$/, '');
  if (wanted.length && !wanted.includes(short)) continue;
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as Record<string, unknown>;
  const fns = Object.values(mod).filter((v): v is () => Promise<BenchResult> => typeof v === 'function');
  for (const fn of fns) {
    console.log(`\n▸ ${short}`);
    const started = Date.now();
    try {
      const r = await fn();
      results.push(r);
      for (const [k, v] of Object.entries(r.figures)) console.log(`  ${k.padEnd(42)} ${typeof v === 'number' ? round(v) : v}`);
      console.log(`  (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (err) {
      console.log(`  ✗ ${short} failed: ${err instanceof Error ? err.message : String(err)}`);
      results.push({ name: short, figures: { error: String(err) } });
    }
  }
}
await fs.mkdir('artifacts', { recursive: true });
await fs.writeFile('artifacts/bench.json', JSON.stringify({ at: new Date().toISOString(), results }, null, 2));
console.log('\nfigures written to artifacts/bench.json');

function round(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : v.toPrecision(3);
}

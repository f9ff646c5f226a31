/** `npm run verify:build`: builds common, backend and frontend, then checks what each build must produce. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { Checks } from './lib/checks.js';

const checks = new Checks('verify:build');
const root = process.cwd();

for (const ws of ['common', 'backend', 'frontend']) {
  const started = Date.now();
  try {
    execFileSync('npm', ['run', 'build', '-w', ws, '--silent'], { stdio: ['ignore', 'ignore', 'pipe'] });
    checks.ok(true, `${ws} builds`, `${((Date.now() - started) / 1000).toFixed(1)} s`);
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().slice(-2000) ?? '';
    checks.ok(false, `${ws} builds`, stderr);
  }
}

const must = (rel: string, what: string) => checks.ok(existsSync(path.join(root, rel)), what, rel);
must('common/dist/index.js', 'common emits JavaScript');
must('common/dist/index.d.ts', 'common emits type declarations');
must('common/dist/featurize.js', 'common bundles featurize.js, the featuriser model archives carry');
must('backend/dist/main.js', 'backend emits its entry point');
must('backend/dist/cli/migrate.js', 'backend emits the migration CLI');
const index = path.join(root, 'frontend/dist/index.html');
if (must('frontend/dist/index.html', 'frontend emits index.html')) {
  const html = readFileSync(index, 'utf8');
  checks.ok(/<html[^>]*lang="fa"/.test(html) && /<html[^>]*dir="rtl"/.test(html), 'index.html is lang="fa" dir="rtl"');
  const assets = path.join(root, 'frontend/dist/assets');
  const files = existsSync(assets) ? readdirSync(assets) : [];
  const js = files.filter((f) => f.endsWith('.js'));
  const kb = Math.round(js.reduce((s, f) => s + statSync(path.join(assets, f)).size, 0) / 1024);
  checks.ok(js.length > 0, 'frontend emits hashed JavaScript assets', `${js.length} files, ${kb} KB`);
  checks.ok(files.some((f) => /\.woff2$/.test(f)), 'the Vazirmatn font is bundled (self-hosted)');
  // The playground runs a model's encoder on onnxruntime-web: its wasm is ours to serve, never a CDN's.
  checks.ok(files.some((f) => /^ort-wasm-simd-threaded\.asyncify-.*\.wasm$/.test(f)), 'onnxruntime-web\'s wasm is bundled (encoders run in the browser offline)');
}
process.exit(checks.summary());

/**
 * npm run hub-mirror -- --dir <folder> [--port 8089] [--file-port 8090] [--host 127.0.0.1] [--fixtures] [--big-mb N] [--throttle-mb-per-s N] [--ignore-range]
 * Serves a folder of repositories with the Hugging Face Hub's HTTP API, for air-gapped labs and local testing.
 */
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildFixtureRepos } from './fixtures.js';
import { startHubMirror } from './server.js';

const USAGE = `Usage: npm run hub-mirror -- --dir <folder> [options]

  --dir <folder>        folder of repositories: <folder>/<owner>/<name>/… (required)
  --port <n>            API host port (default 8089; 0 picks a free port)
  --file-port <n>       file host port for LFS downloads (default: port + 1, or free when port is 0)
  --host <addr>         interface to bind (default 127.0.0.1; 0.0.0.0 serves the whole network)
  --public-url <url>    API URL clients use, when behind a reverse proxy
  --public-file-url <url>  file host URL clients use, when behind a reverse proxy
  --fixtures            write the Persian fixture repositories first (when the folder is empty), runnable
                        transformers.js models (onnx-fixtures/) among them
  --big-mb <n>          with --fixtures: also write a repository with one n-MiB file
  --throttle-mb-per-s <n> cap file-host bandwidth per response (so per connection, as CDNs do) at n MB/s
  --ignore-range        answer Range requests on the file host with the whole file (200), as some hosts do
  -h, --help            this text`;

function portOf(raw: string | undefined, fallback: number, flag: string): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} must be a port number (0-65535), got "${raw}"`);
  return n;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  const entries = await fsp.readdir(dir).catch(() => null);
  return entries === null || entries.filter((e) => !e.startsWith('.')).length === 0;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      'file-port': { type: 'string' },
      host: { type: 'string' },
      'public-url': { type: 'string' },
      'public-file-url': { type: 'string' },
      fixtures: { type: 'boolean', default: false },
      'big-mb': { type: 'string' },
      'throttle-mb-per-s': { type: 'string' },
      'ignore-range': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.dir) {
    console.error(`--dir is required.\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const dir = path.resolve(values.dir);
  const port = portOf(values.port, 8089, '--port');
  const filePort = portOf(values['file-port'], port === 0 ? 0 : port + 1, '--file-port');
  const host = values.host ?? '127.0.0.1';
  const throttle = values['throttle-mb-per-s'] === undefined ? 0 : Number(values['throttle-mb-per-s']);
  if (!Number.isFinite(throttle) || throttle < 0) throw new Error(`--throttle-mb-per-s must be a number, got "${values['throttle-mb-per-s']}"`);

  if (values.fixtures) {
    if (await isEmptyDir(dir)) {
      const bigMb = values['big-mb'] === undefined ? 0 : Number(values['big-mb']);
      if (!Number.isFinite(bigMb) || bigMb < 0) throw new Error(`--big-mb must be a number of MiB, got "${values['big-mb']}"`);
      const repos = await buildFixtureRepos(dir, { bigFileMB: bigMb, runnableModels: true });
      console.log(`Wrote ${repos.length} fixture repositories and tokens.json into ${dir}`);
    } else {
      console.log(`${dir} is not empty: keeping its repositories (--fixtures writes only into an empty folder)`);
    }
  } else {
    const stat = await fsp.stat(dir).catch(() => null);
    if (!stat?.isDirectory()) throw new Error(`${dir} is not a folder (use --fixtures to create one with sample repositories)`);
  }

  const mirror = await startHubMirror({
    dir,
    port,
    filePort,
    host,
    prewarm: false,
    faults: {
      ...(throttle > 0 ? { throttleBytesPerSec: Math.round(throttle * 1_000_000) } : {}),
      ...(values['ignore-range'] ? { ignoreRange: true } : {}),
    },
    ...(values['public-url'] ? { publicUrl: values['public-url'] } : {}),
    ...(values['public-file-url'] ? { publicFileHostUrl: values['public-file-url'] } : {}),
  });
  console.log(`Hugging Face Hub mirror serving ${dir}`);
  console.log(`  API host:  ${mirror.url}`);
  console.log(`  File host: ${mirror.fileHostUrl}  (LFS downloads are redirected here)`);
  console.log('');
  console.log('Point clients at it:');
  console.log(`  export HF_ENDPOINT=${mirror.url}`);
  console.log(`  curl '${mirror.url}/api/models?search=fa'`);
  if (host === '127.0.0.1' || host === 'localhost') console.log('  (bound to loopback; use --host 0.0.0.0 to serve other machines)');

  // Hash in the background so the first downloads answer at once; requests before that hash on demand.
  const started = Date.now();
  mirror
    .warm()
    .then((n) => console.log(`Indexed ${n} repositories in ${((Date.now() - started) / 1000).toFixed(1)} s`))
    .catch((err: unknown) => console.error('Indexing failed:', err));

  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    console.log(`\n${signal}: closing the mirror`);
    mirror.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(`hub-mirror: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});

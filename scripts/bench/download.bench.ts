import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { HubClient } from '../../backend/src/modules/hub/hub.client.js';
import { buildFixtureRepos } from '../hub-mirror/fixtures.js';

/**
 * Hub download throughput and memory: a 256 MiB LFS file from the hub-mirror on loopback (302 to its file
 * host, as the Hub does), fetched by our downloader (HubClient.downloadModel: streaming to `.part`, sha256 while
 * streaming, size + sha256 check, fsync, atomic rename) against `curl -L -o` fetching the same file in the same
 * run. The mirror runs in its own process, so neither client shares an event loop with the server.
 * Peak RSS is sampled during our downloads of a 64 MiB and a 256 MiB file: flat means streams, not buffers.
 */

const BIG_MB = 256;
const SMALL_MB = 64;
const BIG_REPO = 'bench-lab/fa-tts-256';
const SMALL_REPO = 'bench-lab/fa-tts-64';
const FILE = 'model.safetensors';
const RUNS = 5;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

function curl(url: string, out: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn('curl', ['-sS', '-L', '--fail', '-o', out, url], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`curl exited ${code}: ${err}`))));
  });
}

/** Runs `fn` while sampling RSS every 10 ms; answers its seconds and the peak RSS seen. */
async function sampled(fn: () => Promise<unknown>): Promise<{ seconds: number; peakRss: number; baseRss: number }> {
  const baseRss = process.memoryUsage.rss();
  let peakRss = baseRss;
  const timer = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage.rss());
  }, 10);
  const started = performance.now();
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
  return { seconds: (performance.now() - started) / 1000, peakRss, baseRss };
}

const mb = (bytes: number) => bytes / (1024 * 1024);

/** `npm run hub-mirror` in a child process; resolves once it has indexed (hashed) every repository. */
function startMirrorProcess(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const cli = fileURLToPath(new URL('../hub-mirror/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--dir', dir, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let url: string | null = null;
    const timer = setTimeout(() => reject(new Error(`hub-mirror did not start: ${out}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      url ??= /API host:\s+(\S+)/.exec(out)?.[1] ?? null;
      if (url && /Indexed \d+ repositories/.test(out)) {
        clearTimeout(timer);
        resolve({ url, child });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`hub-mirror exited ${code}: ${out}`));
    });
  });
}

export async function benchDownload(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-dl-'));
  const mirrorDir = path.join(root, 'mirror');
  const out = path.join(root, 'out');
  await buildFixtureRepos(mirrorDir, { includeDefaults: false, writeTokens: false, bigFileMB: BIG_MB, bigRepoId: BIG_REPO, bigFileName: FILE });
  await buildFixtureRepos(mirrorDir, { includeDefaults: false, writeTokens: false, bigFileMB: SMALL_MB, bigRepoId: SMALL_REPO, bigFileName: FILE });
  const mirror = await startMirrorProcess(mirrorDir);
  const hub = new HubClient({ endpoint: mirror.url, timeoutMs: 30_000, retries: 2 });
  try {
    const info = await hub.getModelInfo(BIG_REPO);
    const url = `${mirror.url}/${BIG_REPO}/resolve/${info.sha}/${FILE}`;
    const size = BIG_MB * 1024 * 1024;

    const ours = async (repo: string) => {
      const dest = path.join(out, `ours-${Math.random().toString(36).slice(2)}`);
      const r = await sampled(() => hub.downloadModel(repo, dest, null, undefined, { include: [FILE] }));
      await fsp.rm(dest, { recursive: true, force: true });
      return r;
    };
    const viaCurl = async () => {
      const file = path.join(out, `curl-${Math.random().toString(36).slice(2)}.bin`);
      await fsp.mkdir(out, { recursive: true });
      const s = await curl(url, file);
      const st = await fsp.stat(file);
      if (st.size !== size) throw new Error(`curl wrote ${st.size} bytes, expected ${size}`);
      await fsp.rm(file, { force: true });
      return s;
    };

    // Warm both paths once (page cache of the source file, mirror digests, TCP), then alternate; best and median.
    await viaCurl();
    await ours(SMALL_REPO);
    const curlRuns: number[] = [];
    const ourRuns: { seconds: number; peakRss: number; baseRss: number }[] = [];
    for (let i = 0; i < RUNS; i += 1) {
      curlRuns.push(await viaCurl());
      ourRuns.push(await ours(BIG_REPO));
    }
    const small = await ours(SMALL_REPO);
    const bestOurs = Math.min(...ourRuns.map((r) => r.seconds));
    const bestCurl = Math.min(...curlRuns);
    const bigPeakDelta = Math.max(...ourRuns.map((r) => r.peakRss - r.baseRss));
    const smallPeakDelta = small.peakRss - small.baseRss;
    return {
      name: 'download',
      figures: {
        file_mib: BIG_MB,
        ours_mib_per_s: mb(size) / bestOurs,
        curl_mib_per_s: mb(size) / bestCurl,
        ours_vs_curl_ratio: bestCurl / bestOurs,
        ours_mib_per_s_median: mb(size) / median(ourRuns.map((r) => r.seconds)),
        curl_mib_per_s_median: mb(size) / median(curlRuns),
        runs_each: RUNS,
        ours_includes: 'sha256 while streaming + size/sha check + fsync + rename',
        peak_rss_mib_64: mb(small.peakRss),
        peak_rss_mib_256: mb(Math.max(...ourRuns.map((r) => r.peakRss))),
        peak_rss_growth_mib_64: mb(smallPeakDelta),
        peak_rss_growth_mib_256: mb(bigPeakDelta),
        host_load_1m_at_end: os.loadavg()[0] ?? 0,
        host_cpus: os.cpus().length,
        rss_flat: bigPeakDelta < 64 * 1024 * 1024 ? 'yes (growth independent of file size)' : 'no',
      },
    };
  } finally {
    await hub.close();
    mirror.child.kill('SIGTERM');
    await fsp.rm(root, { recursive: true, force: true });
  }
}

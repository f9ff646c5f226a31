import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import v8 from 'node:v8';
import vm from 'node:vm';
import type { ChunkMap, ChunkStore } from '../../backend/src/modules/hub/chunk-plan.js';
import { ConnectionBudget, HostLimiter, Semaphore } from '../../backend/src/modules/hub/connection-limiter.js';
import { HubClient } from '../../backend/src/modules/hub/hub.client.js';
import { buildFixtureRepos, type FixtureRepo } from '../hub-mirror/fixtures.js';

/**
 * Hub download throughput and memory, against curl and aria2c in the same run, on the hub-mirror's file host
 * (302 from the API host, as the Hub does; the mirror in its own process, so no client shares its event loop):
 * (a) unthrottled loopback, 256 MiB: ours (default settings: 8 ranges) and ours as one stream vs `curl -L -o`;
 * (b) each connection capped at 8 MiB/s, as CDNs do, 128 MiB: ours with 1 and with 8 connections vs curl and
 *     `aria2c -x 8 -s 8` (Debian's aria2, installed with apt-get when missing).
 * Ours includes everything a download does: sha256 (a worker reading back what was written), size + sha256
 * check, fsync, atomic rename. Every output file's sha256 is checked afterwards. Peak RSS is sampled during our
 * downloads of a 64 MiB and a 1 GiB file: flat means streams, not buffers.
 */

const MiB = 1024 * 1024;
const FILE = 'model.safetensors';
const FILES = { a: 256, b: 128, small: 64, huge: 1024 } as const;
const repoOf = (mb: number) => `bench-lab/fa-tts-${mb}`;
const RUNS_A = 3;
const THROTTLE_BYTES = 8 * MiB;
const ARIA_ARGS = ['-x', '8', '-s', '8', '-k', '1M'];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
const mb = (bytes: number) => bytes / MiB;

function run(cmd: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`${cmd} exited ${code}: ${err}`))));
  });
}

/** aria2c, installed from Debian when missing (the bench's only outside tool besides curl). */
function ensureAria2(): string | null {
  if (spawnSync('aria2c', ['--version'], { stdio: 'ignore' }).status === 0) return 'aria2c';
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'ignore' });
  spawnSync('apt-get', ['install', '-y', '-qq', 'aria2'], { stdio: 'ignore', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  return spawnSync('aria2c', ['--version'], { stdio: 'ignore' }).status === 0 ? 'aria2c' : null;
}

async function sha256File(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 4 * MiB })) h.update(chunk as Buffer);
  return h.digest('hex');
}

v8.setFlagsFromString('--expose-gc');
/** A full collection, so each memory sample starts from the same floor and garbage of earlier runs is not counted. */
const collect = vm.runInNewContext('gc') as () => void;

/** Runs `fn` while sampling RSS every 10 ms; answers its seconds and the peak RSS seen. */
async function sampled(fn: () => Promise<unknown>): Promise<{ seconds: number; peakRss: number; baseRss: number }> {
  collect();
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

/** `npm run hub-mirror` in a child process; resolves once it has indexed (hashed) every repository. */
function startMirrorProcess(dir: string, extra: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const cli = fileURLToPath(new URL('../hub-mirror/cli.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', cli, '--dir', dir, '--port', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    let out = '';
    let url: string | null = null;
    const timer = setTimeout(() => reject(new Error(`hub-mirror did not start: ${out}`)), 300_000);
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

/** Chunk maps in memory: the download manager keeps them in the database; here they only need to live for the run. */
function memoryStore(): ChunkStore {
  const maps = new Map<string, ChunkMap>();
  return {
    load: async (p) => maps.get(p) ?? null,
    save: async (p, m) => void maps.set(p, { ...m, done: [...m.done] }),
    remove: async (p) => void maps.delete(p),
  };
}

export async function benchDownload(): Promise<{ name: string; figures: Record<string, number | string> }> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-bench-dl-'));
  const mirrorDir = path.join(root, 'mirror');
  const out = path.join(root, 'out');
  await fsp.mkdir(out, { recursive: true });
  const sha: Record<number, string> = {};
  for (const size of new Set(Object.values(FILES))) {
    const repos: FixtureRepo[] = await buildFixtureRepos(mirrorDir, { includeDefaults: false, writeTokens: false, bigFileMB: size, bigRepoId: repoOf(size), bigFileName: FILE });
    sha[size] = repos.find((r) => r.id === repoOf(size))!.files.find((f) => f.path === FILE)!.sha256!;
  }
  const aria = ensureAria2();
  const fast = await startMirrorProcess(mirrorDir);
  const slow = await startMirrorProcess(mirrorDir, ['--throttle-mb-per-s', String(THROTTLE_BYTES / 1e6)]);
  const hubs = { fast: new HubClient({ endpoint: fast.url, timeoutMs: 30_000, retries: 2 }), slow: new HubClient({ endpoint: slow.url, timeoutMs: 30_000, retries: 2 }) };
  const mismatches: string[] = [];
  const checkOutput = async (file: string, size: number, who: string) => {
    if ((await sha256File(file)) !== sha[size]) mismatches.push(`${who} ${size} MiB`);
    await fsp.rm(file, { force: true });
  };
  try {
    const ours = async (hub: HubClient, size: number, connections: number) => {
      const dest = path.join(out, `ours-${Math.random().toString(36).slice(2)}`);
      const settings = { connections, chunkedMinBytes: 32 * MiB, chunks: memoryStore(), budget: new ConnectionBudget(new Semaphore(8), new HostLimiter(16)) };
      const r = await sampled(() => hub.downloadModel(repoOf(size), dest, null, undefined, { include: [FILE], transfer: settings }));
      await checkOutput(path.join(dest, FILE), size, `ours×${connections}`);
      await fsp.rm(dest, { recursive: true, force: true });
      return r;
    };
    const fileUrl = async (hub: HubClient, base: string, size: number) => {
      const info = await hub.getModelInfo(repoOf(size));
      return `${base}/${repoOf(size)}/resolve/${info.sha}/${FILE}`;
    };
    const viaCurl = async (url: string, size: number) => {
      const file = path.join(out, `curl-${Math.random().toString(36).slice(2)}.bin`);
      const s = await run('curl', ['-sS', '-L', '--fail', '-o', file, url]);
      await checkOutput(file, size, 'curl');
      return s;
    };
    const viaAria = async (bin: string, url: string, size: number) => {
      const name = `aria-${Math.random().toString(36).slice(2)}.bin`;
      const s = await run(bin, [...ARIA_ARGS, '-q', '--file-allocation=none', '--allow-overwrite=true', '-d', out, '-o', name, url]);
      await checkOutput(path.join(out, name), size, 'aria2c');
      return s;
    };

    // (a) Unthrottled: warm both paths once (page cache, mirror digests, TCP), then alternate; best and median.
    const urlA = await fileUrl(hubs.fast, fast.url, FILES.a);
    await viaCurl(urlA, FILES.a);
    await ours(hubs.fast, FILES.small, 8);
    const curlA: number[] = [];
    const oursA: number[] = [];
    const oursA1: number[] = [];
    for (let i = 0; i < RUNS_A; i += 1) {
      curlA.push(await viaCurl(urlA, FILES.a));
      oursA.push((await ours(hubs.fast, FILES.a, 8)).seconds);
      oursA1.push((await ours(hubs.fast, FILES.a, 1)).seconds);
    }
    const rate = (size: number, s: number) => size / s;

    // (b) Each connection capped: one run each (the cap makes them slow, and steady).
    const urlB = await fileUrl(hubs.slow, slow.url, FILES.b);
    const oursB8 = (await ours(hubs.slow, FILES.b, 8)).seconds;
    const oursB1 = (await ours(hubs.slow, FILES.b, 1)).seconds;
    const curlB = await viaCurl(urlB, FILES.b);
    const ariaB = aria ? await viaAria(aria, urlB, FILES.b) : null;

    // Memory: default settings on a 64 MiB and a 1 GiB file.
    const small = await ours(hubs.fast, FILES.small, 8);
    const huge = await ours(hubs.fast, FILES.huge, 8);

    const a8 = rate(FILES.a, Math.min(...oursA));
    const a1 = rate(FILES.a, Math.min(...oursA1));
    const ac = rate(FILES.a, Math.min(...curlA));
    const b8 = rate(FILES.b, oursB8);
    const b1 = rate(FILES.b, oursB1);
    const bc = rate(FILES.b, curlB);
    const ba = ariaB === null ? null : rate(FILES.b, ariaB);
    const growth64 = small.peakRss - small.baseRss;
    const growth1g = huge.peakRss - huge.baseRss;
    return {
      name: 'download',
      figures: {
        a_file_mib: FILES.a,
        a_ours_8conn_mib_per_s: a8,
        a_ours_1conn_mib_per_s: a1,
        a_curl_mib_per_s: ac,
        a_ours_8conn_vs_curl: a8 / ac,
        a_ours_1conn_vs_curl: a1 / ac,
        a_ours_8conn_mib_per_s_median: rate(FILES.a, median(oursA)),
        a_ours_1conn_mib_per_s_median: rate(FILES.a, median(oursA1)),
        a_curl_mib_per_s_median: rate(FILES.a, median(curlA)),
        a_ours_1conn_vs_curl_median: median(curlA) / median(oursA1),
        a_runs_each: RUNS_A,
        a_target: 'ours ≥ 0.9× curl',
        b_file_mib: FILES.b,
        b_cap_per_connection_mib_per_s: mb(THROTTLE_BYTES),
        b_ours_8conn_mib_per_s: b8,
        b_ours_1conn_mib_per_s: b1,
        b_curl_mib_per_s: bc,
        b_aria2c_mib_per_s: ba ?? 'aria2c not available',
        b_ours_8conn_vs_curl: b8 / bc,
        b_ours_8conn_vs_aria2c: ba === null ? 'n/a' : b8 / ba,
        b_aria2c_args: ARIA_ARGS.join(' '),
        b_target: 'ours×8 ≥ 0.9× aria2c and ≥ 6× curl',
        ours_includes: 'socket reads into write slabs + sha256 (worker, reading back) + size/sha check + fsync + rename',
        sha256_of_every_output: mismatches.length === 0 ? 'all match' : `MISMATCH: ${mismatches.join(', ')}`,
        peak_rss_mib_64: mb(small.peakRss),
        peak_rss_mib_1024: mb(huge.peakRss),
        peak_rss_growth_mib_64: mb(growth64),
        peak_rss_growth_mib_1024: mb(growth1g),
        rss_flat: growth1g - growth64 < 64 * MiB ? 'yes (16× the file, RSS growth within 64 MiB of the 64 MiB file’s)' : 'no',
        host_load_1m_at_end: os.loadavg()[0] ?? 0,
        host_cpus: os.cpus().length,
      },
    };
  } finally {
    await Promise.all([hubs.fast.close(), hubs.slow.close()]);
    fast.child.kill('SIGTERM');
    slow.child.kill('SIGTERM');
    await fsp.rm(root, { recursive: true, force: true });
  }
}

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fileFilter, HubClient, planFiles, type DownloadProgress } from '../src/modules/hub/hub.client.js';
import { retryAfterMs } from '../src/modules/hub/hub.http.js';
import { fileTarget, isSafeRepoPath, repoFolder } from '../src/modules/hub/hub.paths.js';
import { AppError } from '../src/platform/http/errors.js';
import { FIXTURE_TOKEN, GATED_REPO_ID, listTree, PRIVATE_REPO_ID, sha256File, startFixtureMirror, type MirrorFixture } from './hub-fixture.js';
import { freePort } from './ports.js';

const PIPER = 'sokhan-lab/piper-fa-amir-medium';
const ONNX = 'fa_IR-amir-medium.onnx';
const KWS = 'sokhan-lab/tfjs-fa-keyword-spotter';

let fx: MirrorFixture;
let hub: HubClient;
let work: string;

beforeAll(async () => {
  fx = await startFixtureMirror();
  hub = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 5000, retries: 2, retryBaseMs: 50 });
  work = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-hub-client-'));
});
afterAll(async () => {
  await hub.close();
  await fx.close();
  await fsp.rm(work, { recursive: true, force: true });
});
afterEach(() => {
  fx.mirror.resetFaults();
});

async function appErr(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}

const fresh = (name: string) => path.join(work, `${name}-${Math.random().toString(36).slice(2, 8)}`);

describe('search and details', () => {
  it('maps search results and pages through the Link header with an opaque cursor', async () => {
    const first = await hub.searchModels('fa', { limit: 2, sort: 'downloads' });
    expect(first.items).toHaveLength(2);
    expect(first.items[0]).toMatchObject({ id: 'persian-nlp/bert-fa-sentiment', pipeline_tag: 'text-classification', downloads: 55210, gated: false });
    expect(first.items[0]!.lastModified).toBe('2024-05-07T14:45:00.000Z');
    expect(first.nextCursor).toMatch(/^[A-Za-z0-9_-]+$/);
    const seen = new Set(first.items.map((i) => i.id));
    let cursor = first.nextCursor;
    let pages = 1;
    while (cursor) {
      const page = await hub.searchModels('', { cursor });
      for (const i of page.items) {
        // Later pages keep the expanded fields: the repo's size rides along.
        expect(i.usedStorage).toBe(fx.repo(i.id).totalSize);
        expect(seen.has(i.id)).toBe(false);
        seen.add(i.id);
      }
      cursor = page.nextCursor;
      pages += 1;
    }
    expect(pages).toBeGreaterThan(1);
    expect([...seen]).toContain(PIPER);
    // Downloads order is kept across pages.
    expect([...seen].indexOf('persian-nlp/bert-fa-sentiment')).toBe(0);
  });

  it('filters by task, author and language tag', async () => {
    const tts = await hub.searchModels('', { task: 'text-to-speech', limit: 50 });
    expect(tts.items.length).toBeGreaterThan(1);
    expect(tts.items.every((i) => i.pipeline_tag === 'text-to-speech')).toBe(true);
    const byAuthor = await hub.searchModels('', { author: 'sokhan-lab', limit: 50 });
    expect(byAuthor.items.every((i) => i.id.startsWith('sokhan-lab/'))).toBe(true);
    const english = await hub.searchModels('', { filter: ['en'], limit: 50 });
    expect(english.items.map((i) => i.id)).toEqual(['acme-ai/tiny-gpt-en']);
  });

  it('reads model info and the recursive tree with sizes, LFS sha256 and git oids', async () => {
    const info = await hub.getModelInfo(KWS);
    expect(info.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(info.pipeline_tag).toBe('audio-classification');
    const files = await hub.listModelFiles(KWS, { revision: info.sha });
    const expected = fx.repo(KWS).files;
    expect(files.map((f) => f.path).sort()).toEqual(expected.map((f) => f.path).sort());
    for (const f of files) {
      const want = expected.find((e) => e.path === f.path)!;
      expect(f.size).toBe(want.size);
      expect(f.lfs).toBe(want.lfs);
      if (want.lfs) expect(f.sha256).toBe(want.sha256);
      else expect(f.gitOid).toBe(want.oid);
    }
  });

  it('answers REPO_NOT_FOUND for a missing repo, a missing revision and a private repo without a token', async () => {
    const missing = await appErr(hub.getModelInfo('nobody/nothing-here'));
    expect([missing.status, missing.code]).toEqual([404, 'REPO_NOT_FOUND']);
    const rev = await appErr(hub.getModelInfo(PIPER, { revision: 'v9.9' }));
    expect(rev.code).toBe('REPO_NOT_FOUND');
    const priv = await appErr(hub.getModelInfo(PRIVATE_REPO_ID));
    expect(priv.code).toBe('REPO_NOT_FOUND');
    const owned = await hub.getModelInfo(PRIVATE_REPO_ID, { token: FIXTURE_TOKEN.owner });
    expect(owned.private).toBe(true);
  });

  it('validates tokens with whoami-v2', async () => {
    expect(await hub.validateToken(FIXTURE_TOKEN.granted)).toMatchObject({ valid: true, username: 'sokhan-researcher', tokenRole: 'read' });
    expect(await hub.validateToken('hf_NotARealToken000000000000000000')).toEqual({ valid: false });
  });

  it('refuses every call with HUB_OFFLINE when offline', async () => {
    const off = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 1000, retries: 0, offline: true });
    const e = await appErr(off.searchModels('x'));
    expect([e.status, e.code]).toEqual([503, 'HUB_OFFLINE']);
    await off.close();
  });
});

describe('resilience', () => {
  it('waits out a 429 as Retry-After says, then answers', async () => {
    fx.mirror.faults.rateLimitNext = 1;
    const started = Date.now();
    const page = await hub.searchModels('whisper', {});
    expect(page.items.map((i) => i.id)).toEqual(['parsi-speech/whisper-small-fa']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(fx.mirror.stats.rateLimited).toBeGreaterThanOrEqual(1);
  });

  it('gives up with HUB_RATE_LIMITED (429, Retry-After) when the limit persists', async () => {
    const once = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 2000, retries: 0 });
    fx.mirror.faults.rateLimitNext = 5;
    const e = await appErr(once.searchModels('x'));
    expect([e.status, e.code]).toEqual([429, 'HUB_RATE_LIMITED']);
    expect(e.headers?.['Retry-After']).toBe('1');
    await once.close();
  });

  it('retries 5xx answers with backoff', async () => {
    fx.mirror.faults.failNext5xx = 2;
    const info = await hub.getModelInfo(PIPER);
    expect(info.id).toBe(PIPER);
  });

  it('reports HUB_UNREACHABLE with the endpoint and a hint when nothing listens', async () => {
    const port = await freePort();
    const dead = new HubClient({ endpoint: `http://127.0.0.1:${port}`, timeoutMs: 1000, retries: 1, retryBaseMs: 10 });
    const e = await appErr(dead.searchModels('x'));
    expect([e.status, e.code]).toEqual([502, 'HUB_UNREACHABLE']);
    expect(e.message).toContain(`127.0.0.1:${port}`);
    expect(JSON.stringify(e.details)).toMatch(/HF_ENDPOINT.*HTTPS_PROXY/);
    await dead.close();
  });

  it('times out a Hub that does not answer (headers timeout) and reports it as unreachable', async () => {
    const impatient = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 200, retries: 0 });
    fx.mirror.faults.delayMs = 3000;
    const started = Date.now();
    const e = await appErr(impatient.getModelInfo(PIPER));
    expect(Date.now() - started).toBeLessThan(2500);
    expect(e.code).toBe('HUB_UNREACHABLE');
    expect(e.message).toMatch(/TIMEOUT/i);
    await impatient.close();
  });

  it('goes through an HTTP proxy (CONNECT) when one is configured', async () => {
    const tunnels: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: net.Socket, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const viaProxy = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 3000, retries: 0, proxy: { httpProxy: proxyUrl, noProxy: '' } });
    const page = await viaProxy.searchModels('piper', {});
    expect(page.items[0]?.id).toBe(PIPER);
    expect(tunnels).toContain(new URL(fx.mirror.url).host);
    await viaProxy.close();
    // NO_PROXY keeps the mirror off the proxy.
    tunnels.length = 0;
    const bypass = new HubClient({ endpoint: fx.mirror.url, timeoutMs: 3000, retries: 0, proxy: { httpProxy: proxyUrl, noProxy: '127.0.0.1' } });
    await bypass.searchModels('piper', {});
    expect(tunnels).toEqual([]);
    await bypass.close();
    proxy.closeAllConnections();
    await new Promise<void>((r) => proxy.close(() => r()));
  });
});

describe('downloads', () => {
  it('downloads a repository, checks every file, and never sends the token to the file host', async () => {
    const dest = fresh('gated');
    fx.mirror.resetStats();
    const events: DownloadProgress[] = [];
    const r = await hub.downloadModel(GATED_REPO_ID, dest, FIXTURE_TOKEN.granted, (p) => events.push(p));
    const fixture = fx.repo(GATED_REPO_ID);
    expect(r.files.map((f) => f.path)).toEqual(fixture.files.map((f) => f.path));
    for (const f of fixture.files) expect(await sha256File(path.join(dest, f.path))).toBe(f.sha256);
    expect(r.files.every((f) => fixture.files.find((x) => x.path === f.path)?.sha256 === f.sha256)).toBe(true);
    expect(await listTree(dest)).toEqual(fixture.files.map((f) => f.path).sort());
    const last = events[events.length - 1]!;
    expect(last).toMatchObject({ bytesDownloaded: fixture.totalSize, bytesTotal: fixture.totalSize, filesDone: fixture.files.length });
    const fileHost = fx.mirror.stats.requests.filter((q) => q.host === 'file');
    const resolves = fx.mirror.stats.requests.filter((q) => q.host === 'api' && q.url.includes('/resolve/'));
    expect(fileHost.length).toBeGreaterThan(0);
    expect(fileHost.every((q) => !q.hasAuthorization)).toBe(true);
    expect(resolves.every((q) => q.hasAuthorization)).toBe(true);
    expect(fx.mirror.stats.authRejected).toBe(0);
  });

  it('refuses a gated repo without a token (GATED_REPO) and with a token that lacks access', async () => {
    const none = await appErr(hub.downloadModel(GATED_REPO_ID, fresh('g0')));
    expect([none.status, none.code]).toEqual([403, 'GATED_REPO']);
    const plain = await appErr(hub.downloadModel(GATED_REPO_ID, fresh('g1'), FIXTURE_TOKEN.plain));
    expect(plain.code).toBe('GATED_REPO');
  });

  it('applies include and exclude globs', async () => {
    const dest = fresh('kws');
    const r = await hub.downloadModel(KWS, dest, null, undefined, { include: ['tfjs/**', '*.md'], exclude: ['**/*2of2.bin'] });
    expect(r.files.map((f) => f.path)).toEqual(['README.md', 'tfjs/group1-shard1of2.bin', 'tfjs/model.json']);
    expect(fileFilter([], ['*.onnx'])('onnx/quantized/model_int8.onnx')).toBe(true);
    expect(fileFilter([], ['**/*.onnx'])('onnx/quantized/model_int8.onnx')).toBe(false);
  });

  it('resumes after a dropped connection with a Range request', async () => {
    const dest = fresh('drop');
    fx.mirror.resetStats();
    fx.mirror.faults.dropAfterBytes = 400_000;
    const r = await hub.downloadModel(PIPER, dest, null, undefined, { include: [ONNX] });
    const want = fx.repo(PIPER).files.find((f) => f.path === ONNX)!;
    expect(r.files[0]).toMatchObject({ path: ONNX, sha256: want.sha256, size: want.size });
    expect(fx.mirror.stats.drops).toBe(1);
    const ranged = fx.mirror.stats.requests.filter((q) => q.host === 'file' && q.range);
    expect(ranged.length).toBeGreaterThanOrEqual(1);
    expect(Number(/bytes=(\d+)-/.exec(ranged[0]!.range!)?.[1])).toBeGreaterThan(0);
    expect(await sha256File(path.join(dest, ONNX))).toBe(want.sha256);
    expect(await listTree(dest)).toEqual([ONNX]);
  });

  it('continues a .part left by an earlier run, sending only the missing bytes', async () => {
    const dest = fresh('part');
    const want = fx.repo(PIPER).files.find((f) => f.path === ONNX)!;
    const bytes = await fsp.readFile(want.absPath);
    await fsp.mkdir(dest, { recursive: true });
    await fsp.writeFile(path.join(dest, `${ONNX}.part`), bytes.subarray(0, 1_000_000));
    fx.mirror.resetStats();
    const r = await hub.downloadModel(PIPER, dest, null, undefined, { include: [ONNX] });
    expect(r.files[0]).toMatchObject({ sha256: want.sha256, resumedFrom: 1_000_000 });
    expect(fx.mirror.stats.bytesServed).toBe(want.size - 1_000_000);
  });

  it('starts a file over when the server answers 200 to a Range request', async () => {
    const dest = fresh('norange');
    const want = fx.repo(PIPER).files.find((f) => f.path === ONNX)!;
    await fsp.mkdir(dest, { recursive: true });
    // A stale .part whose bytes are wrong: restarting from zero is the only way to a good file.
    await fsp.writeFile(path.join(dest, `${ONNX}.part`), Buffer.alloc(300_000, 7));
    fx.mirror.faults.ignoreRange = true;
    fx.mirror.resetStats();
    const r = await hub.downloadModel(PIPER, dest, null, undefined, { include: [ONNX] });
    expect(r.files[0]).toMatchObject({ sha256: want.sha256, resumedFrom: 0 });
    expect(fx.mirror.stats.rangeRequests).toBeGreaterThanOrEqual(1);
    expect(await sha256File(path.join(dest, ONNX))).toBe(want.sha256);
  });

  it('fails with FILE_CHECK_FAILED on a sha256 mismatch and leaves neither the file nor a .part', async () => {
    const dest = fresh('corrupt');
    fx.mirror.faults.corruptFile = ONNX;
    const e = await appErr(hub.downloadModel(PIPER, dest, null, undefined, { include: [ONNX, '*.json'] }));
    expect([e.status, e.code]).toEqual([422, 'FILE_CHECK_FAILED']);
    expect(e.message).toContain('sha256');
    const left = await listTree(dest);
    expect(left.filter((p) => p === ONNX || p === `${ONNX}.part`)).toEqual([]);
    // The other files of the download were verified and stay for a retry.
    expect(left).toContain(`${ONNX}.json`);
  });

  it('skips files already present and verified', async () => {
    const dest = fresh('again');
    await hub.downloadModel(KWS, dest);
    fx.mirror.resetStats();
    const r = await hub.downloadModel(KWS, dest);
    expect(r.files.every((f) => f.skipped)).toBe(true);
    expect(fx.mirror.stats.bytesServed).toBe(0);
  });
});

describe('path safety', () => {
  it('accepts ordinary names and refuses hostile ones', () => {
    for (const ok of ['model.onnx', 'tfjs/group1-shard1of2.bin', 'دادگان/فایل.txt', '.gitattributes', 'a..b/c']) expect(isSafeRepoPath(ok)).toBe(true);
    for (const bad of ['../x', 'a/../../x', '/etc/passwd', 'C:/x', 'c:x', 'a\\b', 'a\0b', '', 'a//b', './x', 'a/.', 'x\n']) {
      expect(isSafeRepoPath(bad)).toBe(false);
    }
    expect(() => fileTarget('/srv/models/a/b', '../../x')).toThrow(AppError);
    expect(() => repoFolder('/srv/models', '../etc', 'main')).toThrow(AppError);
    expect(() => repoFolder('/srv/models', 'a/b', '../../x')).toThrow(AppError);
    expect(repoFolder('/srv/models', 'a/b', 'main')).toBe('/srv/models/a/b');
    expect(repoFolder('/srv/models', 'a/b', 'refs/pr/1')).toBe('/srv/models/a/b@refs--pr--1');
    // A one-part id never lands in (or is) an owner's folder.
    expect(repoFolder('/srv/models', 'gpt2', 'main')).toBe('/srv/models/_legacy/gpt2');
    expect(repoFolder('/srv/models', 'gpt2', 'v1')).toBe('/srv/models/_legacy/gpt2@v1');
    expect(() => repoFolder('/srv/models', '_legacy', 'main')).toThrow(AppError);
    expect(() => planFiles([
      { path: 'a', size: 1, sha256: null, gitOid: null, lfs: false, oid: null },
      { path: 'a/b', size: 1, sha256: null, gitOid: null, lfs: false, oid: null },
    ])).toThrow(AppError);
  });

  it('writes nothing when a Hub serves hostile file names', async () => {
    const sha = 'a'.repeat(40);
    let tree: { type: string; path: string; size: number; oid: string }[] = [];
    const writes: string[] = [];
    const server = http.createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      if (url.pathname === '/api/models/evil-org/hostile') {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: 'evil-org/hostile', sha, siblings: [] }));
      } else if (url.pathname.startsWith('/api/models/evil-org/hostile/tree/')) {
        res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(tree));
      } else if (url.pathname.startsWith('/evil-org/hostile/resolve/')) {
        writes.push(url.pathname);
        res.writeHead(200, { 'Content-Length': '5' }).end('pwned');
      } else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const evil = new HubClient({ endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, timeoutMs: 2000, retries: 0 });
    const root = fresh('hostile-root');
    const dest = path.join(root, 'models', 'evil-org', 'hostile');
    const oid = createHash('sha1').update('blob 5\0pwned').digest('hex');
    for (const name of ['../../escape.txt', '../../../../tmp/escape.txt', '/tmp/abs.txt', 'C:/win.txt', 'dir\\win.txt', 'ok/../../x.txt', 'nul\0.txt']) {
      tree = [
        { type: 'file', path: 'README.md', size: 5, oid },
        { type: 'file', path: name, size: 5, oid },
      ];
      const e = await appErr(evil.downloadModel('evil-org/hostile', dest));
      expect(e.code).toBe('UNSAFE_PATH');
    }
    expect(writes).toEqual([]);
    expect(await listTree(root)).toEqual([]);
    await evil.close();
    await new Promise<void>((r) => server.close(() => r()));
  });
});

describe('helpers', () => {
  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(retryAfterMs('2')).toBe(2000);
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('soon')).toBeNull();
  });
});

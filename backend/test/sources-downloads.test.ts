import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DownloadCompleteEvent, DownloadErrorEvent, DownloadProgressEvent, DownloadRecord } from '@sokhan/common';
import { io as connect, type Socket } from 'socket.io-client';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, startTestServer } from './helpers.js';
import { listTree, sha256File, startFixtureMirror, waitFor, waitForDownload, type MirrorFixture } from './hub-fixture.js';

const PIPER = 'sokhan-lab/piper-fa-amir-medium';
const ONNX = 'fa_IR-amir-medium.onnx';
const SLOW = 'test-lab/slow-events';
const KWS = 'sokhan-lab/tfjs-fa-keyword-spotter';

let fx: MirrorFixture;

beforeAll(async () => {
  fx = await startFixtureMirror({
    extraRepos: [{ id: SLOW, meta: { pipeline_tag: 'text-to-speech' }, files: { 'weights.bin': { randomBytes: 1_000_000, seed: 'slow-events' }, 'config.json': '{}\n' } }],
  });
});
afterAll(async () => {
  await fx.close();
});
afterEach(() => {
  fx.mirror.resetFaults();
});

describe('live progress', () => {
  it("sends throttled progress and a complete event to the owner's room only", async () => {
    const s = await startTestServer(fx.env);
    const sockets: Socket[] = [];
    try {
      const alice = await registerUser(s.app);
      const bob = await registerUser(s.app);
      const open = (token: string) => {
        const c = connect(s.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true });
        sockets.push(c);
        return new Promise<Socket>((resolve, reject) => {
          c.once('connect', () => resolve(c));
          c.once('connect_error', reject);
        });
      };
      const [sa, sb] = await Promise.all([open(alice.token), open(bob.token)]);
      const progress: DownloadProgressEvent[] = [];
      const complete: DownloadCompleteEvent[] = [];
      let completedAt = 0;
      const errors: DownloadErrorEvent[] = [];
      const leaked: string[] = [];
      sa.on('download:progress', (p) => progress.push(p));
      sa.on('download:complete', (p) => {
        completedAt ||= Date.now();
        complete.push(p);
      });
      sa.on('download:error', (p) => errors.push(p));
      for (const e of ['download:progress', 'download:complete', 'download:error'] as const) sb.on(e, () => leaked.push(e));

      fx.mirror.faults.throttleBytesPerSec = 700_000;
      const sentAt = Date.now();
      const res = await request(s.app).post('/api/sources/download').set(bearer(alice.token)).send({ repoId: SLOW });
      expect(res.status).toBe(202);
      const id = (res.body as DownloadRecord).id;
      await waitFor(async () => complete.length > 0, 'download:complete');
      const total = fx.repo(SLOW).totalSize;
      expect(complete[0]).toEqual({
        id,
        modelId: expect.any(String),
        repoId: SLOW,
        sizeBytes: total,
        files: 2,
      });
      expect(progress.length).toBeGreaterThanOrEqual(3);
      expect(progress.every((p) => p.id === id && p.repoId === SLOW && p.bytesTotal === total)).toBe(true);
      for (let i = 1; i < progress.length; i += 1) expect(progress[i]!.bytesDownloaded).toBeGreaterThanOrEqual(progress[i - 1]!.bytesDownloaded);
      // At most 4 a second. Arrival gaps say nothing under load (events can land in one tick), but every event
      // was sent between the request and the complete event, ≥ 250 ms apart, plus one unthrottled final one.
      // The exact spacing is checked with a fake clock in sources-progress.test.ts.
      expect(progress.length).toBeLessThanOrEqual(Math.ceil((completedAt - sentAt) / 250) + 2);
      const last = progress[progress.length - 1]!;
      expect(last).toMatchObject({ bytesDownloaded: total, progress: 100, etaSeconds: 0 });
      const mid = progress.find((p) => p.bytesDownloaded > 0 && p.bytesDownloaded < total);
      expect(mid?.speedBps).toBeGreaterThan(100_000);
      expect(mid?.etaSeconds).toBeGreaterThan(0);
      expect(mid?.file).toBe('weights.bin');
      const row = await s.pool.query('SELECT status, progress, bytes_downloaded FROM download_queue WHERE id = $1', [id]);
      expect(row.rows[0]).toMatchObject({ status: 'completed', progress: 100, bytes_downloaded: total });

      // A cancel is announced too, to the owner only.
      fx.mirror.faults.throttleBytesPerSec = 100_000;
      const second = await request(s.app).post('/api/sources/download').set(bearer(alice.token)).send({ repoId: PIPER });
      await waitFor(async () => progress.some((p) => p.id === second.body.id), 'progress of the second download');
      await request(s.app).delete(`/api/sources/download/${second.body.id}`).set(bearer(alice.token)).expect(200);
      await waitFor(async () => errors.length > 0, 'download:error');
      expect(errors[0]).toEqual({ id: second.body.id, code: 'DOWNLOAD_CANCELLED', message: expect.any(String) });
      await new Promise((r) => setTimeout(r, 100));
      expect(leaked).toEqual([]);
    } finally {
      for (const c of sockets) c.close();
      await s.close();
    }
  });
});

describe('restart', () => {
  it('resumes mid-file after the services stop and a new app starts on the same database and folders', async () => {
    const t1 = await buildTestApp({ ...fx.env, DOWNLOAD_CONCURRENCY: '1' });
    let t2: Awaited<ReturnType<typeof buildTestApp>> | null = null;
    try {
      const u = await registerUser(t1.app);
      fx.mirror.faults.throttleBytesPerSec = 400_000;
      const first = await request(t1.app).post('/api/sources/download').set(bearer(u.token)).send({ repoId: PIPER, include: [ONNX] });
      const queued = await request(t1.app).post('/api/sources/download').set(bearer(u.token)).send({ repoId: KWS });
      expect([first.status, queued.status]).toEqual([202, 202]);
      const part = path.join(t1.config.paths.models, 'sokhan-lab', 'piper-fa-amir-medium', `${ONNX}.part`);
      await waitFor(async () => ((await fsp.stat(part).catch(() => null))?.size ?? 0) > 300_000, 'a .part file with bytes');
      // One download at a time (DOWNLOAD_CONCURRENCY=1): the second waits.
      expect((await request(t1.app).get(`/api/sources/download/${queued.body.id}`).set(bearer(u.token))).body.status).toBe('queued');

      await t1.services.stop();
      const kept = (await fsp.stat(part)).size;
      expect(kept).toBeGreaterThan(300_000);
      const rows = await t1.pool.query('SELECT id, status FROM download_queue ORDER BY created_at');
      expect(rows.rows.map((r) => r.status)).toEqual(['running', 'queued']);

      fx.mirror.resetFaults();
      fx.mirror.resetStats();
      t2 = await buildTestApp({}, { pool: t1.pool, config: t1.config });
      const a = await waitForDownload(t2.app, u.token, first.body.id);
      const b = await waitForDownload(t2.app, u.token, queued.body.id);
      expect([a.status, b.status]).toEqual(['completed', 'completed']);
      const want = fx.repo(PIPER).files.find((f) => f.path === ONNX)!;
      expect(await sha256File(part.slice(0, -'.part'.length))).toBe(want.sha256);
      const ranged = fx.mirror.stats.requests.filter((q) => q.host === 'file' && q.url.endsWith(ONNX));
      expect(ranged).toHaveLength(1);
      const from = Number(/bytes=(\d+)-/.exec(ranged[0]!.range ?? '')?.[1]);
      expect(from).toBeGreaterThanOrEqual(kept);
      const kwsBytes = fx.repo(KWS).totalSize;
      expect(fx.mirror.stats.bytesServed).toBe(want.size - from + kwsBytes);
      expect(await listTree(path.join(t1.config.paths.models, 'sokhan-lab', 'piper-fa-amir-medium'))).toEqual([ONNX]);
    } finally {
      await t2?.services.stop();
      await t1.close();
    }
  });
});

/** A 1 MiB tmpfs: real ENOSPC. Needs root and mount rights, so the test is skipped elsewhere. */
function tryMountTmpfs(dir: string): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('disk full', () => {
  it('fails with DISK_FULL, removes partial files, and keeps serving', async (ctx) => {
    const mnt = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-full-'));
    if (!tryMountTmpfs(mnt)) {
      await fsp.rm(mnt, { recursive: true, force: true });
      ctx.skip();
      return;
    }
    const t = await buildTestApp({ ...fx.env, MODELS_DIR: mnt });
    try {
      const u = await registerUser(t.app);
      const res = await request(t.app).post('/api/sources/download').set(bearer(u.token)).send({ repoId: PIPER });
      const done = await waitForDownload(t.app, u.token, res.body.id);
      expect(done).toMatchObject({ status: 'failed', errorCode: 'DISK_FULL' });
      expect(done.error).toMatch(/no space/);
      expect((await listTree(mnt)).filter((p) => p.endsWith('.part'))).toEqual([]);
      expect((await request(t.app).get('/api/health')).status).toBe(200);
      const small = await request(t.app).post('/api/sources/download').set(bearer(u.token)).send({ repoId: KWS });
      expect((await waitForDownload(t.app, u.token, small.body.id)).status).toBe('completed');
    } finally {
      await t.close();
      execFileSync('umount', [mnt], { stdio: 'ignore' });
      await fsp.rm(mnt, { recursive: true, force: true });
    }
  });
});

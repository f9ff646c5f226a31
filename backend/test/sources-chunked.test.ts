import path from 'node:path';
import type { DownloadProgressEvent } from '@sokhan/common';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Notifier } from '../src/platform/realtime/realtime.js';
import { bearer, buildTestApp, registerUser } from './helpers.js';
import { listTree, sha256File, startFixtureMirror, waitFor, waitForDownload, type MirrorFixture } from './hub-fixture.js';

/** Large files as parallel ranges, through the real app, database and hub-mirror (302 to its file host). */

const BIG = 'chunk-lab/fa-tts-16';
const FILE = 'model.safetensors';
const SIZE = 16 * 1024 * 1024;
/** What chunkSizeFor gives a 16 MiB file: four pieces of 4 MiB. */
const PIECE = 4 * 1024 * 1024;
const RANGES_ENV = { DOWNLOAD_CONNECTIONS: '2', DOWNLOAD_CHUNKED_MIN_MB: '1', DOWNLOAD_MAX_CONNECTIONS: '4' };

let fx: MirrorFixture;
let want: string;

beforeAll(async () => {
  fx = await startFixtureMirror({ bigFileMB: 16, bigRepoId: BIG, bigFileName: FILE });
  want = fx.repo(BIG).files.find((f) => f.path === FILE)!.sha256!;
});
afterAll(async () => {
  await fx.close();
});
afterEach(() => {
  fx.mirror.resetFaults();
  fx.mirror.resetStats();
});

function recordingNotifier(): Notifier & { progress: DownloadProgressEvent[] } {
  const progress: DownloadProgressEvent[] = [];
  return {
    progress,
    notifyUser: (_user, event, payload) => {
      if (event === 'download:progress') progress.push(payload as DownloadProgressEvent);
    },
    connectedCount: () => 0,
  };
}

/** Range requests the file host saw for the big file, as [start, end] pairs. */
function fileRanges(): [number, number][] {
  return fx.mirror.stats.requests
    .filter((q) => q.host === 'file' && q.url.endsWith(FILE) && q.range)
    .map((q) => {
      const m = /bytes=(\d+)-(\d*)/.exec(q.range!)!;
      return [Number(m[1]), Number(m[2])];
    });
}

async function start(t: Awaited<ReturnType<typeof buildTestApp>>, token: string): Promise<string> {
  const res = await request(t.app).post('/api/sources/download').set(bearer(token)).send({ repoId: BIG, include: [FILE] });
  expect(res.status).toBe(202);
  return res.body.id as string;
}

const target = (t: Awaited<ReturnType<typeof buildTestApp>>) => path.join(t.config.paths.models, 'chunk-lab', 'fa-tts-16', FILE);

describe('parallel ranges', () => {
  it('fetches a large file as pieces over several connections, reports them, and verifies it', async () => {
    const notifier = recordingNotifier();
    const t = await buildTestApp({ ...fx.env, ...RANGES_ENV }, { notifier });
    try {
      const u = await registerUser(t.app);
      fx.mirror.faults.throttleBytesPerSec = 8_000_000;
      const id = await start(t, u.token);
      const done = await waitForDownload(t.app, u.token, id);
      expect(done.status).toBe('completed');
      expect(await sha256File(target(t))).toBe(want);
      expect(fileRanges().sort((a, b) => a[0] - b[0])).toEqual([0, 1, 2, 3].map((i) => [i * PIECE, (i + 1) * PIECE - 1]));
      expect(Math.max(...notifier.progress.map((p) => p.connections ?? 0))).toBe(2);
      const last = notifier.progress[notifier.progress.length - 1]!;
      expect(last.bytesDownloaded).toBe(SIZE);
      expect((await t.pool.query('SELECT count(*)::int AS n FROM download_chunks')).rows[0].n).toBe(0);
      expect(await listTree(path.dirname(target(t)))).toEqual([FILE]);
    } finally {
      await t.close();
    }
  });

  it('resumes only the piece whose connection dropped, from its last byte on disk', async () => {
    const t = await buildTestApp({ ...fx.env, ...RANGES_ENV });
    try {
      const u = await registerUser(t.app);
      fx.mirror.faults.dropAfterBytes = 1_000_000;
      const id = await start(t, u.token);
      expect((await waitForDownload(t.app, u.token, id)).status).toBe('completed');
      expect(await sha256File(target(t))).toBe(want);
      // Both connections' first answers were cut (the fault is armed when an answer starts).
      const drops = fx.mirror.stats.drops;
      expect(drops).toBeGreaterThanOrEqual(1);
      const ranges = fileRanges();
      // Four pieces, and one resume per drop that starts inside its piece, where the cut one stopped, and ends with it.
      expect(ranges).toHaveLength(4 + drops);
      const resumed = ranges.filter(([s]) => s % PIECE !== 0);
      expect(resumed).toHaveLength(drops);
      for (const [s, e] of resumed) expect(e + 1).toBe(Math.ceil(s / PIECE) * PIECE);
      // Nothing fetched twice: exactly the file's bytes left the host.
      expect(fx.mirror.stats.bytesServed).toBe(SIZE);
    } finally {
      await t.close();
    }
  });

  it('after a restart resumes each unfinished piece from the stored chunk map', async () => {
    const t1 = await buildTestApp({ ...fx.env, ...RANGES_ENV });
    let t2: Awaited<ReturnType<typeof buildTestApp>> | null = null;
    try {
      const u = await registerUser(t1.app);
      fx.mirror.faults.throttleBytesPerSec = 2_000_000;
      const id = await start(t1, u.token);
      await waitFor(async () => {
        const r = await t1.pool.query<{ done: number[] }>('SELECT to_jsonb(done) AS done FROM download_chunks');
        return (r.rows[0]?.done.filter((d) => d > 0).length ?? 0) >= 2;
      }, 'two pieces with bytes in the chunk map');
      await t1.services.stop();
      const stored = await t1.pool.query<{ done: number[]; etag: string; download_id: string }>('SELECT to_jsonb(done) AS done, etag, download_id FROM download_chunks');
      expect(stored.rows).toHaveLength(1);
      const map = stored.rows[0]!;
      expect(map.download_id).toBe(id);
      expect(map.etag).toBe(`"${want}"`);
      const kept = map.done.reduce((s, d) => s + d, 0);
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(SIZE);

      fx.mirror.resetFaults();
      fx.mirror.resetStats();
      t2 = await buildTestApp({}, { pool: t1.pool, config: t1.config });
      expect((await waitForDownload(t2.app, u.token, id)).status).toBe('completed');
      expect(await sha256File(target(t2))).toBe(want);
      // Each piece was asked for from where the stored map said it stopped, and nothing else.
      const expected = map.done.map((d, i) => [i * PIECE + d, (i + 1) * PIECE - 1] as [number, number]).filter(([s, e]) => s <= e);
      expect(fileRanges().sort((a, b) => a[0] - b[0])).toEqual(expected);
      expect(fx.mirror.stats.bytesServed).toBe(SIZE - kept);
      expect((await t2.pool.query('SELECT count(*)::int AS n FROM download_chunks')).rows[0].n).toBe(0);
    } finally {
      if (t2) await t2.close();
      else await t1.close();
    }
  });

  it('backs off a 503 on a piece and asks for that piece again, nothing else', async () => {
    const t = await buildTestApp({ ...fx.env, ...RANGES_ENV });
    try {
      const u = await registerUser(t.app);
      fx.mirror.faults.throttleBytesPerSec = 6_000_000;
      const id = await start(t, u.token);
      await waitFor(async () => fileRanges().length > 0 || fx.mirror.stats.bytesServed > 0, 'the first pieces moving');
      // The next requests are the later pieces' (the API host is done with the plan by now).
      fx.mirror.faults.failNext5xx = 2;
      expect((await waitForDownload(t.app, u.token, id)).status).toBe('completed');
      expect(await sha256File(target(t))).toBe(want);
      expect(fx.mirror.stats.failed5xx).toBe(2);
      expect(fx.mirror.stats.bytesServed).toBe(SIZE);
    } finally {
      await t.close();
    }
  });

  it('falls back to one stream when the host ignores Range', async () => {
    const t = await buildTestApp({ ...fx.env, ...RANGES_ENV });
    try {
      const u = await registerUser(t.app);
      fx.mirror.faults.ignoreRange = true;
      const id = await start(t, u.token);
      expect((await waitForDownload(t.app, u.token, id)).status).toBe('completed');
      expect(await sha256File(target(t))).toBe(want);
      const asked = fx.mirror.stats.requests.filter((q) => q.host === 'file' && q.url.endsWith(FILE));
      // The ranged requests got 200 and were cut; then one plain request carried the whole file.
      expect(asked.filter((q) => q.range === null)).toHaveLength(1);
      expect(asked.filter((q) => q.range !== null).every((q) => q.status === 200)).toBe(true);
      expect(await listTree(path.dirname(target(t)))).toEqual([FILE]);
    } finally {
      await t.close();
    }
  });

  it('restarts the file when the ETag changes mid-download', async () => {
    const t = await buildTestApp({ ...fx.env, ...RANGES_ENV });
    try {
      const u = await registerUser(t.app);
      fx.mirror.faults.throttleBytesPerSec = 3_000_000;
      const id = await start(t, u.token);
      await waitFor(async () => {
        const r = await t.pool.query<{ done: number[] }>('SELECT to_jsonb(done) AS done FROM download_chunks');
        return (r.rows[0]?.done.reduce((s, d) => s + d, 0) ?? 0) > 0;
      }, 'bytes in the chunk map');
      fx.mirror.faults.etagSuffix = '-v2';
      fx.mirror.stats.bytesServed = 0;
      expect((await waitForDownload(t.app, u.token, id, undefined, 60_000)).status).toBe('completed');
      expect(await sha256File(target(t))).toBe(want);
      // After the change the whole file came again (resuming would have needed less), its first piece twice in all.
      expect(fx.mirror.stats.bytesServed).toBeGreaterThanOrEqual(SIZE);
      expect(fileRanges().filter(([s]) => s === 0).length).toBeGreaterThanOrEqual(2);
      expect((await t.pool.query('SELECT count(*)::int AS n FROM download_chunks')).rows[0].n).toBe(0);
    } finally {
      await t.close();
    }
  });

  it('fails on a sha256 mismatch in one piece and leaves no file, part or chunk map', async () => {
    const t = await buildTestApp({ ...fx.env, ...RANGES_ENV });
    try {
      const u = await registerUser(t.app);
      fx.mirror.faults.corruptFile = FILE;
      fx.mirror.faults.corruptByteAt = PIECE + 12_345;
      const id = await start(t, u.token);
      const r = await waitForDownload(t.app, u.token, id);
      expect(r.status).toBe('failed');
      expect(r.errorCode).toBe('FILE_CHECK_FAILED');
      expect(await listTree(path.dirname(target(t)))).toEqual([]);
      expect((await t.pool.query('SELECT count(*)::int AS n FROM download_chunks')).rows[0].n).toBe(0);
    } finally {
      await t.close();
    }
  });
});

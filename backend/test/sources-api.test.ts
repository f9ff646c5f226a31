import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { DownloadRecord, HubModelDetails, HubSearchResponse, InstalledModel } from '@sokhan/common';
import request from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { FIXTURE_TOKEN, GATED_REPO_ID, listTree, sha256File, startFixtureMirror, waitFor, waitForDownload, type MirrorFixture } from './hub-fixture.js';
import { piperVoiceConfig } from '../../scripts/hub-mirror/fixture-content.js';

const PIPER = 'sokhan-lab/piper-fa-amir-medium';
const SLOW_A = 'test-lab/slow-a';
const SLOW_B = 'test-lab/slow-b';
const BROKEN_VOICE = 'test-lab/broken-voice';

let fx: MirrorFixture;
let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
let admin: { token: string; id: string };

beforeAll(async () => {
  fx = await startFixtureMirror({
    extraRepos: [
      { id: SLOW_A, meta: { pipeline_tag: 'text-to-speech', license: 'mit' }, files: { 'config.json': '{"a":1}\n', 'weights.bin': { randomBytes: 1_200_000, seed: 'slow-a' } } },
      { id: SLOW_B, meta: { pipeline_tag: 'text-to-speech' }, files: { 'weights.bin': { randomBytes: 1_200_000, seed: 'slow-b' }, 'nested/extra.bin': { randomBytes: 300_000, seed: 'slow-b2' } } },
      // Piper-shaped, but its .onnx is not a model: what the old mirror fixture shipped.
      { id: BROKEN_VOICE, meta: { pipeline_tag: 'text-to-speech' }, files: { 'fa/fa_IR-x-low.onnx': { randomBytes: 4096, seed: 'broken' }, 'fa/fa_IR-x-low.onnx.json': JSON.stringify(piperVoiceConfig('x', 'low', 16000)) } },
    ],
  });
  t = await buildTestApp({ ...fx.env, ADMIN_EMAIL: 'sources-admin@example.com' });
  const a = await registerUser(t.app);
  const b = await registerUser(t.app);
  const c = await registerUser(t.app, { email: 'sources-admin@example.com' });
  alice = { token: a.token, id: a.user.id };
  bob = { token: b.token, id: b.user.id };
  admin = { token: c.token, id: c.user.id };
});
afterAll(async () => {
  await t.close();
  await fx.close();
});
afterEach(() => {
  fx.mirror.resetFaults();
});

const api = (token: string) => ({
  get: (url: string) => request(t.app).get(url).set(bearer(token)),
  post: (url: string, body: object) => request(t.app).post(url).set(bearer(token)).send(body),
  put: (url: string, body: object) => request(t.app).put(url).set(bearer(token)).send(body),
  del: (url: string) => request(t.app).delete(url).set(bearer(token)),
});

async function download(token: string, body: object): Promise<DownloadRecord> {
  const res = await api(token).post('/api/sources/download', body);
  expect(res.status, JSON.stringify(res.body)).toBe(202);
  return res.body as DownloadRecord;
}

describe('search and details', () => {
  it('searches the Hub and pages with nextCursor', async () => {
    const res = await api(alice.token).get('/api/sources/search?q=fa&limit=2');
    expect(res.status).toBe(200);
    const body = res.body as HubSearchResponse;
    expect(body.offline).toBe(false);
    expect(body.items).toHaveLength(2);
    expect(Object.keys(body.items[0]!).sort()).toEqual(
      ['author', 'downloads', 'gated', 'id', 'installed', 'lastModified', 'libraryName', 'license', 'likes', 'pipelineTag', 'private', 'sizeBytes', 'tags'].sort(),
    );
    // The size is the Hub's usedStorage of each repo: the sum of the mirror's file sizes.
    for (const item of body.items) expect(item.sizeBytes).toBe(fx.repo(item.id).totalSize);
    expect(body.items[0]).toMatchObject({ id: 'persian-nlp/bert-fa-sentiment', author: 'persian-nlp', license: 'apache-2.0', installed: false, gated: false });
    const next = await api(alice.token).get(`/api/sources/search?cursor=${body.nextCursor}`);
    expect(next.status).toBe(200);
    expect((next.body as HubSearchResponse).items.map((i) => i.id)).not.toContain('persian-nlp/bert-fa-sentiment');

    const tts = await api(alice.token).get('/api/sources/search?task=text-to-speech&limit=50');
    expect((tts.body as HubSearchResponse).items.every((i) => i.pipelineTag === 'text-to-speech')).toBe(true);
    const gated = (tts.body as HubSearchResponse).items.find((i) => i.id === GATED_REPO_ID);
    expect(gated?.gated).toBe('manual');
    expect(gated?.sizeBytes).toBe(fx.repo(GATED_REPO_ID).totalSize);
    const slowB = (tts.body as HubSearchResponse).items.find((i) => i.id === SLOW_B);
    expect(slowB?.sizeBytes).toBe(1_500_000);
  });

  it('validates search input', async () => {
    expect((await api(alice.token).get('/api/sources/search?sort=random')).status).toBe(400);
    expect((await api(alice.token).get('/api/sources/search?limit=500')).status).toBe(400);
    expect((await api(alice.token).get('/api/sources/search?cursor=%00%01')).status).toBe(400);
    expect((await request(t.app).get('/api/sources/search?q=x')).status).toBe(401);
  });

  it('shows details with files, sizes and sha256 for owner/name as two segments or percent-encoded', async () => {
    const two = await api(alice.token).get(`/api/sources/model/${PIPER}`);
    const enc = await api(alice.token).get(`/api/sources/model/${encodeURIComponent(PIPER)}`);
    expect(two.status).toBe(200);
    expect(enc.body).toEqual(two.body);
    const d = two.body as HubModelDetails;
    const fixture = fx.repo(PIPER);
    expect(d).toMatchObject({ id: PIPER, license: 'cc-by-4.0', languages: ['fa'], pipelineTag: 'text-to-speech', gated: false, installed: null, offline: false });
    expect(d.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(d.totalSize).toBe(fixture.totalSize);
    expect(d.fileCount).toBe(fixture.files.length);
    const onnx = d.files.find((f) => f.path === 'fa_IR-amir-medium.onnx')!;
    const want = fixture.files.find((f) => f.path === onnx.path)!;
    expect(want.size).toBeGreaterThan(1_500_000);
    expect(onnx).toEqual({ path: 'fa_IR-amir-medium.onnx', size: want.size, sha256: want.sha256, lfs: true });
    expect(d.files.find((f) => f.path === 'README.md')).toMatchObject({ sha256: null, lfs: false });
  });

  it('checks an installed voice at install: one whose ONNX does not load is flagged with the reason, never offered', async () => {
    const rec = await download(alice.token, { repoId: BROKEN_VOICE });
    const done = await waitForDownload(t.app, alice.token, rec.id);
    expect(done.status).toBe('completed');
    const item = (await api(alice.token).get(`/api/sources/installed/${done.modelId}`)).body as InstalledModel;
    expect(item.problems).toEqual([{ file: 'fa/fa_IR-x-low.onnx', reason: expect.stringMatching(/^the ONNX file does not load: /) }]);
    const voices = await api(alice.token).get('/api/tts/voices');
    expect((voices.body.voices as { sourceRepo: string | null }[]).some((v) => v.sourceRepo === BROKEN_VOICE)).toBe(false);
    expect(voices.body.unavailable).toEqual([expect.objectContaining({ repoId: BROKEN_VOICE, file: 'fa/fa_IR-x-low.onnx' })]);
    await api(alice.token).del(`/api/sources/installed/${done.modelId}`).expect(204);
  });

  it('serves a model card as Markdown without its YAML header, null when there is none', async () => {
    const card = await api(alice.token).get(`/api/sources/card/${PIPER}`);
    expect(card.status).toBe(200);
    expect(card.body.repoId).toBe(PIPER);
    expect(card.body.markdown).toMatch(/^# Piper — fa_IR amir \(medium\)\n/);
    expect(card.body.markdown).toContain('صدای مرد فارسی');
    expect(card.body.markdown).not.toContain('license: cc-by-4.0');
    const none = await api(alice.token).get(`/api/sources/card/${SLOW_A}`);
    expect(none.body).toEqual({ repoId: SLOW_A, markdown: null });
    expect((await api(alice.token).get('/api/sources/card/nobody/nothing')).status).toBe(404);
  });

  it('answers 404 REPO_NOT_FOUND for unknown repos and 400 for malformed ids', async () => {
    const missing = await api(alice.token).get('/api/sources/model/nobody/nothing');
    expect([missing.status, missing.body.error.code]).toEqual([404, 'REPO_NOT_FOUND']);
    expect((await api(alice.token).get('/api/sources/model/a..b/c')).status).toBe(400);
    expect((await api(alice.token).get(`/api/sources/model/${encodeURIComponent('../etc/passwd')}`)).status).toBe(400);
  });
});

describe('downloads', () => {
  let installedId: string;

  it('downloads a repo to models/<owner>/<name>, verified, and shows it as installed', async () => {
    const rec = await download(alice.token, { repoId: PIPER });
    expect(rec).toMatchObject({ repoId: PIPER, revision: 'main', status: 'queued', include: [], exclude: [] });
    expect(rec.commitSha).toMatch(/^[0-9a-f]{40}$/);
    const done = await waitForDownload(t.app, alice.token, rec.id);
    const fixture = fx.repo(PIPER);
    expect(done).toMatchObject({ status: 'completed', progress: 100, bytesDownloaded: fixture.totalSize, bytesTotal: fixture.totalSize, errorCode: null });
    expect(done.modelId).toBeTruthy();
    const dir = path.join(t.config.paths.models, 'sokhan-lab', 'piper-fa-amir-medium');
    expect(await listTree(dir)).toEqual(fixture.files.map((f) => f.path).sort());
    for (const f of fixture.files) expect(await sha256File(path.join(dir, f.path))).toBe(f.sha256);

    const installed = await api(alice.token).get('/api/sources/installed');
    const item = (installed.body.items as InstalledModel[]).find((m) => m.repoId === PIPER)!;
    // A user sees neither the server's folders nor who installed it, only whether it was them.
    expect(item).toMatchObject({ id: done.modelId, status: 'ready', revision: 'main', path: null, sizeBytes: fixture.totalSize, fileCount: fixture.files.length, type: 'text-to-speech', license: 'cc-by-4.0', libraryName: 'onnx', canDelete: true, ownerId: null, installedByMe: true });
    installedId = item.id;
    const asBob = (await api(bob.token).get('/api/sources/installed')).body.items as InstalledModel[];
    expect(asBob.find((m) => m.id === installedId)).toMatchObject({ path: null, ownerId: null, installedByMe: false, canDelete: false });
    expect(JSON.stringify(asBob)).not.toContain(t.config.paths.models);
    expect(JSON.stringify(asBob)).not.toContain(alice.id);
    const asAdmin = (await api(admin.token).get(`/api/sources/installed/${installedId}`)).body as InstalledModel;
    expect(asAdmin).toMatchObject({ path: dir, ownerId: alice.id, installedByMe: false, canDelete: true });

    const row = await t.pool.query('SELECT status, size_mb, metadata FROM models WHERE id = $1', [done.modelId]);
    const meta = row.rows[0].metadata;
    expect(row.rows[0].status).toBe('ready');
    expect(meta).toMatchObject({ commitSha: done.commitSha, pipelineTag: 'text-to-speech', libraryName: 'onnx', license: 'cc-by-4.0', fileCount: fixture.files.length, sizeBytes: fixture.totalSize });
    expect(meta.tags).toContain('piper');
    for (const f of fixture.files) expect(meta.files).toContainEqual(expect.objectContaining({ path: f.path, size: f.size, sha256: f.sha256 }));

    // The mirror's Piper voice is a real ONNX model: once installed it is offered, and it speaks.
    const voices = await api(alice.token).get('/api/tts/voices');
    expect(voices.body.unavailable).toEqual([]);
    const piper = (voices.body.voices as { id: string; sourceRepo: string | null; sampleRate: number }[]).find((v) => v.sourceRepo === PIPER)!;
    expect(piper).toMatchObject({ sampleRate: 22050 });
    const spoken = await api(alice.token).post('/api/tts', { text: 'سلام دنیا', voiceId: piper.id, format: 'json' });
    expect(spoken.status).toBe(200);
    expect(spoken.body.durationSeconds).toBeGreaterThan(0.3);

    const search = await api(bob.token).get('/api/sources/search?q=piper');
    expect(search.body.items[0]).toMatchObject({ id: PIPER, installed: true });
    const details = await api(bob.token).get(`/api/sources/model/${PIPER}`);
    expect(details.body.installed).toMatchObject({ id: done.modelId, status: 'ready', canDelete: false });
  });

  it('shares one transfer for duplicate requests; another user gets their own record that reuses the files', async () => {
    fx.mirror.resetStats();
    fx.mirror.faults.throttleBytesPerSec = 400_000;
    const first = await download(alice.token, { repoId: SLOW_A });
    const again = await api(alice.token).post('/api/sources/download', { repoId: SLOW_A, revision: 'main' });
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(first.id);
    const concurrent = await Promise.all([1, 2, 3].map(() => api(alice.token).post('/api/sources/download', { repoId: SLOW_A })));
    expect(new Set(concurrent.map((r) => r.body.id))).toEqual(new Set([first.id]));
    const theirs = await download(bob.token, { repoId: SLOW_A });
    expect(theirs.id).not.toBe(first.id);
    fx.mirror.faults.throttleBytesPerSec = 0;
    const a = await waitForDownload(t.app, alice.token, first.id);
    const b = await waitForDownload(t.app, bob.token, theirs.id);
    expect([a.status, b.status]).toEqual(['completed', 'completed']);
    expect(b.modelId).toBe(a.modelId);
    const total = fx.repo(SLOW_A).totalSize;
    // One transfer: the second run found every file present and verified.
    expect(fx.mirror.stats.bytesServed).toBe(total);
    const rows = await t.pool.query(`SELECT count(*)::int AS n FROM download_queue WHERE repo_id = $1 AND user_id = $2`, [SLOW_A, alice.id]);
    expect(rows.rows[0].n).toBe(1);
  });

  it("answers 404 for another user's download, and lists only mine, newest first", async () => {
    const mine = await api(alice.token).get('/api/sources/downloads?limit=100');
    expect(mine.status).toBe(200);
    const items = mine.body.items as DownloadRecord[];
    expect(mine.body.total).toBe(items.length);
    expect(items.length).toBeGreaterThanOrEqual(2);
    const times = items.map((i) => Date.parse(i.createdAt));
    expect([...times].sort((x, y) => y - x)).toEqual(times);
    const id = items[0]!.id;
    expect((await api(bob.token).get(`/api/sources/download/${id}`)).status).toBe(404);
    expect((await api(bob.token).del(`/api/sources/download/${id}`)).status).toBe(404);
    const theirs = await api(bob.token).get('/api/sources/downloads');
    expect((theirs.body.items as DownloadRecord[]).some((i) => i.id === id)).toBe(false);
    const paged = await api(alice.token).get('/api/sources/downloads?limit=1&offset=1');
    expect(paged.body.items[0].id).toBe(items[1]!.id);
    expect((await api(alice.token).get('/api/sources/download/not-a-uuid')).status).toBe(400);
  });

  it('cancels a running download: the transfer stops, partial files go, the row says cancelled (idempotent)', async () => {
    fx.mirror.faults.throttleBytesPerSec = 200_000;
    const rec = await download(alice.token, { repoId: SLOW_B });
    const dir = path.join(t.config.paths.models, 'test-lab', 'slow-b');
    await waitFor(async () => (await listTree(dir)).some((p) => p.endsWith('.part')), 'a .part file');
    const res = await api(alice.token).del(`/api/sources/download/${rec.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: rec.id, status: 'cancelled', errorCode: 'DOWNLOAD_CANCELLED' });
    expect(await listTree(dir)).toEqual([]);
    await expect(fsp.stat(dir)).rejects.toThrow();
    const requestsAfter = fx.mirror.stats.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(fx.mirror.stats.requests.length).toBe(requestsAfter);
    const model = await t.pool.query(`SELECT id FROM models WHERE repo_id = $1`, [SLOW_B]);
    expect(model.rowCount).toBe(0);
    const again = await api(alice.token).del(`/api/sources/download/${rec.id}`);
    expect(again.status).toBe(200);
    expect(again.body.status).toBe('cancelled');
    expect((await api(alice.token).get(`/api/sources/download/${rec.id}`)).body).toMatchObject({ status: 'cancelled', modelId: null });
  });

  it("cancelling a waiting duplicate leaves another user's running transfer alone", async () => {
    fx.mirror.faults.throttleBytesPerSec = 300_000;
    const running = await download(alice.token, { repoId: SLOW_B, include: ['nested/**'] });
    const waiting = await download(bob.token, { repoId: SLOW_B, include: ['nested/**'] });
    const dir = path.join(t.config.paths.models, 'test-lab', 'slow-b');
    await waitFor(async () => (await listTree(dir)).some((p) => p.endsWith('.part')), 'a .part file');
    expect((await api(bob.token).del(`/api/sources/download/${waiting.id}`)).body.status).toBe('cancelled');
    expect((await listTree(dir)).some((p) => p.endsWith('.part'))).toBe(true);
    fx.mirror.faults.throttleBytesPerSec = 0;
    expect((await waitForDownload(t.app, alice.token, running.id)).status).toBe('completed');
    const want = fx.repo(SLOW_B).files.find((f) => f.path === 'nested/extra.bin')!;
    expect(await sha256File(path.join(dir, 'nested', 'extra.bin'))).toBe(want.sha256);
    const model = await t.pool.query(`SELECT id FROM models WHERE repo_id = $1`, [SLOW_B]);
    await api(alice.token).del(`/api/sources/installed/${model.rows[0].id}`).expect(204);
  });

  it('fails a download whose bytes do not match the sha256 with FILE_CHECK_FAILED and no final file', async () => {
    fx.mirror.faults.corruptFile = 'weights.bin';
    const rec = await download(alice.token, { repoId: SLOW_B, include: ['weights.bin'] });
    expect(rec.include).toEqual(['weights.bin']);
    const done = await waitForDownload(t.app, alice.token, rec.id);
    expect(done).toMatchObject({ status: 'failed', errorCode: 'FILE_CHECK_FAILED' });
    expect(done.error).toMatch(/sha256/);
    const dir = path.join(t.config.paths.models, 'test-lab', 'slow-b');
    expect(await listTree(dir)).toEqual([]);
    const model = await t.pool.query(`SELECT status FROM models WHERE repo_id = $1`, [SLOW_B]);
    expect(model.rows[0].status).toBe('failed');
  });

  it('refuses a gated repo without a token or with one lacking access, and downloads it with a granted one', async () => {
    const none = await api(bob.token).post('/api/sources/download', { repoId: GATED_REPO_ID });
    expect([none.status, none.body.error.code]).toEqual([403, 'GATED_REPO']);
    expect((await api(bob.token).put('/api/settings/huggingface/token', { token: FIXTURE_TOKEN.plain })).status).toBe(200);
    const plain = await api(bob.token).post('/api/sources/download', { repoId: GATED_REPO_ID });
    expect([plain.status, plain.body.error.code]).toEqual([403, 'GATED_REPO']);
    expect((await api(bob.token).put('/api/settings/huggingface/token', { token: FIXTURE_TOKEN.granted })).status).toBe(200);
    const rec = await download(bob.token, { repoId: GATED_REPO_ID });
    expect((await waitForDownload(t.app, bob.token, rec.id)).status).toBe('completed');
    expect(fx.mirror.stats.requests.filter((q) => q.host === 'file').every((q) => !q.hasAuthorization)).toBe(true);
  });

  it('rejects unknown repos, bad ids and bad bodies', async () => {
    const missing = await api(alice.token).post('/api/sources/download', { repoId: 'nobody/nothing' });
    expect([missing.status, missing.body.error.code]).toEqual([404, 'REPO_NOT_FOUND']);
    const none = await api(alice.token).post('/api/sources/download', { repoId: PIPER, include: ['*.gguf'] });
    expect([none.status, none.body.error.details[0].path]).toEqual([400, 'include']);
    for (const body of [{ repoId: '../x' }, { repoId: 'a/b/c' }, { repoId: 'x'.repeat(50) + '/' + 'y'.repeat(50) }, { repoId: 'a/b', revision: '../main' }, { repoId: 'a/b', extra: 1 }, { repoId: 'a/b', include: 'x' }]) {
      const res = await api(alice.token).post('/api/sources/download', body);
      expect(res.status, JSON.stringify(body)).toBe(400);
    }
  });

  it('deletes an installed model: the installer or an admin only', async () => {
    const forbidden = await api(bob.token).del(`/api/sources/installed/${installedId}`);
    expect([forbidden.status, forbidden.body.error.code]).toEqual([403, 'FORBIDDEN']);
    const ok = await api(alice.token).del(`/api/sources/installed/${installedId}`);
    expect(ok.status).toBe(204);
    await expect(fsp.stat(path.join(t.config.paths.models, 'sokhan-lab', 'piper-fa-amir-medium'))).rejects.toThrow();
    const list = await api(alice.token).get('/api/sources/installed');
    expect((list.body.items as InstalledModel[]).some((m) => m.id === installedId)).toBe(false);
    expect((await api(alice.token).del(`/api/sources/installed/${installedId}`)).status).toBe(404);
    // The download history stays, without its model.
    const hist = await t.pool.query(`SELECT status, model_id FROM download_queue WHERE repo_id = $1`, [PIPER]);
    expect(hist.rows[0]).toMatchObject({ status: 'completed', model_id: null });
  });
});

describe('Hub tokens', () => {
  it('validates a token without storing it', async () => {
    const ok = await api(alice.token).post('/api/sources/validate-token', { token: FIXTURE_TOKEN.granted });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ valid: true, username: 'sokhan-researcher', fullname: 'پژوهشگر سخن', tokenRole: 'read', tokenName: 'sokhan-researcher-read', orgs: [], tokenPreview: 'hf_…0001' });
    const bad = await api(alice.token).post('/api/sources/validate-token', { token: 'hf_WrongWrongWrong000000000000000000' });
    expect(bad.body).toMatchObject({ valid: false, username: null });
    expect((await api(alice.token).get('/api/settings')).body.huggingface.hasToken).toBe(false);
    expect((await api(alice.token).post('/api/sources/validate-token', { token: 'has space' })).status).toBe(400);
  });

  it('saves, shows only a preview of, validates and clears the token', async () => {
    expect((await api(alice.token).put('/api/settings/huggingface/validate', {})).status).toBe(400);
    const bad = await api(alice.token).put('/api/settings/huggingface/token', { token: 'hf_WrongWrongWrong000000000000000000' });
    expect([bad.status, bad.body.error.code]).toEqual([422, 'INVALID_TOKEN']);
    const saved = await api(alice.token).put('/api/settings/huggingface/token', { token: FIXTURE_TOKEN.owner });
    expect(saved.status).toBe(200);
    expect(saved.body).toEqual({ hasToken: true, tokenPreview: 'hf_…0003', username: 'sokhan-lab' });
    const settings = await api(alice.token).get('/api/settings');
    expect(settings.body.huggingface).toEqual({ hasToken: true, tokenPreview: 'hf_…0003', username: 'sokhan-lab' });
    expect(JSON.stringify(settings.body)).not.toContain(FIXTURE_TOKEN.owner);
    const stored = await t.pool.query('SELECT huggingface_token FROM user_settings WHERE user_id = $1', [alice.id]);
    expect(stored.rows[0].huggingface_token).not.toContain(FIXTURE_TOKEN.owner);
    const check = await api(alice.token).put('/api/settings/huggingface/validate', {});
    expect(check.body).toMatchObject({ valid: true, username: 'sokhan-lab', tokenRole: 'write' });
    // The saved token opens the private repo it owns.
    expect((await api(alice.token).get('/api/sources/model/sokhan-lab/private-fa-voice')).status).toBe(200);
    expect((await api(bob.token).get('/api/sources/model/sokhan-lab/private-fa-voice')).status).toBe(404);
    const cleared = await api(alice.token).del('/api/settings/huggingface/token');
    expect(cleared.body).toEqual({ hasToken: false, tokenPreview: null, username: null });
  });
});

describe('offline (HF_HUB_OFFLINE=1)', () => {
  it('answers search and details from installed models only, and refuses downloads', async () => {
    const installed = await download(alice.token, { repoId: SLOW_A });
    await waitForDownload(t.app, alice.token, installed.id);
    const off = await buildTestApp({}, { pool: t.pool, config: { ...t.config, HF_HUB_OFFLINE: true } });
    try {
      const req = (url: string) => request(off.app).get(url).set(bearer(alice.token));
      const search = await req('/api/sources/search?q=slow');
      expect(search.status).toBe(200);
      expect(search.body.offline).toBe(true);
      expect((search.body as HubSearchResponse).items.map((i) => i.id)).toEqual([SLOW_A]);
      expect(search.body.items[0]).toMatchObject({ installed: true, pipelineTag: 'text-to-speech', license: 'mit', sizeBytes: fx.repo(SLOW_A).totalSize });
      const all = await req('/api/sources/search?limit=1');
      expect(all.body.items).toHaveLength(1);
      const details = await req(`/api/sources/model/${SLOW_A}`);
      expect(details.status).toBe(200);
      expect(details.body).toMatchObject({ id: SLOW_A, offline: true, fileCount: 2, totalSize: fx.repo(SLOW_A).totalSize });
      expect((await req(`/api/sources/model/${PIPER}`)).body.error.code).toBe('REPO_NOT_FOUND');
      const dl = await request(off.app).post('/api/sources/download').set(bearer(alice.token)).send({ repoId: PIPER });
      expect([dl.status, dl.body.error.code]).toEqual([503, 'HUB_OFFLINE']);
    } finally {
      await off.services.stop();
    }
  });
});

import { promises as fsp } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { DownloadRecord, InstalledModel } from '@sokhan/common';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HubClient } from '../src/modules/hub/hub.client.js';
import { hubModelInfoSchema, hubModelSummarySchema } from '../src/modules/hub/hub.schemas.js';
import { removeRepoFolder } from '../src/modules/sources/download-cleanup.js';
import { presentSearchItem } from '../src/modules/sources/sources.presenter.js';
import { AppError } from '../src/platform/http/errors.js';
import { bearer, buildTestApp, registerUser, type TestApp } from './helpers.js';
import { listTree, waitForDownload } from './hub-fixture.js';
import { loadRecording, readRecordingJson, startLoopback, startReplayHub, type Loopback, type Recording } from './hub-replay.js';

const REC = {
  renamed: 'model-info.bert-base-uncased.307-renamed-redirect.json',
  bert: 'model-info.google-bert__bert-base-uncased.200.json',
  tts: 'model-info.espnet__kan-bayashi_ljspeech_vits.200.json',
  gated: 'model-info.meta-llama__Llama-3.1-8B-Instruct.200-gated.json',
  expand: 'model-info.meta-llama__Llama-3.1-8B-Instruct.expand-inferenceProviderMapping.200.json',
  tree: 'tree.google-bert__bert-base-uncased.at-dd4bc8b.json',
  whoami: 'whoami-v2.hub-ci.hub-js-bot.json',
};
const BERT = 'google-bert/bert-base-uncased';
const BERT_SHA = '86b5e0934494bd15c9632b12f734a8a67f723594';
const TREE_SHA = 'dd4bc8b21efa05ec961e3efc4ee5e3832a3679c7';
const LLAMA = 'meta-llama/Llama-3.1-8B-Instruct';
const TOKEN = 'hf_replayedHubToken0000000000000000';

let recordings: Recording[];
let replay: Loopback;
let hub: HubClient;

beforeAll(async () => {
  recordings = await Promise.all(Object.values(REC).map(loadRecording));
  replay = await startReplayHub(recordings);
  hub = new HubClient({ endpoint: replay.url, timeoutMs: 5000, retries: 0 });
});
afterAll(async () => {
  await hub.close();
  await replay.close();
});
beforeEach(() => {
  replay.requests.length = 0;
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

const paths = (l: Loopback) => l.requests.map((r) => r.url);

describe('the replay server', () => {
  it('answers with the recorded status line, header lines and body bytes', async () => {
    const rec = recordings.find((r) => r.file === REC.renamed)!;
    const got = await new Promise<{ status: number; message: string; raw: string[]; body: Buffer }>((resolve, reject) => {
      http
        .get(`${replay.url}/api/models/bert-base-uncased`, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, message: res.statusMessage ?? '', raw: res.rawHeaders, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });
    expect([got.status, got.message]).toEqual([307, 'Temporary Redirect']);
    expect(got.raw).toEqual(rec.headers.flat());
    expect(got.body.toString('utf8')).toBe('Temporary Redirect. Redirecting to /api/models/google-bert/bert-base-uncased');
  });
});

describe('model info from the real Hub', () => {
  it('follows a renamed repo\'s relative 307, sends the token on both hops, and reports the canonical id', async () => {
    const info = await hub.getModelInfo('bert-base-uncased', { token: TOKEN });
    expect(info).toMatchObject({ id: BERT, sha: BERT_SHA, gated: false, private: false, pipeline_tag: 'fill-mask' });
    expect(info.siblings).toHaveLength(16);
    expect(info.siblings?.map((s) => s.rfilename)).toContain('model.safetensors');
    expect(replay.requests).toEqual([
      { method: 'GET', url: '/api/models/bert-base-uncased', authorization: `Bearer ${TOKEN}` },
      { method: 'GET', url: `/api/models/${BERT}`, authorization: `Bearer ${TOKEN}` },
    ]);
  });

  it('reads gated: "manual" as the gating mode', async () => {
    const info = await hub.getModelInfo(LLAMA);
    expect(info).toMatchObject({ id: LLAMA, gated: 'manual', sha: '0e9e39f249a16976918f6564b8830bc894c89659', pipeline_tag: 'text-generation' });
    expect(info.siblings).toHaveLength(17);
  });

  it('reads a text-to-speech model (espnet)', async () => {
    const info = await hub.getModelInfo('espnet/kan-bayashi_ljspeech_vits');
    expect(info).toMatchObject({ pipeline_tag: 'text-to-speech', library_name: 'espnet', gated: false, sha: 'd6a4ffce1bde343237aa6aea48ebafe7b9043880' });
    expect(info.siblings).toHaveLength(27);
  });

  it('takes an expand= answer that holds only _id, id and the expanded field', async () => {
    const { data } = await hub.http.getJson(`${replay.url}/api/models/${LLAMA}?expand=inferenceProviderMapping`);
    const info = hubModelInfoSchema.parse(data);
    expect(info.id).toBe(LLAMA);
    expect([info.sha, info.siblings, info.tags, info.downloads]).toEqual([undefined, undefined, undefined, undefined]);
    expect(Object.keys((info as { inferenceProviderMapping?: object }).inferenceProviderMapping ?? {})).toContain('hf-inference');
    const item = presentSearchItem(hubModelSummarySchema.parse(data), false);
    expect(item).toMatchObject({ id: LLAMA, downloads: 0, likes: 0, tags: [], license: null, sizeBytes: null, private: false });
  });
});

describe('files and tokens from the real Hub', () => {
  it('maps the real tree entries (lfs objects, xetHash, git oids)', async () => {
    const files = await hub.listModelFiles(BERT, { revision: TREE_SHA });
    expect(replay.requests.map((r) => r.url)).toEqual([`/api/models/${BERT}/tree/${TREE_SHA}?recursive=true`]);
    expect(files).toEqual([
      { path: '.gitattributes', size: 345, sha256: null, lfs: false, oid: 'dc08351d4dc0732d9c8af04070ced089b201ce2f', gitOid: 'dc08351d4dc0732d9c8af04070ced089b201ce2f' },
      { path: 'config.json', size: 313, sha256: null, lfs: false, oid: 'fca794a5f07ff8f963fe8b61e3694b0fb7f955df', gitOid: 'fca794a5f07ff8f963fe8b61e3694b0fb7f955df' },
      { path: 'pytorch_model.bin', size: 440473133, sha256: '097417381d6c7230bd9e3557456d726de6e83245ec8b24f529f60198a67b203a', lfs: true, oid: 'ba5d19791be1dd7992e33bd61f20207b0f7f50a5', gitOid: null },
      { path: 'tf_model.h5', size: 536063208, sha256: 'a7a17d6d844b5de815ccab5f42cad6d24496db3850a2a43d8258221018ce87d2', lfs: true, oid: '9eb98c817f04b051b3bcca591bcd4e03cec88018', gitOid: null },
      { path: 'vocab.txt', size: 231508, sha256: null, lfs: false, oid: 'fb140275c155a9c7c5a3b3e0e77a9e839594a938', gitOid: 'fb140275c155a9c7c5a3b3e0e77a9e839594a938' },
    ]);
    // What the plan expects of tf_model.h5 is what the Hub's resolve answered for it (X-Linked-Size / X-Linked-Etag).
    const resolve = await readRecordingJson<{ cases: { request: { uri: string }; expected: { size: number; etag: string } }[] }>('resolve.file-download-info.expected.json');
    const h5 = resolve.cases.find((c) => c.request.uri.endsWith(`/resolve/${TREE_SHA}/tf_model.h5`))!.expected;
    expect(files.find((f) => f.path === 'tf_model.h5')).toMatchObject({ size: h5.size, sha256: JSON.parse(h5.etag) as string });
  });

  it('reads the real whoami-v2 body', async () => {
    expect(await hub.validateToken(TOKEN)).toEqual({ valid: true, username: 'hub.js', fullname: '@huggingface/hub CI bot', orgs: [], tokenRole: 'write', tokenName: 'ci-hub.js' });
    expect(replay.requests).toEqual([{ method: 'GET', url: '/api/whoami-v2', authorization: `Bearer ${TOKEN}` }]);
  });

  it('downloads a renamed repo under its canonical id (file list asked at the new name)', async () => {
    const dest = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-replay-'));
    // The recordings hold no file list at this commit, so the download ends there, after the redirect.
    const e = await appErr(hub.downloadModel('bert-base-uncased', dest));
    expect(e.code).toBe('REPO_NOT_FOUND');
    expect(paths(replay)).toEqual(['/api/models/bert-base-uncased', `/api/models/${BERT}`, `/api/models/${BERT}/tree/${BERT_SHA}?recursive=true`]);
    expect(await listTree(dest)).toEqual([]);
    await fsp.rm(dest, { recursive: true, force: true });
  });
});

describe('redirects of API calls', () => {
  it('refuses a redirect to another origin, which then hears nothing (and never sees the token)', async () => {
    const other = await startLoopback((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ id: 'a/b', sha: 'f'.repeat(40) }));
    });
    const origin = await startLoopback((_req, res) => {
      res.writeHead(307, { Location: `${other.url}/api/models/a/b` }).end();
    });
    const client = new HubClient({ endpoint: origin.url, timeoutMs: 3000, retries: 0 });
    const e = await appErr(client.getModelInfo('a/b', { token: TOKEN }));
    expect([e.status, e.code]).toEqual([502, 'HUB_BAD_RESPONSE']);
    expect(e.message).toContain('another host');
    expect(origin.requests).toHaveLength(1);
    expect(other.requests).toEqual([]);
    await client.close();
    await Promise.all([origin.close(), other.close()]);
  });

  it('stops after a bounded number of relative 308 hops', async () => {
    const loop = await startLoopback((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? '0');
      res.writeHead(308, { Location: `/api/models/a/b?n=${n + 1}` }).end();
    });
    const client = new HubClient({ endpoint: loop.url, timeoutMs: 3000, retries: 0 });
    const e = await appErr(client.getModelInfo('a/b'));
    expect([e.code, e.message.includes('too many redirects')]).toEqual(['HUB_BAD_RESPONSE', true]);
    expect(loop.requests).toHaveLength(6);
    await client.close();
    await loop.close();
  });

  it('refuses model info of another repo than the one asked (no redirect led there), and ids unfit for a folder', async () => {
    let answer: object = {};
    const liar = await startLoopback((req, res) => {
      if (req.url === '/api/models/x/moved') res.writeHead(307, { Location: '/api/models/x/new-name' }).end();
      else res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(answer));
    });
    const client = new HubClient({ endpoint: liar.url, timeoutMs: 3000, retries: 0 });
    answer = { id: 'someone/else' };
    expect((await appErr(client.getModelInfo('a/b'))).code).toBe('HUB_BAD_RESPONSE');
    answer = { id: '../../etc' };
    expect((await appErr(client.getModelInfo('x/moved'))).code).toBe('HUB_BAD_RESPONSE');
    // The Hub's own spelling of the name asked for, and the name a redirect led to, are the answer's.
    answer = { id: 'A/B' };
    expect((await client.getModelInfo('a/b')).id).toBe('A/B');
    answer = { id: 'x/new-name' };
    expect((await client.getModelInfo('x/moved')).id).toBe('x/new-name');
    await client.close();
    await liar.close();
  });
});

describe('one-part ids on disk', () => {
  it('keeps a one-part id out of the owner folders and removes its folder cleanly', async () => {
    const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'sokhan-legacy-'));
    const legacy = path.join(root, '_legacy', 'gpt2');
    const owned = path.join(root, 'gpt2', 'other');
    for (const dir of [legacy, owned]) {
      await fsp.mkdir(dir, { recursive: true });
      await fsp.writeFile(path.join(dir, 'config.json'), '{}');
    }
    await removeRepoFolder(root, 'gpt2', 'main');
    expect(await listTree(root)).toEqual(['gpt2/other/config.json']);
    expect(await fsp.readdir(root)).toEqual(['gpt2']);
    await fsp.rm(root, { recursive: true, force: true });
  });
});

describe('the sources API over the replayed Hub', () => {
  let apiHub: Loopback;
  let t: TestApp;
  let user: string;

  beforeAll(async () => {
    apiHub = await startReplayHub(recordings);
    t = await buildTestApp({ HF_ENDPOINT: apiHub.url, HUB_RETRIES: '0', HUB_TIMEOUT_MS: '5000' });
    user = (await registerUser(t.app)).token;
  });
  afterAll(async () => {
    await t.close();
    await apiHub.close();
  });

  it('takes a one-part id (not VALIDATION_FAILED)', async () => {
    const res = await request(t.app).get('/api/sources/model/gpt2').set(bearer(user));
    // gpt2 is not among the recordings: the Hub's 404, not a refusal of the id.
    expect([res.status, res.body.error.code]).toEqual([404, 'REPO_NOT_FOUND']);
    expect(paths(apiHub)).toContain('/api/models/gpt2');
  });

  it('asks the file list of a renamed repo at its canonical id', async () => {
    apiHub.requests.length = 0;
    const res = await request(t.app).get('/api/sources/model/bert-base-uncased').set(bearer(user));
    // No file list at this commit was recorded: the answer stops there.
    expect(res.body.error?.code).toBe('REPO_NOT_FOUND');
    expect(paths(apiHub)).toEqual(['/api/models/bert-base-uncased', `/api/models/${BERT}`, `/api/models/${BERT}/tree/${BERT_SHA}?recursive=true`]);
  });

  it('stores a download of a renamed repo under its canonical id', async () => {
    apiHub.requests.length = 0;
    const res = await request(t.app).post('/api/sources/download').set(bearer(user)).send({ repoId: 'bert-base-uncased' });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    const rec = res.body as DownloadRecord;
    expect(rec).toMatchObject({ repoId: BERT, revision: 'main', commitSha: BERT_SHA });
    // The runner asks the Hub under the canonical id too; the recordings end before any file.
    const done = await waitForDownload(t.app, user, rec.id);
    expect([done.repoId, done.status, done.errorCode]).toEqual([BERT, 'failed', 'REPO_NOT_FOUND']);
    expect(paths(apiHub)).toContain(`/api/models/${BERT}/revision/${BERT_SHA}`);
    expect(paths(apiHub).filter((p) => p.startsWith('/api/models/bert-base-uncased'))).toEqual(['/api/models/bert-base-uncased']);
    const installed = (await request(t.app).get('/api/sources/installed').set(bearer(user))).body.items as InstalledModel[];
    expect(installed.map((m) => m.repoId)).toEqual([BERT]);
    const rows = await t.pool.query<{ repo_id: string; file_path: string }>(`SELECT repo_id, file_path FROM models WHERE source = 'hub'`);
    expect(rows.rows).toEqual([{ repo_id: BERT, file_path: path.join(t.config.paths.models, 'google-bert', 'bert-base-uncased') }]);
  });

  it('refuses a download of the gated ("manual") repo without a token', async () => {
    const res = await request(t.app).post('/api/sources/download').set(bearer(user)).send({ repoId: LLAMA });
    expect([res.status, res.body.error.code]).toEqual([403, 'GATED_REPO']);
  });
});

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildFixtureRepos, FIXTURE_TOKEN, GATED_REPO_ID, PRIVATE_REPO_ID, type FixtureRepo } from './fixtures.js';
import { gitBlobOid } from './hashing.js';
import { startHubMirror, type HubMirror } from './server.js';

let dir: string;
let repos: FixtureRepo[];
let mirror: HubMirror;

const sha256 = (buf: Buffer): string => createHash('sha256').update(buf).digest('hex');
const repo = (id: string): FixtureRepo => {
  const r = repos.find((x) => x.id === id);
  if (!r) throw new Error(`no fixture ${id}`);
  return r;
};
const file = (id: string, p: string) => {
  const f = repo(id).files.find((x) => x.path === p);
  if (!f) throw new Error(`no fixture file ${id}/${p}`);
  return f;
};
const auth = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A request with the path sent exactly as given (fetch would normalise `..` and `%2e%2e`). */
function rawGet(base: string, rawPath: string): Promise<{ status: number; body: string }> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function redirectTarget(id: string, p: string, headers: Record<string, string> = {}): Promise<string> {
  const res = await fetch(`${mirror.url}/${id}/resolve/main/${p}`, { redirect: 'manual', headers });
  expect(res.status).toBe(302);
  const location = res.headers.get('location');
  expect(location).toBeTruthy();
  return location ?? '';
}

beforeAll(async () => {
  dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hub-mirror-test-'));
  repos = await buildFixtureRepos(dir);
  mirror = await startHubMirror({ dir, tokens: { hf_codeGivenToken: { name: 'code-user', grants: [GATED_REPO_ID] } } });
});

afterAll(async () => {
  await mirror?.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  mirror.resetFaults();
});

describe('GET /api/models', () => {
  it('filters by language, sorts by downloads and paginates with Link rel="next"', async () => {
    const expected = repos
      .filter((r) => r.kind === 'model' && !r.private && (r.meta.language ?? ['fa']).includes('fa') && r.id !== 'acme-ai/tiny-gpt-en')
      .sort((a, b) => (b.meta.downloads ?? 0) - (a.meta.downloads ?? 0))
      .map((r) => r.id);
    const seen: string[] = [];
    let url: string | null = `${mirror.url}/api/models?filter=fa&sort=downloads&direction=-1&limit=2`;
    let pages = 0;
    while (url) {
      const res: Response = await fetch(url);
      expect(res.status).toBe(200);
      const page = (await res.json()) as { id: string; downloads: number; modelId: string; tags: string[] }[];
      expect(page.length).toBeLessThanOrEqual(2);
      for (const m of page) {
        expect(m.modelId).toBe(m.id);
        expect(m.tags).toContain('fa');
      }
      seen.push(...page.map((m) => m.id));
      const link = res.headers.get('link');
      url = link ? (/<([^>]+)>;\s*rel="next"/.exec(link)?.[1] ?? null) : null;
      pages += 1;
    }
    expect(seen).toEqual(expected);
    expect(pages).toBe(Math.ceil(expected.length / 2));
    expect(seen).not.toContain(PRIVATE_REPO_ID);
  });

  it('searches ids case-insensitively and combines author, pipeline_tag and sort direction', async () => {
    const search = (await (await fetch(`${mirror.url}/api/models?search=WHISPER`)).json()) as { id: string }[];
    expect(search.map((m) => m.id)).toEqual(['parsi-speech/whisper-small-fa']);

    const tts = (await (
      await fetch(`${mirror.url}/api/models?author=sokhan-lab&pipeline_tag=text-to-speech&sort=likes&direction=1`)
    ).json()) as { id: string; likes: number }[];
    expect(tts.map((m) => m.id)).toEqual(['sokhan-lab/vits-fa-female', 'sokhan-lab/piper-fa-amir-medium']);

    const both = (await (await fetch(`${mirror.url}/api/models?filter=fa&filter=onnx&sort=createdAt`)).json()) as { id: string }[];
    expect(both.map((m) => m.id)).toEqual([GATED_REPO_ID, 'sokhan-lab/piper-fa-amir-medium']);
  });

  it('returns the Hub fields: basic by default, sha, siblings and gated with full=true, expand picks', async () => {
    const [basic] = (await (await fetch(`${mirror.url}/api/models?search=fa-tts-gated`)).json()) as Record<string, unknown>[];
    expect(basic).toMatchObject({ id: GATED_REPO_ID, downloads: 980, likes: 19, pipeline_tag: 'text-to-speech', private: false });
    expect(basic).not.toHaveProperty('siblings');
    const [full] = (await (await fetch(`${mirror.url}/api/models?search=fa-tts-gated&full=true`)).json()) as Record<string, unknown>[];
    expect(full).toMatchObject({ gated: 'manual', author: 'gated-org', disabled: false });
    expect(full?.sha).toMatch(/^[0-9a-f]{40}$/);
    expect(full?.siblings).toEqual(expect.arrayContaining([{ rfilename: 'model.onnx' }]));
    const [picked] = (await (
      await fetch(`${mirror.url}/api/models?search=fa-tts-gated&expand[]=gated&expand[]=lastModified`)
    ).json()) as Record<string, unknown>[];
    expect(Object.keys(picked ?? {}).sort()).toEqual(['_id', 'gated', 'id', 'lastModified']);
  });

  it('expand=usedStorage gives each listed repo its total file size, and only the named fields', async () => {
    const rows = (await (
      await fetch(`${mirror.url}/api/models?author=sokhan-lab&expand=usedStorage&expand=downloads`)
    ).json()) as Record<string, unknown>[];
    expect(rows.length).toBeGreaterThan(1);
    for (const row of rows) {
      expect(Object.keys(row).sort()).toEqual(['_id', 'downloads', 'id', 'usedStorage']);
      expect(row.usedStorage).toBe(repo(row.id as string).totalSize);
    }
    // Without expand the listing carries no size, as on the Hub.
    const [plain] = (await (await fetch(`${mirror.url}/api/models?author=sokhan-lab&limit=1`)).json()) as Record<string, unknown>[];
    expect(plain).not.toHaveProperty('usedStorage');
  });

  it('shows private repos to their owner only, and rejects a bad sort', async () => {
    const anon = (await (await fetch(`${mirror.url}/api/models?author=sokhan-lab`)).json()) as { id: string }[];
    expect(anon.map((m) => m.id)).not.toContain(PRIVATE_REPO_ID);
    const owner = (await (await fetch(`${mirror.url}/api/models?author=sokhan-lab`, { headers: auth(FIXTURE_TOKEN.owner) })).json()) as {
      id: string;
    }[];
    expect(owner.map((m) => m.id)).toContain(PRIVATE_REPO_ID);
    expect((await fetch(`${mirror.url}/api/models?sort=bogus`)).status).toBe(400);
  });
});

describe('GET /api/models/{id}', () => {
  it('returns details with siblings, and sizes, blob ids and LFS digests with blobs=true', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const plain = (await (await fetch(`${mirror.url}/api/models/${id}`)).json()) as Record<string, unknown>;
    expect(plain).toMatchObject({
      id,
      modelId: id,
      author: 'sokhan-lab',
      private: false,
      gated: false,
      disabled: false,
      downloads: 30411,
      likes: 142,
      pipeline_tag: 'text-to-speech',
      library_name: 'onnx',
      cardData: { license: 'cc-by-4.0', language: ['fa'] },
    });
    expect(plain.siblings).toContainEqual({ rfilename: 'fa_IR-amir-medium.onnx' });

    const withBlobs = (await (await fetch(`${mirror.url}/api/models/${id}?blobs=true`)).json()) as {
      sha: string;
      siblings: { rfilename: string; size: number; blobId: string; lfs?: { sha256: string; size: number; pointerSize: number } }[];
    };
    for (const f of repo(id).files) {
      const sib = withBlobs.siblings.find((s) => s.rfilename === f.path);
      expect(sib?.size).toBe(f.size);
      expect(sib?.blobId).toBe(f.oid);
      if (f.lfs) expect(sib?.lfs).toMatchObject({ sha256: f.sha256, size: f.size });
      else expect(sib?.lfs).toBeUndefined();
    }
    const byRevision = (await (await fetch(`${mirror.url}/api/models/${id}/revision/${withBlobs.sha}`)).json()) as { sha: string };
    expect(byRevision.sha).toBe(withBlobs.sha);
  });

  it('answers 404 RepoNotFound and RevisionNotFound like the Hub', async () => {
    const missing = await fetch(`${mirror.url}/api/models/nobody/nothing`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('x-error-code')).toBe('RepoNotFound');
    expect(await missing.json()).toEqual({ error: 'Repository not found' });
    const rev = await fetch(`${mirror.url}/api/models/sokhan-lab/vits-fa-female/revision/v9.9`);
    expect(rev.status).toBe(404);
    expect(rev.headers.get('x-error-code')).toBe('RevisionNotFound');
    const priv = await fetch(`${mirror.url}/api/models/${PRIVATE_REPO_ID}`);
    expect(priv.status).toBe(401);
    expect((await fetch(`${mirror.url}/api/models/${PRIVATE_REPO_ID}`, { headers: auth(FIXTURE_TOKEN.plain) })).status).toBe(404);
    expect((await fetch(`${mirror.url}/api/models/${PRIVATE_REPO_ID}`, { headers: auth(FIXTURE_TOKEN.owner) })).status).toBe(200);
  });
});

describe('GET /api/models/{id}/tree/{rev}', () => {
  it('lists files and directories recursively with oid, size and lfs', async () => {
    const id = 'sokhan-lab/tfjs-fa-keyword-spotter';
    const tree = (await (await fetch(`${mirror.url}/api/models/${id}/tree/main?recursive=true`)).json()) as {
      type: string;
      path: string;
      oid: string;
      size: number;
      lfs?: { oid: string; size: number; pointerSize: number };
    }[];
    expect(tree.filter((e) => e.type === 'directory').map((e) => e.path)).toEqual(['labels', 'onnx', 'onnx/quantized', 'samples', 'tfjs']);
    for (const f of repo(id).files) {
      const entry = tree.find((e) => e.path === f.path);
      expect(entry).toMatchObject({ type: 'file', size: f.size, oid: f.oid });
      if (f.lfs) expect(entry?.lfs).toMatchObject({ oid: f.sha256, size: f.size });
    }
    const shallow = (await (await fetch(`${mirror.url}/api/models/${id}/tree/main`)).json()) as { path: string }[];
    expect(shallow.map((e) => e.path)).toEqual(['.gitattributes', 'README.md', 'labels', 'onnx', 'samples', 'tfjs']);
    const sub = (await (await fetch(`${mirror.url}/api/models/${id}/tree/main/onnx?recursive=1`)).json()) as { path: string }[];
    expect(sub.map((e) => e.path)).toEqual(['onnx/quantized', 'onnx/quantized/model_int8.onnx']);
  });

  it('paginates big trees with Link', async () => {
    const small = await startHubMirror({ dir, treePageSize: 4, prewarm: false });
    try {
      const id = 'sokhan-lab/tfjs-fa-keyword-spotter';
      const paths: string[] = [];
      let url: string | null = `${small.url}/api/models/${id}/tree/main?recursive=true`;
      let pages = 0;
      while (url) {
        const res: Response = await fetch(url);
        const page = (await res.json()) as { path: string }[];
        expect(page.length).toBeLessThanOrEqual(4);
        paths.push(...page.map((e) => e.path));
        url = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1] ?? null;
        pages += 1;
      }
      expect(pages).toBe(Math.ceil(paths.length / 4));
      expect(paths).toHaveLength(repo(id).files.length + 5);
      expect(new Set(paths).size).toBe(paths.length);
    } finally {
      await small.close();
    }
  });
});

describe('resolve and the file host', () => {
  it('serves small files with ETag = git blob oid and X-Repo-Commit', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx.json');
    const info = (await (await fetch(`${mirror.url}/api/models/${id}`)).json()) as { sha: string };
    const res = await fetch(`${mirror.url}/${id}/resolve/main/${f.path}`);
    expect(res.status).toBe(200);
    const body = Buffer.from(await res.arrayBuffer());
    expect(res.headers.get('etag')).toBe(`"${gitBlobOid(body)}"`);
    expect(res.headers.get('etag')).toBe(`"${f.oid}"`);
    expect(res.headers.get('x-repo-commit')).toBe(info.sha);
    expect(sha256(body)).toBe(f.sha256);
    const config = JSON.parse(body.toString('utf8')) as { espeak: { voice: string }; language: { code: string }; audio: { sample_rate: number } };
    expect(config).toMatchObject({ espeak: { voice: 'fa' }, language: { code: 'fa_IR' }, audio: { sample_rate: 22050 } });

    const head = await fetch(`${mirror.url}/${id}/resolve/${info.sha}/${f.path}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(Number(head.headers.get('content-length'))).toBe(f.size);
  });

  it('redirects LFS files to the file host with X-Linked-Size / X-Linked-Etag, and the bytes match the sha256', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx');
    const res = await fetch(`${mirror.url}/${id}/resolve/main/${f.path}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('x-linked-size')).toBe(String(f.size));
    expect(res.headers.get('x-linked-etag')).toBe(`"${f.sha256}"`);
    expect(res.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/);
    const location = res.headers.get('location') ?? '';
    expect(new URL(location).origin).toBe(mirror.fileHostUrl);
    expect(new URL(location).searchParams.get('Expires')).toMatch(/^\d+$/);

    const bytes = await fetch(location);
    expect(bytes.status).toBe(200);
    expect(bytes.headers.get('accept-ranges')).toBe('bytes');
    expect(bytes.headers.get('etag')).toBe(`"${f.sha256}"`);
    expect(sha256(Buffer.from(await bytes.arrayBuffer()))).toBe(f.sha256);
    expect(mirror.stats.resolveCount).toBeGreaterThan(0);
  });

  it('answers Range with 206 and Content-Range, and an unsatisfiable one with 416', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx');
    const whole = await fsp.readFile(f.absPath);
    const location = await redirectTarget(id, f.path);
    const before = mirror.stats.rangeRequests;

    const part = await fetch(location, { headers: { Range: 'bytes=1000-' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 1000-${f.size - 1}/${f.size}`);
    expect(Buffer.from(await part.arrayBuffer()).equals(whole.subarray(1000))).toBe(true);

    const suffix = await fetch(location, { headers: { Range: 'bytes=-16' } });
    expect(suffix.status).toBe(206);
    expect(Buffer.from(await suffix.arrayBuffer()).equals(whole.subarray(f.size - 16))).toBe(true);

    const beyond = await fetch(location, { headers: { Range: `bytes=${f.size}-` } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe(`bytes */${f.size}`);
    await beyond.arrayBuffer();

    const small = await fetch(`${mirror.url}/${id}/resolve/main/README.md`, { headers: { Range: 'bytes=0-2' } });
    expect(small.status).toBe(206);
    expect(Buffer.from(await small.arrayBuffer()).toString()).toBe('---');
    expect(mirror.stats.rangeRequests - before).toBe(4);
  });

  it('refuses (400) any file host request carrying Authorization; the API host accepts the token', async () => {
    const location = await redirectTarget(GATED_REPO_ID, 'model.onnx', auth(FIXTURE_TOKEN.granted));
    const leaked = await fetch(location, { headers: auth(FIXTURE_TOKEN.granted) });
    expect(leaked.status).toBe(400);
    expect(await leaked.text()).toContain('InvalidArgument');
    expect(mirror.stats.authRejected).toBeGreaterThan(0);
    const clean = await fetch(location);
    expect(clean.status).toBe(200);
    expect(sha256(Buffer.from(await clean.arrayBuffer()))).toBe(file(GATED_REPO_ID, 'model.onnx').sha256);
    const tampered = new URL(location);
    tampered.searchParams.set('Expires', String(Number(tampered.searchParams.get('Expires')) + 10));
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('serves gated repos: metadata to all, files 401 without a token, 403 without a grant, 200 with one', async () => {
    const meta = await fetch(`${mirror.url}/api/models/${GATED_REPO_ID}/tree/main`);
    expect(meta.status).toBe(200);
    await meta.arrayBuffer();
    const anon = await fetch(`${mirror.url}/${GATED_REPO_ID}/resolve/main/config.json`);
    expect(anon.status).toBe(401);
    expect(anon.headers.get('x-error-code')).toBe('GatedRepo');
    await anon.arrayBuffer();
    const denied = await fetch(`${mirror.url}/${GATED_REPO_ID}/resolve/main/config.json`, { headers: auth(FIXTURE_TOKEN.plain) });
    expect(denied.status).toBe(403);
    expect(denied.headers.get('x-error-code')).toBe('GatedRepo');
    await denied.arrayBuffer();
    const granted = await fetch(`${mirror.url}/${GATED_REPO_ID}/resolve/main/config.json`, { headers: auth(FIXTURE_TOKEN.granted) });
    expect(granted.status).toBe(200);
    expect(sha256(Buffer.from(await granted.arrayBuffer()))).toBe(file(GATED_REPO_ID, 'config.json').sha256);
    const codeToken = await fetch(`${mirror.url}/${GATED_REPO_ID}/resolve/main/config.json`, { headers: auth('hf_codeGivenToken') });
    expect(codeToken.status).toBe(200);
    await codeToken.arrayBuffer();
  });

  it('answers 404 EntryNotFound for a missing file and never serves .hub.json or tokens.json', async () => {
    for (const p of ['nope.bin', '.hub.json', '../tokens.json']) {
      const res = await fetch(`${mirror.url}/sokhan-lab/vits-fa-female/resolve/main/${p}`);
      expect(res.status).toBe(404);
      await res.arrayBuffer();
    }
    const res = await fetch(`${mirror.url}/sokhan-lab/vits-fa-female/resolve/main/nope.bin`);
    expect(res.headers.get('x-error-code')).toBe('EntryNotFound');
    await res.arrayBuffer();
  });

  it('refuses traversal: encoded dot segments, encoded slashes, backslashes and NUL', async () => {
    const hostile = [
      '/sokhan-lab/vits-fa-female/resolve/main/../../../tokens.json',
      '/sokhan-lab/vits-fa-female/resolve/main/%2e%2e/%2e%2e/tokens.json',
      '/sokhan-lab/vits-fa-female/resolve/main/..%2f..%2f..%2fetc%2fpasswd',
      '/sokhan-lab/vits-fa-female/resolve/main/config.json%00.txt',
      '/sokhan-lab/vits-fa-female/resolve/main/..%5c..%5ctokens.json',
      '/..%2f..%2fetc/passwd/resolve/main/x',
      '/api/models/..%2F..%2Fetc/passwd',
      '/sokhan-lab/vits-fa-female/resolve/main/%2Fetc%2Fpasswd',
    ];
    for (const p of hostile) {
      const res = await rawGet(mirror.url, p);
      expect([400, 404], p).toContain(res.status);
      expect(res.body).not.toContain('hf_Sokhan');
      expect(res.body).not.toContain('root:');
    }
    const fileHost = await rawGet(mirror.fileHostUrl, `/repos/model/sokhan-lab/vits-fa-female/${'0'.repeat(64)}/..%2f..%2ftokens.json`);
    expect(fileHost.status).toBe(404);
  });
});

describe('whoami-v2', () => {
  it('describes a valid token and refuses an invalid one', async () => {
    const ok = await fetch(`${mirror.url}/api/whoami-v2`, { headers: auth(FIXTURE_TOKEN.granted) });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      type: 'user',
      name: 'sokhan-researcher',
      orgs: [],
      auth: { type: 'access_token', accessToken: { role: 'read' } },
    });
    const bad = await fetch(`${mirror.url}/api/whoami-v2`, { headers: auth('hf_not_a_real_token') });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: 'Invalid credentials in Authorization header' });
    const none = await fetch(`${mirror.url}/api/whoami-v2`);
    expect(none.status).toBe(401);
    await none.arrayBuffer();
  });
});

describe('faults', () => {
  it('rate-limits the next N calls with 429, Retry-After and RateLimit headers', async () => {
    mirror.faults.rateLimitNext = 2;
    for (let i = 0; i < 2; i += 1) {
      const res = await fetch(`${mirror.url}/api/models?limit=1`);
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toBe('1');
      expect(res.headers.get('ratelimit')).toContain('r=0');
      expect(res.headers.get('ratelimit-policy')).toContain('q=');
      await res.arrayBuffer();
    }
    expect((await fetch(`${mirror.url}/api/models?limit=1`)).status).toBe(200);
  });

  it('drops the connection mid-file once; a Range resume then completes the file', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx');
    mirror.faults.dropAfterBytes = 300_000;
    const location = await redirectTarget(id, f.path);
    const res = await fetch(location);
    expect(res.status).toBe(200);
    const received: Buffer[] = [];
    const reader = res.body?.getReader();
    await expect(
      (async () => {
        for (;;) {
          const chunk = await reader?.read();
          if (!chunk || chunk.done) break;
          received.push(Buffer.from(chunk.value));
        }
      })(),
    ).rejects.toThrow();
    const got = Buffer.concat(received);
    expect(got.length).toBe(300_000);
    expect(mirror.stats.drops).toBe(1);

    const rest = await fetch(await redirectTarget(id, f.path), { headers: { Range: `bytes=${got.length}-` } });
    expect(rest.status).toBe(206);
    const whole = Buffer.concat([got, Buffer.from(await rest.arrayBuffer())]);
    expect(sha256(whole)).toBe(f.sha256);
  });

  it('ignores Range when asked, corrupts a file (same length), and fails with 503', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx');
    mirror.faults.ignoreRange = true;
    const full = await fetch(await redirectTarget(id, f.path), { headers: { Range: 'bytes=100-' } });
    expect(full.status).toBe(200);
    expect(Buffer.from(await full.arrayBuffer()).length).toBe(f.size);

    mirror.resetFaults();
    mirror.faults.corruptFile = f.path;
    const bad = Buffer.from(await (await fetch(await redirectTarget(id, f.path))).arrayBuffer());
    expect(bad.length).toBe(f.size);
    expect(sha256(bad)).not.toBe(f.sha256);

    mirror.resetFaults();
    mirror.faults.failNext5xx = 1;
    const failed = await fetch(`${mirror.url}/api/models/${id}`);
    expect(failed.status).toBe(503);
    await failed.arrayBuffer();
    expect((await fetch(`${mirror.url}/api/models/${id}`)).status).toBe(200);
  });

  it('changes the file host ETag with etagSuffix, so If-Range with the old one gets the whole file', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx');
    const target = await redirectTarget(id, f.path);
    const before = await fetch(target, { headers: { Range: 'bytes=0-9' } });
    expect(before.status).toBe(206);
    expect(before.headers.get('etag')).toBe(`"${f.sha256}"`);
    await before.arrayBuffer();

    mirror.faults.etagSuffix = '-v2';
    const after = await fetch(target, { headers: { Range: 'bytes=0-9', 'If-Range': `"${f.sha256}"` } });
    expect(after.status).toBe(200);
    expect(after.headers.get('etag')).toBe(`"${f.sha256}-v2"`);
    expect(Buffer.from(await after.arrayBuffer()).length).toBe(f.size);
    const same = await fetch(target, { headers: { Range: 'bytes=0-9', 'If-Range': `"${f.sha256}-v2"` } });
    expect([same.status, Buffer.from(await same.arrayBuffer()).length]).toEqual([206, 10]);
  });

  it('corrupts only the byte at corruptByteAt, in whichever range carries it', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx');
    const good = Buffer.from(await (await fetch(await redirectTarget(id, f.path))).arrayBuffer());
    mirror.faults.corruptFile = f.path;
    mirror.faults.corruptByteAt = 1000;
    const target = await redirectTarget(id, f.path);
    const head = Buffer.from(await (await fetch(target, { headers: { Range: 'bytes=0-999' } })).arrayBuffer());
    const tail = Buffer.from(await (await fetch(target, { headers: { Range: 'bytes=990-' } })).arrayBuffer());
    expect(head.equals(good.subarray(0, 1000))).toBe(true);
    const diff = [...tail.keys()].filter((i) => tail[i] !== good[990 + i]);
    expect(diff).toEqual([10]);
  });

  it('throttles file bodies so progress can be observed mid-file', async () => {
    const id = 'sokhan-lab/piper-fa-amir-medium';
    const f = file(id, 'fa_IR-amir-medium.onnx');
    mirror.faults.throttleBytesPerSec = 4_000_000;
    const started = Date.now();
    const body = Buffer.from(await (await fetch(await redirectTarget(id, f.path))).arrayBuffer());
    const elapsed = Date.now() - started;
    expect(sha256(body)).toBe(f.sha256);
    expect(elapsed).toBeGreaterThanOrEqual(300);
  });
});

describe('hostilePaths fault', () => {
  it('lists untrusted names in siblings and tree but never serves them', async () => {
    const id = 'sokhan-lab/vits-fa-female';
    const names = ['../../escape.sh', '/etc/cron.d/x', 'a\\b.txt', 'C:/win.ini'];
    mirror.faults.hostilePaths = { [id]: names };
    const info = (await (await fetch(`${mirror.url}/api/models/${id}?blobs=true`)).json()) as { siblings: { rfilename: string }[] };
    expect(info.siblings.map((s) => s.rfilename)).toEqual(expect.arrayContaining(names));
    const tree = (await (await fetch(`${mirror.url}/api/models/${id}/tree/main?recursive=true`)).json()) as { path: string }[];
    expect(tree.map((e) => e.path)).toEqual(expect.arrayContaining(names));
    const res = await rawGet(mirror.url, `/${id}/resolve/main/${encodeURIComponent('../../escape.sh')}`);
    expect(res.status).toBe(400);
    mirror.resetFaults();
    const clean = (await (await fetch(`${mirror.url}/api/models/${id}`)).json()) as { siblings: { rfilename: string }[] };
    expect(clean.siblings.map((s) => s.rfilename)).not.toContain('../../escape.sh');
  });
});

describe('Hub extras the official clients use', () => {
  it('answers paths-info, raw pointers, HEAD as a revision, and datasets', async () => {
    const id = 'persian-nlp/bert-fa-sentiment';
    const st = file(id, 'model.safetensors');
    const info = (await (
      await fetch(`${mirror.url}/api/models/${id}/paths-info/main`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ paths: ['model.safetensors', 'missing.txt'], expand: false }),
      })
    ).json()) as { path: string; lfs?: { oid: string } }[];
    expect(info).toEqual([{ type: 'file', oid: st.oid, size: st.size, path: st.path, lfs: expect.objectContaining({ oid: st.sha256 }) }]);

    const pointer = await (await fetch(`${mirror.url}/${id}/raw/main/model.safetensors`)).text();
    expect(pointer).toContain(`oid sha256:${st.sha256}`);
    expect((await fetch(`${mirror.url}/api/models/${id}/revision/HEAD`)).status).toBe(200);

    const datasets = (await (await fetch(`${mirror.url}/api/datasets?search=sentences`)).json()) as { id: string; tags: string[] }[];
    expect(datasets.map((d) => d.id)).toEqual(['sokhan-lab/fa-tts-sentences']);
    expect(datasets[0]?.tags).toContain('language:fa');
    const csv = await fetch(`${mirror.url}/datasets/sokhan-lab/fa-tts-sentences/resolve/main/data/train.csv`);
    expect(csv.status).toBe(200);
    expect(await csv.text()).toContain('سلام');
  });
});

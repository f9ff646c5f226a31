/**
 * `npm run verify:api`: checks every endpoint of a running server. With BASE_URL it uses that server; otherwise it
 * starts one on a free port with a fresh database and folders (and a Hub mirror on loopback) and stops it after.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Checks, assert } from './lib/checks.js';
import { call, waitFor } from './lib/http.js';

const checks = new Checks('verify:api');

async function ownServer(): Promise<{ base: string; stop(): Promise<void> }> {
  const { loadConfig } = await import('../backend/src/config.js');
  const { createLogger } = await import('../backend/src/platform/logger.js');
  const { startServer } = await import('../backend/src/server.js');
  const { freePort } = await import('../backend/test/ports.js');
  const root = await fs.mkdtemp(path.join(os.tmpdir(), 'sokhan-verify-api-'));
  await fs.chmod(root, 0o755); // the embedded server runs as the postgres user when we are root
  const mirror = await startMirror(root);
  const config = loadConfig(
    {
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: path.join(root, 'data'),
      MODELS_DIR: path.join(root, 'models'),
      DATASETS_DIR: path.join(root, 'datasets'),
      CHECKPOINTS_DIR: path.join(root, 'checkpoints'),
      EMBEDDED_PG_PORT: String(await freePort()),
      JWT_SECRET: randomBytes(32).toString('hex'),
      SECRET_KEY: randomBytes(32).toString('hex'),
      BCRYPT_COST: '10',
      LOG_LEVEL: 'warn',
      ...(mirror ? { HF_ENDPOINT: mirror.url } : {}),
    },
    process.cwd(),
  );
  const server = await startServer(config, createLogger('warn'));
  return {
    base: `http://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.close();
      await mirror?.close();
      await fs.rm(root, { recursive: true, force: true });
    },
  };
}

async function startMirror(root: string): Promise<{ url: string; close(): Promise<void> } | null> {
  try {
    const { startHubMirror } = await import('./hub-mirror/server.js');
    const { buildFixtureRepos } = await import('./hub-mirror/fixtures.js');
    const dir = path.join(root, 'hub');
    await buildFixtureRepos(dir, { runnableModels: true });
    return await startHubMirror({ dir });
  } catch (err) {
    console.log(`(no hub mirror: ${(err as Error).message})`);
    return null;
  }
}

const external = process.env.BASE_URL;
const server = external ? { base: external.replace(/\/$/, ''), stop: async () => undefined } : await ownServer();
const base = server.base;
const ctx: { token?: string; userId?: string } = {};
const tag = randomBytes(4).toString('hex');

try {
  await checks.step('GET /api/health → 200 {status ok, db up}', async () => {
    const r = await call(base, 'GET', '/api/health');
    assert(r.status === 200 && r.body.status === 'ok' && r.body.db === 'up', `got ${r.status} ${JSON.stringify(r.body)}`);
    assert(r.headers.get('x-request-id'), 'no X-Request-Id header');
    assert(r.headers.get('content-security-policy'), 'no CSP header');
    return `version ${r.body.version}`;
  });
  await checks.step('POST /api/auth/register → 201 {user, token}', async () => {
    const r = await call(base, 'POST', '/api/auth/register', { body: { email: `verify-${tag}@example.com`, username: `verify_${tag}`, password: 'گذرواژه-آزمون-۱۲۳' } });
    assert(r.status === 201 && r.body.token && r.body.user.role === 'user', `got ${r.status} ${JSON.stringify(r.body)}`);
    ctx.userId = r.body.user.id;
  });
  await checks.step('POST /api/auth/register with bad fields → 400 VALIDATION_FAILED with details', async () => {
    const r = await call(base, 'POST', '/api/auth/register', { body: { email: 'nope', username: 'a', password: 1 } });
    assert(r.status === 400 && r.body.error.code === 'VALIDATION_FAILED' && r.body.error.details.length >= 3, `got ${r.status} ${JSON.stringify(r.body)}`);
  });
  await checks.step('POST /api/auth/login → 200 {user, token}', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: { login: `verify_${tag}`, password: 'گذرواژه-آزمون-۱۲۳' } });
    assert(r.status === 200 && r.body.token, `got ${r.status}`);
    ctx.token = r.body.token;
  });
  await checks.step('POST /api/auth/login wrong password → 401 INVALID_CREDENTIALS', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: { login: `verify_${tag}`, password: 'wrong-password' } });
    assert(r.status === 401 && r.body.error.code === 'INVALID_CREDENTIALS', `got ${r.status}`);
  });
  await checks.step('GET /api/auth/me → 200 (and 401 without a token)', async () => {
    const r = await call(base, 'GET', '/api/auth/me', { token: ctx.token });
    assert(r.status === 200 && r.body.user.id === ctx.userId, `got ${r.status}`);
    const anon = await call(base, 'GET', '/api/auth/me');
    assert(anon.status === 401 && anon.body.error.code === 'UNAUTHENTICATED', `anonymous got ${anon.status}`);
  });
  await checks.step('GET /api/settings → 200 defaults', async () => {
    const r = await call(base, 'GET', '/api/settings', { token: ctx.token });
    assert(r.status === 200 && r.body.huggingface.hasToken === false, `got ${r.status} ${JSON.stringify(r.body)}`);
  });
  await checks.step('POST /api/settings {language: en} → 200 and persisted', async () => {
    const r = await call(base, 'POST', '/api/settings', { token: ctx.token, body: { language: 'en' } });
    assert(r.status === 200 && r.body.preferences.language === 'en', `got ${r.status}`);
    const again = await call(base, 'GET', '/api/settings', { token: ctx.token });
    assert(again.body.preferences.language === 'en', 'not persisted');
    const bad = await call(base, 'POST', '/api/settings', { token: ctx.token, body: { language: 'xx' } });
    assert(bad.status === 400, `bad language got ${bad.status}`);
  });
  await checks.step('GET /api/system/status → 200 with database, tensorflow, disk, sockets', async () => {
    const r = await call(base, 'GET', '/api/system/status', { token: ctx.token });
    assert(r.status === 200 && r.body.database.serverVersion && r.body.tensorflow.backend, `got ${r.status}`);
    return `postgres ${r.body.database.serverVersion} (${r.body.database.mode}), tfjs ${r.body.tensorflow.backend}, pool max ${r.body.database.pool.max}`;
  });
  await checks.step('malformed JSON → 400 MALFORMED_JSON without echoing the body', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: '{"login": "secret-echo', headers: { 'Content-Type': 'application/json' } });
    assert(r.status === 400 && r.body.error.code === 'MALFORMED_JSON' && !JSON.stringify(r.body).includes('secret-echo'), `got ${r.status}`);
  });
  await checks.step('non-JSON body → 415', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: 'login=a', headers: { 'Content-Type': 'text/plain' } });
    assert(r.status === 415 && r.body.error.code === 'UNSUPPORTED_MEDIA_TYPE', `got ${r.status}`);
  });
  await checks.step('oversized JSON body → 413', async () => {
    const r = await call(base, 'POST', '/api/auth/login', { body: { login: 'x'.repeat(2_000_000), password: 'x' } });
    assert(r.status === 413 && r.body.error.code === 'PAYLOAD_TOO_LARGE', `got ${r.status}`);
  });
  await checks.step('unknown API route → 404 JSON', async () => {
    const r = await call(base, 'GET', '/api/does-not-exist');
    assert(r.status === 404 && r.body.error.code === 'NOT_FOUND', `got ${r.status}`);
  });
  // Hub (against the mirror when HF_ENDPOINT points at one)
  const repo = process.env.HUB_REPO ?? 'sokhan-lab/piper-fa-amir-medium';
  await checks.step('GET /api/sources/search → items with downloads, likes, gated, installed', async () => {
    const r = await call(base, 'GET', '/api/sources/search?q=fa&limit=5', { token: ctx.token });
    assert(r.status === 200 && r.body.items.length > 0, `got ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    const i = r.body.items[0];
    assert(typeof i.downloads === 'number' && typeof i.likes === 'number' && 'gated' in i && typeof i.installed === 'boolean', 'item shape');
    const bad = await call(base, 'GET', '/api/sources/search?limit=100000', { token: ctx.token });
    assert(bad.status === 400, `limit out of range got ${bad.status}`);
    return `${r.body.items.length} items`;
  });
  await checks.step('GET /api/sources/model/:owner/:name → files with sizes, total', async () => {
    const r = await call(base, 'GET', `/api/sources/model/${repo}`, { token: ctx.token });
    assert(r.status === 200 && r.body.files.length > 0 && r.body.totalSize > 0, `got ${r.status}`);
    const hostile = await call(base, 'GET', '/api/sources/model/..%2F..%2Fetc', { token: ctx.token });
    assert(hostile.status === 400, `hostile repo id got ${hostile.status}`);
    return `${r.body.files.length} files, ${r.body.totalSize} bytes`;
  });
  await checks.step('POST /api/sources/download → 202, completes; GET /download/:id, /downloads, /installed', async () => {
    const r = await call(base, 'POST', '/api/sources/download', { token: ctx.token, body: { repoId: repo } });
    assert(r.status === 202, `got ${r.status} ${JSON.stringify(r.body)}`);
    const done = await waitFor(async () => {
      const d = await call(base, 'GET', `/api/sources/download/${r.body.id}`, { token: ctx.token });
      return ['completed', 'failed'].includes(d.body.status) ? d.body : null;
    }, 60_000);
    assert(done.status === 'completed' && done.bytesDownloaded === done.bytesTotal, `ended ${done.status} ${done.error ?? ''}`);
    const list = await call(base, 'GET', '/api/sources/downloads', { token: ctx.token });
    assert(list.body.items[0].id === r.body.id, 'not first in my downloads');
    const installed = await call(base, 'GET', '/api/sources/installed', { token: ctx.token });
    assert(installed.body.items.some((m: any) => m.repoId === repo && m.status === 'ready'), 'not installed');
    return `${done.bytesTotal} bytes verified`;
  });
  await checks.step('POST /api/models/:id/run → an installed ONNX classifier runs; PyTorch weights only → 422 with the reason', async () => {
    const install = async (repoId: string) => {
      const r = await call(base, 'POST', '/api/sources/download', { token: ctx.token, body: { repoId } });
      assert(r.status === 202 || r.status === 200, `download ${repoId} got ${r.status}`);
      const done = await waitFor(async () => {
        const d = await call(base, 'GET', `/api/sources/download/${r.body.id}`, { token: ctx.token });
        return ['completed', 'failed'].includes(d.body.status) ? d.body : null;
      }, 60_000);
      assert(done.status === 'completed', `${repoId} ended ${done.status}`);
      return (await call(base, 'GET', `/api/sources/installed/${done.modelId}`, { token: ctx.token })).body;
    };
    const model = await install(process.env.RUN_REPO ?? 'sokhan-lab/bert-fa-tiny-sentiment');
    assert(model.runtime.status === 'runnable', `runtime ${JSON.stringify(model.runtime)}`);
    const run = await call(base, 'POST', `/api/models/${model.id}/run`, { token: ctx.token, body: { pipeline: 'text-classification', inputs: 'این فیلم خیلی عالی بود' } });
    const labels: { label: string; score: number }[] = run.body.results?.[0]?.labels ?? [];
    assert(run.status === 200 && Math.abs(labels.reduce((s, l) => s + l.score, 0) - 1) < 1e-4, `run got ${run.status} ${JSON.stringify(run.body).slice(0, 200)}`);
    const torch = await install(process.env.TORCH_REPO ?? 'sokhan-lab/bert-fa-pytorch-only');
    assert(torch.runtime.reasonCode === 'pytorch-only', `runtime ${JSON.stringify(torch.runtime)}`);
    const refused = await call(base, 'POST', `/api/models/${torch.id}/run`, { token: ctx.token, body: { pipeline: 'text-classification', inputs: 'سلام' } });
    assert(refused.status === 422 && refused.body.error.code === 'MODEL_NOT_RUNNABLE', `got ${refused.status}`);
    return `${labels[0]?.label} ${labels[0]?.score.toFixed(3)}; "${torch.runtime.reason}"`;
  });
  await checks.step('POST /api/sources/validate-token and the settings token endpoints', async () => {
    const v = await call(base, 'POST', '/api/sources/validate-token', { token: ctx.token, body: { token: 'hf_notARealTokenAtAll0000' } });
    assert(v.status === 200 && v.body.valid === false, `validate got ${v.status}`);
    const put = await call(base, 'PUT', '/api/settings/huggingface/token', { token: ctx.token, body: { token: 'hf_notARealTokenAtAll0000' } });
    assert(put.status >= 400 && put.status < 500 && put.body.error.code === 'INVALID_TOKEN', `storing an invalid token got ${put.status}`);
    const del = await call(base, 'DELETE', '/api/settings/huggingface/token', { token: ctx.token });
    assert(del.status === 200 && del.body.hasToken === false, `delete got ${del.status}`);
  });

  // Datasets and training
  const positive = ['این فیلم واقعا عالی بود', 'از خرید این گوشی خیلی راضی هستم', 'کیفیت غذا فوق‌العاده بود', 'خدمات پشتیبانی سریع و خوب بود', 'کتاب بسیار جذاب و خواندنی است'];
  const negative = ['این فیلم خیلی بد و خسته‌کننده بود', 'از خرید این گوشی پشیمانم', 'کیفیت غذا افتضاح بود', 'پشتیبانی اصلا جواب نداد', 'کتاب بی‌محتوا و کسل‌کننده است'];
  const lines = ['متن,برچسب'];
  for (let i = 0; i < 12; i++) for (const [texts, label] of [[positive, 'مثبت'], [negative, 'منفی']] as const) lines.push(`"${texts[i % 5]} ${i}",${label}`);
  const ds: { id?: string; job?: string; model?: string } = {};
  await checks.step('POST /api/datasets (multipart CSV) → 201 with columns and label balance', async () => {
    const form = new FormData();
    form.append('name', 'نظرها');
    form.append('file', new Blob([lines.join('\n')], { type: 'text/csv' }), '../../evil name.csv');
    const r = await call(base, 'POST', '/api/datasets', { token: ctx.token, body: form });
    assert(r.status === 201 && r.body.recordCount === 24, `got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    assert(r.body.classCounts?.length === 2, 'no label balance');
    ds.id = r.body.id;
    return `${r.body.recordCount} rows, label ${r.body.labelColumn}`;
  });
  await checks.step('GET /api/datasets, /:id (preview), /:id/rows', async () => {
    const list = await call(base, 'GET', '/api/datasets', { token: ctx.token });
    assert(list.status === 200 && list.body.items.some((d: any) => d.id === ds.id), 'not listed');
    const one = await call(base, 'GET', `/api/datasets/${ds.id}`, { token: ctx.token });
    assert(one.status === 200 && one.body.preview.length > 0, 'no preview');
    const rows = await call(base, 'GET', `/api/datasets/${ds.id}/rows?offset=20&limit=10`, { token: ctx.token });
    assert(rows.status === 200, `rows got ${rows.status}`);
  });
  await checks.step('POST /api/training → 201; trains to completion with checkpoints', async () => {
    const r = await call(base, 'POST', '/api/training', {
      token: ctx.token,
      body: { datasetId: ds.id, task: 'text-classification', textColumn: 'متن', labelColumn: 'برچسب', epochs: 3, batchSize: 8, validationSplit: 0.25, seed: 7, layers: [{ type: 'dense', units: 16, activation: 'relu' }], textFeatures: { buckets: 1024 } },
    });
    assert(r.status === 201, `got ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
    ds.job = r.body.id;
    const done = await waitFor(async () => {
      const j = await call(base, 'GET', `/api/training/${ds.job}`, { token: ctx.token });
      return ['completed', 'failed', 'cancelled'].includes(j.body.status) ? j.body : null;
    }, 120_000, 500);
    assert(done.status === 'completed', `ended ${done.status} ${JSON.stringify(done.error)}`);
    ds.model = done.modelId;
    const cps = await call(base, 'GET', `/api/training/${ds.job}/checkpoints`, { token: ctx.token });
    assert(cps.status === 200 && JSON.stringify(cps.body).includes('"epoch"'), 'no checkpoints');
    const list = await call(base, 'GET', '/api/training?status=completed', { token: ctx.token });
    assert(list.status === 200 && JSON.stringify(list.body).includes(String(ds.job)), 'not listed');
    return `backend ${done.backend}, loss ${done.latest?.loss?.toFixed?.(3)}`;
  });
  await checks.step('GET /api/models/:id/files/model.json and POST /api/models/:id/predict', async () => {
    const mj = await call(base, 'GET', `/api/models/${ds.model}/files/model.json`, { token: ctx.token });
    assert(mj.status === 200 && mj.body.modelTopology && mj.body.weightsManifest, `model.json got ${mj.status}`);
    const traversal = await call(base, 'GET', `/api/models/${ds.model}/files/..%2F..%2F.env`, { token: ctx.token });
    assert(traversal.status === 400 || traversal.status === 404, `traversal got ${traversal.status}`);
    const p = await call(base, 'POST', `/api/models/${ds.model}/predict`, { token: ctx.token, body: { inputs: { 'متن': 'این فیلم عالی بود' } } });
    assert(p.status === 200 && p.body.predictions[0].probabilities.length === 2, `predict got ${p.status} ${JSON.stringify(p.body).slice(0, 200)}`);
    return `«این فیلم عالی بود» → ${p.body.predictions[0].label} (${p.body.predictions[0].probability.toFixed(2)})`;
  });
  await checks.step('GET /api/models, GET /api/models/:id/export → one zip, POST /api/models/import → 201 predicting the same; a text file → 422', async () => {
    const listed = await call(base, 'GET', '/api/models', { token: ctx.token });
    assert(listed.status === 200 && listed.body.items.some((m: any) => m.id === ds.model), `the model is not listed (${listed.status})`);
    const res = await fetch(`${base}/api/models/${ds.model}/export`, { headers: { Authorization: `Bearer ${ctx.token}` } });
    const zip = new Uint8Array(await res.arrayBuffer());
    assert(res.status === 200 && res.headers.get('content-type') === 'application/zip' && zip[0] === 0x50 && zip[1] === 0x4b, `export got ${res.status}`);
    const form = new FormData();
    form.append('file', new Blob([zip], { type: 'application/zip' }), 'model.zip');
    const imported = await call(base, 'POST', '/api/models/import', { token: ctx.token, body: form });
    assert(imported.status === 201 && imported.body.importedAt, `import got ${imported.status} ${JSON.stringify(imported.body).slice(0, 300)}`);
    const input = { inputs: { 'متن': 'این فیلم عالی بود' } };
    const [a, b] = await Promise.all([ds.model, imported.body.id].map((id) => call(base, 'POST', `/api/models/${id}/predict`, { token: ctx.token, body: input })));
    assert(b!.status === 200 && JSON.stringify(a!.body.predictions) === JSON.stringify(b!.body.predictions), 'the imported model predicts otherwise');
    const bad = new FormData();
    bad.append('file', new Blob(['not a zip']), 'model.zip');
    const refused = await call(base, 'POST', '/api/models/import', { token: ctx.token, body: bad });
    assert(refused.status === 422 && refused.body.error.code === 'INVALID_MODEL_ARCHIVE' && refused.body.error.details[0].reason === 'not-a-zip', `a text file got ${refused.status}`);
    return `${zip.length} bytes, imported as ${imported.body.id}`;
  });
  await checks.step('bad training config → 400 with field details; cancelling a finished job → 409', async () => {
    const bad = await call(base, 'POST', '/api/training', { token: ctx.token, body: { datasetId: ds.id, task: 'text-classification', textColumn: 'متن', labelColumn: 'برچسب', layers: [{ type: 'dropout', rate: 1.5 }], optimizer: 'adamax' } });
    assert(bad.status === 400 && bad.body.error.details.length >= 2, `got ${bad.status}`);
    const cancel = await call(base, 'DELETE', `/api/training/${ds.job}`, { token: ctx.token });
    assert(cancel.status === 409 && cancel.body.error.code === 'INVALID_STATE', `cancel of a finished job got ${cancel.status}`);
  });
  await checks.step('DELETE /api/datasets/:id → 204', async () => {
    const r = await call(base, 'DELETE', `/api/datasets/${ds.id}`, { token: ctx.token });
    assert(r.status === 204, `got ${r.status}`);
    const gone = await call(base, 'GET', `/api/datasets/${ds.id}`, { token: ctx.token });
    assert(gone.status === 404, `deleted dataset still answers ${gone.status}`);
  });

  // Speech
  await checks.step('GET /api/tts/voices and POST /api/tts → WAV', async () => {
    const v = await call(base, 'GET', '/api/tts/voices', { token: ctx.token });
    assert(v.status === 200 && v.body.voices.some((x: any) => x.id === 'espeak:fa'), `voices got ${v.status}`);
    const res = await fetch(base + '/api/tts', { method: 'POST', headers: { Authorization: `Bearer ${ctx.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ text: 'سلام، به سخن خوش آمدید.', voiceId: 'espeak:fa' }) });
    const wav = Buffer.from(await res.arrayBuffer());
    assert(res.status === 200 && wav.subarray(0, 4).toString() === 'RIFF' && wav.length > 20_000, `tts got ${res.status}, ${wav.length} bytes`);
    return `${v.body.voices.length} voices, ${wav.length} bytes of WAV`;
  });
  await checks.step('POST /api/tts/history, GET /history, GET /history/:id/audio, DELETE /history/:id', async () => {
    const saved = await call(base, 'POST', '/api/tts/history', { token: ctx.token, body: { text: 'یک جملهٔ کوتاه.', voiceId: 'espeak:fa' } });
    assert(saved.status === 201, `save got ${saved.status} ${JSON.stringify(saved.body).slice(0, 200)}`);
    const list = await call(base, 'GET', '/api/tts/history', { token: ctx.token });
    assert(list.body.items.some((h: any) => h.id === saved.body.id), 'not listed');
    const audio = await fetch(base + `/api/tts/history/${saved.body.id}/audio`, { headers: { Authorization: `Bearer ${ctx.token}` } });
    assert(audio.status === 200, `audio got ${audio.status}`);
    const del = await call(base, 'DELETE', `/api/tts/history/${saved.body.id}`, { token: ctx.token });
    assert(del.status === 204, `delete got ${del.status}`);
  });

  await checks.step('GET / serves the Persian SPA (lang=fa dir=rtl)', async () => {
    const r = await fetch(base + '/');
    const html = await r.text();
    assert(r.status === 200 && /<html[^>]*lang="fa"[^>]*dir="rtl"/.test(html), `got ${r.status}`);
  });
} finally {
  await server.stop();
}
process.exit(checks.summary());

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Request } from 'playwright-core';
import type { InstalledListResponse, PredictResponse, TrainingJobDetail } from '@sokhan/common';
import { RUNNABLE_REPO } from '../../../scripts/hub-mirror/onnx-fixtures.js';
import { TOKEN_KEY } from '../../src/lib/token-store.js';
import { assert, fa, waitFor, type Ctx, type Scenario } from '../context.js';
import { sentimentCsv } from '../fixtures.js';
import { downloadFromHub } from './runtime.js';

const ROWS = 240;
/** Rows the encoder takes a few seconds over, so its bar is seen part way. */
const BIG_ROWS = 30_000;
const DATASET = 'نظرها برای رمزگذار';
const SENTENCE = 'این فیلم واقعاً عالی بود و پیشنهاد می‌کنم';

/** The suite's API as the signed-in tab calls it (its own bearer token). */
async function api<T>(ctx: Pick<Ctx, 'page' | 'baseUrl'>, method: string, pathname: string, body?: unknown): Promise<T> {
  const token = await ctx.page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
  const res = await fetch(`${ctx.baseUrl}${pathname}`, {
    method,
    headers: { authorization: `Bearer ${token ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${pathname} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** The fixture sentence encoder, installed (from its Hub page when it is not yet) and inspected as runnable. */
async function installedEncoder(ctx: Ctx): Promise<string> {
  const find = async () => (await api<InstalledListResponse>(ctx, 'GET', '/api/sources/installed')).items.find((m) => m.repoId === RUNNABLE_REPO.encoder && m.status === 'ready');
  if (!(await find())) await downloadFromHub(ctx, RUNNABLE_REPO.encoder);
  const model = await waitFor('the encoder inspected as runnable', async () => {
    const m = await find();
    return m?.runtime.status === 'runnable' && m.runtime.pipelines.includes('feature-extraction') ? m : null;
  }, 60_000);
  assert(model, 'no runnable encoder');
  return model.id;
}

export const trainOnEncoder: Scenario = {
  name: 'train on an installed encoder: the embedding progress shows, the playground runs encoder and head in the browser as the server does, and training continued from that model reads the embeddings from the cache',
  async run(ctx) {
    const { page, goto, shot, tmp } = ctx;
    const encoderId = await installedEncoder(ctx);

    // A Persian sentiment file of its own, so the embedding cache starts empty for it.
    await goto('/datasets');
    const file = path.join(tmp, 'نظرها-رمزگذار.csv');
    writeFileSync(file, sentimentCsv(ROWS));
    await page.locator('#dataset-file').setInputFiles(file);
    await page.getByLabel(fa.datasets.fields.name, { exact: true }).fill(DATASET);
    await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/);
    const datasetId = page.url().split('/').pop() ?? '';

    // The form: the encoder replaces the n-grams, and the sparse/dense choice goes (an embedding is read densely).
    await goto(`/training/new?dataset=${datasetId}`);
    const form = page.getByRole('form', { name: fa.training.new.title });
    const picker = form.getByTestId('encoder-picker');
    await waitFor('the encoder offered', async () => (await picker.locator(`option[value="${encoderId}"]`).count()) === 1);
    const option = (await picker.locator(`option[value="${encoderId}"]`).textContent()) ?? '';
    assert(option.includes(RUNNABLE_REPO.encoder) && option.includes('۳۲'), `the encoder is offered as «${option}»`);
    assert((await form.locator('select[name="input"]').count()) === 1, 'the n-gram input choice is missing before an encoder is chosen');
    await picker.selectOption(encoderId);
    await waitFor('the input choice hidden', async () => (await form.locator('select[name="input"]').count()) === 0);
    await form.locator('select[name="encoderPooling"]').waitFor();
    await form.getByRole('checkbox', { name: fa.training.fields.earlyStopping }).uncheck();
    await page.locator('input[name="epochs"]').fill('30');
    await page.locator('input[name="batchSize"]').fill('16');
    await shot('training-new-encoder');
    await page.getByRole('button', { name: fa.training.new.start }).click();
    await page.waitForURL(/\/training\/[0-9a-f-]{36}$/);
    const jobId = page.url().split('/').pop() ?? '';

    // The encoder's pass over the file: every row, embedded for this job (nothing cached yet), then the epochs.
    const embedding = page.getByTestId('embedding-progress');
    await embedding.waitFor({ timeout: 60_000 });
    await waitFor('the embedding done', async () => (await embedding.getAttribute('data-done')) === 'true', 120_000);
    assert((await embedding.getAttribute('data-total')) === String(ROWS), `the embedding counts ${await embedding.getAttribute('data-total')} rows, not ${ROWS}`);
    assert((await embedding.getAttribute('data-rows')) === String(ROWS), `the embedding stopped at ${await embedding.getAttribute('data-rows')} rows`);
    assert((await embedding.getAttribute('data-cached')) === 'false', 'a new dataset was read from the cache');
    await embedding.getByText(RUNNABLE_REPO.encoder).waitFor();
    await page.getByRole('link', { name: fa.training.job.tryIt }).waitFor({ timeout: 180_000 });
    await shot('training-encoder-complete');
    const job = await api<TrainingJobDetail>(ctx, 'GET', `/api/training/${jobId}`);
    assert(job.metrics.embedding?.done === true && job.metrics.embedding.encoderId === encoderId, `metrics.embedding: ${JSON.stringify(job.metrics.embedding)}`);
    const modelId = job.modelId ?? '';
    assert(job.model?.encoder?.repoId === RUNNABLE_REPO.encoder && job.model.encoder.installedId === encoderId, `the model's encoder: ${JSON.stringify(job.model?.encoder)}`);

    // The playground runs the encoder (transformers.js on WebAssembly, files from our server) and the head here.
    const requested: string[] = [];
    const record = (req: Request) => void requested.push(req.url());
    page.on('request', record);
    await page.getByRole('link', { name: fa.training.job.tryIt }).click();
    await page.waitForURL(/\/playground\?model=/);
    await page.getByTestId('encoder-repo').getByText(RUNNABLE_REPO.encoder).waitFor();
    await page.getByTestId('encoder-ready').waitFor({ timeout: 120_000 });
    await page.getByTestId('text-input').fill(SENTENCE);
    const bars = page.getByTestId('prediction').getByTestId('probability');
    await bars.first().waitFor({ timeout: 30_000 });
    const browser = await bars.evaluateAll((els) => els.map((e) => ({ label: e.getAttribute('data-label') ?? '', probability: Number(e.getAttribute('data-probability')) })));
    const server = (await api<PredictResponse>(ctx, 'POST', `/api/models/${modelId}/predict`, { inputs: { متن: SENTENCE } })).predictions[0];
    assert(server && 'label' in server, `the server's prediction: ${JSON.stringify(server)}`);
    assert(browser[0]?.label === server.label, `top label: browser ${browser[0]?.label}, server ${server.label}`);
    for (const p of server.probabilities) {
      const mine = browser.find((b) => b.label === p.label);
      assert(mine && Math.abs(mine.probability - p.probability) < 1e-3, `P(${p.label}): browser ${mine?.probability}, server ${p.probability}`);
    }
    page.off('request', record);
    // Nothing came from elsewhere (a CDN): the runtime's .wasm from our build, the encoder's files from its route.
    const origin = new URL(ctx.baseUrl).origin;
    const outside = requested.filter((u) => !u.startsWith(`${origin}/`) && !/^(data|blob):/.test(u));
    assert(outside.length === 0, `the playground asked for outside addresses: ${outside.join(', ')}`);
    assert(requested.some((u) => /^\/assets\/ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/.test(new URL(u).pathname)), 'onnxruntime-web\'s .wasm did not come from the build');
    const prefix = `${origin}/api/models/${modelId}/encoder/`;
    const fetched = requested.filter((u) => u.startsWith(prefix)).map((u) => decodeURIComponent(u.slice(prefix.length)));
    const listed = job.model.encoder.files;
    assert(fetched.includes('config.json') && fetched.includes('tokenizer.json') && fetched.some((f) => f.endsWith('.onnx')), `the encoder files fetched: ${fetched.join(', ')}`);
    assert(fetched.every((f) => listed.includes(f)), `fetched ${fetched.join(', ')}; the model lists ${listed.join(', ')}`);
    await shot('playground-encoder');

    // Training continues from that model on the same file: the encoder follows it, and its embeddings come from the cache.
    await goto(`/training/new?dataset=${datasetId}`);
    const base = form.locator('select[name="baseModel"]');
    await waitFor('the first model offered to continue from', async () => (await base.locator(`option[value="${modelId}"]`).count()) === 1);
    await base.selectOption(modelId);
    await waitFor('the encoder following the model', async () => (await picker.inputValue()) === encoderId && (await picker.isDisabled()));
    await form.getByTestId('base-network').waitFor();
    await page.locator('input[name="epochs"]').fill('2');
    await page.getByRole('button', { name: fa.training.new.start }).click();
    await page.waitForURL(/\/training\/[0-9a-f-]{36}$/);
    const againId = page.url().split('/').pop() ?? '';
    assert(againId !== jobId, 'no second job');
    const second = page.getByTestId('embedding-progress');
    await waitFor('the second embedding done', async () => (await second.getAttribute('data-done')) === 'true', 60_000);
    assert((await second.getAttribute('data-cached')) === 'true', 'the second job embedded the file again');
    await page.getByTestId('embedding-cached').waitFor();
    const settled = await waitFor('the second job done', async () => {
      const j = await api<TrainingJobDetail>(ctx, 'GET', `/api/training/${againId}`);
      return j.status === 'completed' || j.status === 'failed' ? j : null;
    }, 120_000);
    assert(settled, 'the second job never settled');
    assert(settled.status === 'completed' && settled.metrics.embedding?.cached === true, `the second job: ${settled.status}, metrics.embedding ${JSON.stringify(settled.metrics.embedding)}`);
    assert(settled.baseModelId === modelId && settled.model?.encoder?.repoId === RUNNABLE_REPO.encoder, `the continued model: base ${settled.baseModelId}, encoder ${JSON.stringify(settled.model?.encoder)}`);
    await shot('training-encoder-cached');

    // The installed-models page says how many of my models read through the encoder (deleting it would stop them).
    const mine = (await api<{ items: { encoder: unknown }[] }>(ctx, 'GET', '/api/models')).items.filter((m) => m.encoder).length;
    await goto('/models');
    const card = page.locator('.card', { has: page.locator(`[data-testid="installed-model"][data-repo="${RUNNABLE_REPO.encoder}"]`) });
    const note = card.getByTestId('trained-on-it');
    const latin = (s: string) => s.replace(/[۰-۹]/g, (d) => String('۰۱۲۳۴۵۶۷۸۹'.indexOf(d)));
    await waitFor(`the encoder's card naming ${mine} models`, async () => latin((await note.textContent()) ?? '').includes(String(mine)));
    assert(mine >= 2, `only ${mine} models on the encoder`);

    // The bar moves while the encoder works (the page follows training:embedding): a file big enough to watch
    // mid-way, its job cancelled once seen.
    await goto('/datasets');
    const big = path.join(tmp, 'نظرها-بسیار.csv');
    writeFileSync(big, sentimentCsv(BIG_ROWS));
    await page.locator('#dataset-file').setInputFiles(big);
    await page.getByLabel(fa.datasets.fields.name, { exact: true }).fill(`${DATASET} (بزرگ)`);
    await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/);
    const bigId = page.url().split('/').pop() ?? '';
    const live = await api<TrainingJobDetail>(ctx, 'POST', '/api/training', { datasetId: bigId, task: 'text-classification', textColumn: 'متن', labelColumn: 'برچسب', encoder: { modelId: encoderId }, epochs: 1 });
    await goto(`/training/${live.id}`);
    const moving = page.getByTestId('embedding-progress');
    const mid = await waitFor('the embedding bar part way, with a rate', async () => {
      const rows = Number(await moving.getAttribute('data-rows').catch(() => null));
      const value = Number(await moving.getByRole('progressbar').getAttribute('aria-valuenow').catch(() => null));
      const rate = (await moving.getByText(fa.training.embedding.rowsPerSecond.replace('{{n}}', '').trim()).count()) > 0;
      return rows > 0 && rows < BIG_ROWS && value > 0 && value < 100 && rate ? { rows, value } : null;
    }, 60_000);
    assert(mid, 'the embedding bar never showed a part');
    await shot('training-encoder-embedding-live');
    await api(ctx, 'DELETE', `/api/training/${live.id}`);
  },
};

import type { Page } from 'playwright-core';
import { RUNNABLE_REPO } from '../../../scripts/hub-mirror/onnx-fixtures.js';
import { assert, fa, waitFor, waitForText, type Ctx, type Scenario } from '../context.js';

/** Downloads a repository from its Hub page as the form offers it, and waits for the install to complete. */
export async function downloadFromHub({ page, goto }: Pick<Ctx, 'page' | 'goto'>, repoId: string): Promise<void> {
  await goto(`/hub/${repoId}`);
  await page.getByRole('heading', { name: repoId }).waitFor();
  await startedDownload(page, repoId);
}

/** Starts the download the Hub page's form is set to, and waits for the install to complete. */
async function startedDownload(page: Page, repoId: string): Promise<void> {
  await page.getByRole('button', { name: fa.hub.download }).click();
  const item = page.locator(`[data-testid="download-item"][data-repo="${repoId}"]`);
  await waitFor(`the download of ${repoId} to complete`, async () => (await item.getAttribute('data-status')) === 'completed', 60_000);
}

/** The installed model's card on the installed-models page. */
function installedCard(page: Page, repoId: string) {
  return page.locator(`.installed-card:has([data-testid="installed-model"][data-repo="${repoId}"])`);
}

/** Opens the installed model's own page from its card; returns the model id from the address. */
async function openInstalled(ctx: Pick<Ctx, 'page' | 'goto'>, repoId: string): Promise<string> {
  await ctx.goto('/models');
  const card = installedCard(ctx.page, repoId);
  await card.waitFor();
  await card.getByRole('link', { name: repoId }).click();
  await ctx.page.waitForURL(/\/models\/[0-9a-f-]{36}$/);
  await ctx.page.getByRole('heading', { name: repoId, level: 1 }).waitFor();
  return ctx.page.url().split('/').pop() ?? '';
}

/** Runs the panel's form as it is filled and waits for the answer in the live region. */
async function run(page: Page, ready: string): Promise<void> {
  await page.getByRole('button', { name: fa.run.submit, exact: true }).click();
  await page.locator(`[data-testid="run-result"] ${ready}`).first().waitFor({ timeout: 60_000 });
}

/** The labels shown, best first. */
const labels = (page: Page) => page.locator('[data-testid="run-result"] [data-testid="run-label"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));

export const runHubModels: Scenario = {
  name: 'run Hub models: find one that runs here, download only what runs, see «runs here» (or why not) and try every pipeline',
  async run(ctx) {
    const { page, goto, shot, state } = ctx;
    // Search, filtered to what runs here: the ONNX repositories, not the PyTorch-only one.
    await goto('/hub');
    // The box follows the address (a router navigation), so it turns checked a moment after the click.
    const runsHere = page.getByLabel(fa.hub.runsHere);
    await page.locator('[data-testid="model-card"], .empty').first().waitFor();
    await runsHere.click();
    await page.waitForURL(/runs=here/);
    await waitFor('the filter box checked', () => runsHere.isChecked());
    const card = (repo: string) => page.getByTestId('model-card').filter({ has: page.getByRole('link', { name: repo, exact: true }) });
    await card(RUNNABLE_REPO.sentiment).waitFor();
    await waitFor('only runnable models listed', async () => (await card(RUNNABLE_REPO.pytorchOnly).count()) === 0 && (await card(RUNNABLE_REPO.ner).count()) === 1);
    await shot('hub-runs-here');

    // The download form offers only what runs here, one ONNX variant: the quantised one takes no full-precision file.
    await goto(`/hub/${RUNNABLE_REPO.sentiment}`);
    await page.getByRole('heading', { name: RUNNABLE_REPO.sentiment }).waitFor();
    assert(await page.getByTestId('runnable-only').isChecked(), '«only what runs here» is not the default for an ONNX repository');
    await page.getByTestId('onnx-variant').selectOption('q8');
    await waitForText('the globs taken', page.getByTestId('runnable-patterns'), (text) => text.includes('onnx/model_quantized.onnx'));
    const row = (file: string) => page.locator('.files-card tbody tr').filter({ hasText: file });
    await waitFor('the full-precision file left out', async () => (await row('onnx/model.onnx').getAttribute('class')) === 'row-muted');
    assert((await row('vocab.txt').getAttribute('class')) === 'row-muted', 'vocab.txt (not read by transformers.js) would be downloaded');
    assert((await row('tokenizer.json').getAttribute('class')) !== 'row-muted', 'tokenizer.json would not be downloaded');
    await shot('download-runs-here');
    await startedDownload(page, RUNNABLE_REPO.sentiment);
    for (const repo of [RUNNABLE_REPO.ner, RUNNABLE_REPO.encoder, RUNNABLE_REPO.fillMask, RUNNABLE_REPO.nli, RUNNABLE_REPO.pytorchOnly, RUNNABLE_REPO.brokenOnnx]) {
      await downloadFromHub(ctx, repo);
    }

    // The installed page says what runs here, and why the other two do not.
    await goto('/models');
    const status = (repo: string) => installedCard(page, repo).getByTestId('runtime-status');
    await waitForText('«runs here» on the sentiment model', status(RUNNABLE_REPO.sentiment), (text) => text.includes(fa.run.status.runnable) && text.includes(fa.run.pipelines['text-classification']));
    await waitForText('the PyTorch-only reason', status(RUNNABLE_REPO.pytorchOnly), (text) => text.includes(fa.run.reasons['pytorch-only']) && text.includes('weights are PyTorch only'));
    await waitForText('the broken-ONNX reason', status(RUNNABLE_REPO.brokenOnnx), (text) => text.includes(fa.run.reasons['onnx-load-failed']) && text.includes('the ONNX file does not load'));
    assert((await installedCard(page, RUNNABLE_REPO.pytorchOnly).getByTestId('try-model').count()) === 0, 'a model that does not run offers to be tried');
    await shot('installed-runs-here');

    // Sentiment: the labels from the model's id2label, best first; only the quantised file was taken and runs.
    state.runnableModelId = await openInstalled(ctx, RUNNABLE_REPO.sentiment);
    await waitForText('only the quantised variant installed', page.getByTestId('runtime-status'), (text) => text.includes('onnx/model_quantized.onnx') && !text.includes('onnx/model.onnx '));
    await page.getByLabel(fa.run.text, { exact: true }).fill('این فیلم خیلی عالی بود');
    await run(page, '[data-testid="run-label"]');
    const sentiment = await labels(page);
    assert(sentiment[0] === 'مثبت' && [...sentiment].sort().join() === ['خنثی', 'مثبت', 'منفی'].sort().join(), `sentiment labels: ${sentiment.join(', ')}`);
    await shot('try-sentiment');

    // NER: the entities highlighted in the text, at the offsets the model gave.
    await openInstalled(ctx, RUNNABLE_REPO.ner);
    await page.getByLabel(fa.run.text, { exact: true }).fill('علی رضایی دیروز به شیراز رفت');
    await run(page, '[data-testid="entity"]');
    const entities = await page.locator('[data-testid="entity-text"] [data-testid="entity"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-entity')}:${e.firstChild?.textContent}`));
    assert(entities.join() === 'PER:علی رضایی,LOC:شیراز', `entities: ${entities.join(', ')}`);
    await waitForText('the whole text shown', page.getByTestId('entity-text'), (text) => text.startsWith('علی رضایی') && text.includes('دیروز به '));
    await shot('try-ner');

    // Embeddings: the nearest of a few sentences.
    await openInstalled(ctx, RUNNABLE_REPO.encoder);
    await page.getByLabel(fa.run.similarity.query, { exact: true }).fill('این فیلم خیلی خوب بود');
    await page.getByLabel(fa.run.similarity.sentences).fill('علی به تهران رفت\nاین فیلم خیلی عالی بود');
    await run(page, '[data-testid="nearest"]');
    await waitForText('the nearest sentence', page.getByTestId('nearest'), (text) => text.includes('این فیلم خیلی عالی بود'));
    await shot('try-embedding');

    // Fill-mask: a text without the mask token is refused at the field; the insert button puts the model's own token in.
    await openInstalled(ctx, RUNNABLE_REPO.fillMask);
    const text = page.getByLabel(fa.run.text, { exact: true });
    await text.fill('این فیلم خیلی ');
    await page.getByRole('button', { name: fa.run.submit, exact: true }).click();
    await page.getByText(fa.run.fillMask.once.replace('{{mask}}', '[MASK]')).waitFor();
    await page.getByTestId('insert-mask').click();
    await waitFor('the mask token in the text', async () => (await text.inputValue()) === 'این فیلم خیلی [MASK]');
    await text.press('End');
    await text.pressSequentially(' بود');
    await run(page, '[data-testid="filled"]');
    await waitForText('a filled sentence', page.getByTestId('filled'), (filled) => filled.startsWith('این فیلم خیلی ') && filled.endsWith(' بود') && !filled.includes('[MASK]'));
    assert((await labels(page)).length === 5, 'not five predictions');
    await shot('try-fill-mask');

    // Zero-shot: labels the user types (Persian commas), scored against the text.
    await openInstalled(ctx, RUNNABLE_REPO.nli);
    assert((await page.getByRole('button', { name: fa.run.pipelines['zero-shot-classification'] }).getAttribute('aria-pressed')) === 'true', 'zero-shot is not offered first');
    await page.getByLabel(fa.run.text, { exact: true }).fill('فوتبال دیشب خیلی عالی بود');
    await page.getByLabel(fa.run.zeroShot.labels).fill('غذا، ورزش، سفر');
    await page.getByLabel(fa.run.zeroShot.template).fill('این متن درباره {} است');
    await run(page, '[data-testid="run-label"]');
    const zeroShot = await labels(page);
    assert(zeroShot[0] === 'ورزش' && zeroShot.length === 3, `zero-shot labels: ${zeroShot.join(', ')}`);
    await shot('try-zero-shot');

    // A model that does not run has no panel, only the reason.
    await openInstalled(ctx, RUNNABLE_REPO.brokenOnnx);
    await page.getByText(fa.run.cannotTry).waitFor();
    assert((await page.getByTestId('try-panel').count()) === 0, 'the broken model offers a try-it panel');
  },
};

export const vitsVoice: Scenario = {
  name: 'a VITS/MMS model that runs here speaks on its page and joins the speech page’s voice picker with its license',
  async run(ctx) {
    const { page, goto, shot } = ctx;
    await downloadFromHub(ctx, RUNNABLE_REPO.voice);
    const modelId = await openInstalled(ctx, RUNNABLE_REPO.voice);
    await page.getByLabel(fa.run.text, { exact: true }).fill('سلام دنیا');
    await run(page, '[data-testid="player"] [data-testid="download-wav"][href^="blob:"]');
    const wavOf = (href: string) =>
      page.evaluate(async (url) => {
        const buf = await (await fetch(url)).arrayBuffer();
        const view = new DataView(buf);
        let peak = 0;
        for (let o = 44; o + 1 < buf.byteLength; o += 2) peak = Math.max(peak, Math.abs(view.getInt16(o, true)));
        return { bytes: buf.byteLength, rate: view.getUint32(24, true), peak };
      }, href);
    const tried = await wavOf((await page.getByTestId('download-wav').getAttribute('href')) ?? '');
    assert(tried.rate === 16000 && tried.peak > 1000, `the try-it panel did not speak: ${JSON.stringify(tried)}`);
    await page.locator('[data-testid="waveform"]:not([data-bars="0"])').waitFor();
    await shot('try-vits');

    await goto('/speech');
    const picker = page.getByTestId('voice-picker');
    const value = `vits:${modelId}`;
    await waitFor('the VITS voice in the picker', async () => (await picker.locator(`option[value="${value}"]`).count()) === 1);
    await picker.selectOption(value);
    await page.getByText(fa.speech.engines.vits).waitFor();
    await page.getByText('cc-by-nc-4.0').first().waitFor();
    await page.getByText(fa.speech.nonCommercial).waitFor();
    // It speaks at its own pace: no rate slider for it.
    await page.getByText(fa.speech.vitsPace).waitFor();
    const before = (await page.locator('[data-testid="download-wav"]').getAttribute('href').catch(() => null)) ?? '';
    await page.getByLabel(fa.speech.text).fill('سلام، این صدای وی‌تس است.');
    await page.getByRole('button', { name: fa.speech.speak }).click();
    const link = page.locator(`[data-testid="download-wav"][href^="blob:"]:not([href="${before}"])`);
    await link.waitFor({ timeout: 60_000 });
    const spoken = await wavOf((await link.getAttribute('href')) ?? '');
    assert(spoken.rate === 16000 && spoken.bytes > 5_000 && spoken.peak > 1000, `the VITS voice did not speak: ${JSON.stringify(spoken)}`);
    await shot('speech-vits-voice');
  },
};

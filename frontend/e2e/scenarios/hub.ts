import { assert, fa, latinDigits, waitFor, waitForText, type Scenario } from '../context.js';

const BIG_REPO = 'sokhan-lab/fa-tts-large';

export const hubSearch: Scenario = {
  name: 'Hub search with a query, a task chip and sort',
  async run({ page, goto, shot }) {
    await goto('/hub');
    await waitFor('result cards', () => page.getByTestId('model-card').count());
    await page.getByLabel(fa.hub.searchLabel).fill('fa');
    await page.getByRole('button', { name: fa.hub.search, exact: true }).click();
    await page.waitForURL(/q=fa/);
    await page.getByRole('button', { name: fa.hub.tasks['text-to-speech'] }).click();
    await page.waitForURL(/task=text-to-speech/);
    const cards = await waitFor('text-to-speech results', async () => {
      const n = await page.getByTestId('model-card').count();
      const badges = await page.getByTestId('model-card').getByText(fa.hub.tasks['text-to-speech']).count();
      return n > 0 && n === badges ? n : 0;
    });
    assert(cards >= 2, `expected several TTS models, saw ${cards}`);
    assert((await page.getByText(fa.hub.gated).count()) > 0, 'no gated badge in the TTS results');
    // Every card shows the repo's size (the Hub's usedStorage), in Persian units.
    const sizes = await page.getByTestId('model-size').allTextContents();
    assert(sizes.length === cards && sizes.every((s) => /بایت/.test(s)), `sizes on cards: ${JSON.stringify(sizes)}`);
    await shot('hub-search');
    // A query in Persian: «بازشناسی گفتار» is the speech-recognition task, and the page says how it searched.
    await goto('/hub');
    await page.getByLabel(fa.hub.searchLabel).fill('بازشناسی گفتار');
    await page.getByRole('button', { name: fa.hub.search, exact: true }).click();
    const summary = page.getByTestId('search-summary');
    await waitForText('the search summary', summary, (text) => text.includes(fa.hub.understood.persian) && text.includes(fa.hub.tasks['automatic-speech-recognition']));
    const asr = await waitFor('speech-recognition results', async () => {
      const n = await page.getByTestId('model-card').count();
      const badges = await page.getByTestId('model-card').getByText(fa.hub.tasks['automatic-speech-recognition']).count();
      return n > 0 && n === badges ? n : 0;
    });
    await waitForText('the result count', summary, (text) => latinDigits(text).includes(`${asr} `));
    await shot('hub-search-persian');
  },
};

export const download: Scenario = {
  name: 'open a model, download it and watch progress reach 100 %, then see it installed',
  async run({ page, goto, shot, mirror }) {
    await goto(`/hub/${BIG_REPO}`);
    await page.getByRole('heading', { name: BIG_REPO }).waitFor();
    await page.getByTestId('selection-summary').waitFor();
    // The model card (README.md) renders from Markdown, its YAML header left out.
    await waitForText('the model card', page.getByTestId('model-readme'), (text) => text.length > 0 && !text.includes('license:'));
    await shot('model-details');
    // Slow the file host so the transfer lasts a few seconds and its progress can be watched.
    mirror.faults.throttleBytesPerSec = 5 * 1024 * 1024;
    try {
      await page.getByRole('button', { name: fa.hub.download }).click();
      const item = page.getByTestId('download-item');
      // Every percentage read on the way, until the end: a bar that jumps straight to 100 % is not progress.
      const seen = new Set<number>();
      const percent = async () => {
        const pct = Number.parseInt(latinDigits((await item.getByTestId('download-percent').textContent().catch(() => '')) ?? ''), 10);
        if (!Number.isNaN(pct)) seen.add(pct);
        return pct;
      };
      await waitFor(
        'progress between 1 % and 99 %',
        async () => {
          const pct = await percent();
          return pct > 0 && pct < 100;
        },
        30_000,
        100,
      );
      await shot('download-progress');
      await waitFor('speed and ETA on screen', async () => (await item.textContent())?.includes(fa.downloads.currentFile), 10_000);
      await waitFor(
        'the download to complete at 100 %',
        async () => (await percent()) === 100 && (await item.getAttribute('data-status')) === 'completed',
        60_000,
        200,
      );
      assert(seen.size >= 3, `progress did not move (values seen: ${[...seen].join(', ')})`);
    } finally {
      mirror.faults.throttleBytesPerSec = undefined;
    }
    await shot('download-complete');

    await page.getByRole('link', { name: fa.downloads.seeInstalled }).first().click();
    await page.waitForURL('**/models');
    await page.locator(`[data-testid="installed-model"][data-repo="${BIG_REPO}"]`).waitFor();
    await shot('installed-models');

    await goto('/downloads');
    await page.locator(`[data-testid="download-history"] [data-repo="${BIG_REPO}"][data-status="completed"]`).waitFor();
    await shot('downloads');
  },
};

const CANCEL_REPO = 'parsi-speech/whisper-small-fa';

export const cancelDownload: Scenario = {
  name: 'cancel a running download from the downloads page',
  async run({ page, goto, shot, mirror }) {
    mirror.faults.throttleBytesPerSec = 16 * 1024;
    try {
      await goto(`/hub/${CANCEL_REPO}`);
      await page.getByRole('button', { name: fa.hub.download }).click();
      await page.locator('[data-testid="download-item"][data-status="running"]').waitFor({ timeout: 20_000 });
      await goto('/downloads');
      const item = page.locator(`[data-testid="active-downloads"] [data-repo="${CANCEL_REPO}"]`);
      await item.waitFor();
      await shot('downloads-active');
      await item.getByRole('button', { name: fa.downloads.cancel }).click();
      await item.getByRole('button', { name: fa.common.yes }).click();
      const cancelled = page.locator(`[data-testid="download-history"] [data-repo="${CANCEL_REPO}"][data-status="cancelled"]`);
      await cancelled.waitFor({ timeout: 20_000 });
      // Changed their mind: the same download starts again from the history.
      mirror.faults.throttleBytesPerSec = undefined;
      await cancelled.first().getByRole('button', { name: fa.downloads.retry }).click();
      await page.locator(`[data-repo="${CANCEL_REPO}"][data-status="completed"]`).first().waitFor({ timeout: 30_000 });
      await shot('downloads-retried');
    } finally {
      mirror.faults.throttleBytesPerSec = undefined;
    }
  },
};

export const hubUnreachable: Scenario = {
  name: 'when the Hub cannot be reached, search explains it in plain Persian (server advice is for admins)',
  async run({ page, goto, shot, mirror }) {
    // Runs last: the mirror goes away for good.
    await mirror.close();
    await goto('/hub?q=unreachable-check');
    await page.getByText(fa.hub.unreachableTitle).waitFor({ timeout: 60_000 });
    // A user gets a plain explanation; server variables and addresses are for the admin who runs the server.
    await page.getByText(fa.hub.unreachableUser).waitFor();
    assert((await page.getByText(fa.hub.mirrorHint).count()) === 0, 'a non-admin was shown server variables');
    assert((await page.locator('.notice-danger bdi.mono').count()) === 0, 'a non-admin was shown the endpoint');
    await shot('hub-unreachable');
  },
};

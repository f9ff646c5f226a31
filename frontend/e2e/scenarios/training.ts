import type { Page } from 'playwright-core';
import { assert, fa, latinDigits, waitFor, waitForText, type Scenario } from '../context.js';
import { uploadDataset } from './datasets.js';

const EPOCHS = 12;

async function chartPoints(page: Page): Promise<number> {
  const svg = page.getByTestId('charts').locator('svg').first();
  if ((await svg.count()) === 0) return 0;
  return Number((await svg.getAttribute('data-points')) ?? 0);
}

export const train: Scenario = {
  name: 'train on it: the chart updates live, checkpoints appear, pause and resume continue from the checkpoint',
  needs: [uploadDataset.name],
  async run({ page, goto, shot, state }) {
    await goto(`/training/new?dataset=${state.datasetId}`);
    const form = page.getByRole('form', { name: fa.training.new.title });
    // The default network is a linear head with no hidden layer: add one to edit, and keep all epochs (no early stop).
    await form.getByRole('button', { name: fa.training.layers.addDense }).click();
    await form.getByTestId('layer').first().waitFor();
    await form.getByRole('checkbox', { name: fa.training.fields.earlyStopping }).uncheck();
    // Validated as you type: a zero-unit layer is flagged at once and blocks the start button.
    const units = page.getByLabel(fa.training.layers.unitsOf.replace('{{n}}', '۱'));
    await units.fill('0');
    await page.getByText(fa.validation.minValue.replace('{{min}}', '۱')).waitFor();
    assert(await page.getByRole('button', { name: fa.training.new.start }).isDisabled(), 'start is enabled with an invalid layer');
    await units.fill('۶۴');
    await page.locator('input[name="epochs"]').fill(String(EPOCHS));
    await page.locator('input[name="batchSize"]').fill('16');
    await shot('training-new');
    await page.getByRole('button', { name: fa.training.new.start }).click();
    await page.waitForURL(/\/training\/[0-9a-f-]{36}$/);
    state.jobId = page.url().split('/').pop() ?? '';

    // Live: the loss chart gains points and checkpoints appear without a reload.
    await waitFor('two epochs on the chart', async () => (await chartPoints(page)) >= 4, 90_000, 100);
    await waitFor('a checkpoint row', async () => (await page.getByTestId('checkpoints').locator('tbody tr').count()) >= 1, 30_000);
    await shot('training-live');

    await page.getByRole('button', { name: fa.training.job.pause }).click();
    await page.getByRole('button', { name: fa.training.job.resume }).waitFor({ timeout: 60_000 });
    const pausedAt = Number(latinDigits((await page.getByTestId('job-epochs').textContent()) ?? '').match(/\d+/)?.[0] ?? 0);
    assert(pausedAt >= 1 && pausedAt < EPOCHS, `paused after ${pausedAt} epochs`);
    await shot('training-paused');

    await page.getByRole('button', { name: fa.training.job.resume }).click();
    await waitFor(
      'training to continue past the pause',
      async () => Number(latinDigits((await page.getByTestId('job-epochs').textContent()) ?? '').match(/\d+/)?.[0] ?? 0) > pausedAt,
      60_000,
      200,
    );
    await page.getByRole('link', { name: fa.training.job.tryIt }).waitFor({ timeout: 180_000 });
    await waitForText(`all ${EPOCHS} epochs done`, page.getByTestId('job-epochs'), (text) => text.startsWith(String(EPOCHS)));
    await page.getByTestId('checkpoints').getByText(fa.training.checkpoints.best).waitFor();
    await waitFor(`${EPOCHS} points on the chart`, async () => (await chartPoints(page)) >= EPOCHS);
    // At 1366 px every column of the checkpoint table is in view (no sideways scrolling needed to read a figure).
    const clipped = await page.getByTestId('checkpoints').evaluate((table) => {
      const wrap = table.parentElement!;
      return { table: table.scrollWidth, visible: wrap.clientWidth };
    });
    assert(clipped.table <= clipped.visible + 1, `the checkpoint table is clipped at 1366 px: ${JSON.stringify(clipped)}`);
    await shot('training-complete');
    await goto('/training');
    await page.locator('[data-testid="job-row"][data-status="completed"]').first().waitFor();
    await shot('training-list');
  },
};

export const playground: Scenario = {
  name: 'open the playground: the model runs in the browser and predicts Persian sentiment',
  needs: [train.name],
  async run({ page, goto, shot, state }) {
    await goto(`/training/${state.jobId}`);
    await page.getByRole('link', { name: fa.training.job.tryIt }).click();
    await page.waitForURL(/\/playground\?model=/);
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    const input = page.getByTestId('text-input');
    await input.fill('این فیلم واقعاً عالی بود و پیشنهاد می‌کنم');
    const top = page.getByTestId('prediction').getByTestId('probability').first();
    await waitForText('a positive prediction', top, (text) => text.includes('مثبت'));
    await waitForText('the inference time', page.getByTestId('inference-time'), (text) => text.includes('میلی‌ثانیه'));
    await input.fill('خیلی بد بود و پولم هدر رفت');
    await waitForText('a negative prediction', top, (text) => text.includes('منفی'));
    await page.getByRole('button', { name: fa.playground.compareServer }).click();
    await page.getByTestId('server-prediction').getByText('منفی').first().waitFor();
    await shot('playground');
  },
};

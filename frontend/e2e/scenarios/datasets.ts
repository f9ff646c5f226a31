import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { assert, fa, waitFor, waitForText, type Scenario } from '../context.js';
import { sentimentCsv } from '../fixtures.js';

function fileIn(tmp: string, name: string, content: string): string {
  const file = path.join(tmp, name);
  writeFileSync(file, content);
  return file;
}

export const uploadProgress: Scenario = {
  name: 'upload a large dataset on a throttled link: the bar shows real byte progress; then delete it',
  async run({ page, goto, shot, context, tmp }) {
    await goto('/datasets');
    const big = fileIn(tmp, 'نظرهای-زیاد.csv', sentimentCsv(24_000));
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    // About 1.5 MB at 600 KB/s: a couple of seconds of real upload progress.
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 600 * 1024 });
    try {
      await page.locator('#dataset-file').setInputFiles(big);
      await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
      const bar = page.getByTestId('upload-progress').getByRole('progressbar');
      const seen = await waitFor(
        'upload progress between 1 % and 99 %',
        async () => {
          const v = Number(await bar.getAttribute('aria-valuenow').catch(() => null));
          return v > 0 && v < 100 ? v : 0;
        },
        20_000,
        50,
      );
      await shot('dataset-upload-progress');
      assert(seen > 0, 'no progress seen');
    } finally {
      await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.detach();
    }
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    await waitForText('24 000 records on the dataset page', page.locator('.stat').first(), (text) => /24,?000/.test(text));

    await goto('/datasets');
    const row = page.getByTestId('dataset-row').filter({ hasText: 'نظرهای زیاد' });
    await row.getByRole('button', { name: fa.datasets.delete }).click();
    await page.getByRole('button', { name: fa.common.yes }).click();
    await waitFor('the dataset to be deleted', async () => (await row.count()) === 0);
  },
};

export const badDataset: Scenario = {
  name: 'a broken CSV is refused with the reason and line number in Persian',
  async run({ page, goto, tmp }) {
    await goto('/datasets');
    const broken = fileIn(tmp, 'broken.csv', 'متن,برچسب\nخوب بود,مثبت\n"نقل‌قول باز,منفی\n');
    await page.locator('#dataset-file').setInputFiles(broken);
    await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
    await waitForText('a refusal that names the line', page.locator('.notice-danger'), (text) => /سطر\s*\d+/.test(text));
  },
};

export const uploadDataset: Scenario = {
  name: 'upload a Persian sentiment dataset and see its preview, column types and label balance',
  async run({ page, goto, shot, tmp, state }) {
    await goto('/datasets');
    const file = fileIn(tmp, 'sentiment.csv', sentimentCsv(480));
    await page.locator('#dataset-file').setInputFiles(file);
    await page.getByLabel(fa.datasets.fields.name, { exact: true }).fill('نظرهای فارسی');
    await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/);
    state.datasetId = page.url().split('/').pop() ?? '';
    await page.getByTestId('columns-table').getByText(fa.datasets.colType.text).waitFor();
    const balance = page.getByTestId('label-balance');
    await balance.getByText('مثبت').waitFor();
    await balance.getByText('منفی').waitFor();
    await waitFor('at least 10 preview rows', async () => (await page.getByTestId('preview-table').locator('tbody tr').count()) >= 10);
    await page.getByRole('button', { name: fa.common.next }).click();
    await waitForText('the second page of rows', page.getByTestId('preview-table').locator('tbody tr').first(), (text) => text.startsWith('21'));
    await shot('dataset');
    await goto('/datasets');
    await shot('datasets');
  },
};

export const filesAsPeopleHaveThem: Scenario = {
  name: 'a headerless Persian CSV keeps its first row (and the form says so); an Excel file renamed .csv is named for what it is',
  async run({ page, goto, shot, tmp }) {
    await goto('/datasets');
    // SentiPers' own layout: a sentence and a −2…2 label, no header row.
    const rows = ['"فیلم خیلی خوبی بود",2', '"بد نبود",0', '"اصلاً دوستش نداشتم",-2', '"قابل تحمل بود",1', '"معمولی",0'];
    await page.locator('#dataset-file').setInputFiles(fileIn(tmp, 'بی-سرستون.csv', `${rows.join('\n')}\n`));
    const choice = page.getByTestId('header-choice');
    await choice.and(page.locator('[data-present="false"]')).waitFor();
    await page.getByText(fa.datasets.header.detectedAbsent).waitFor();
    await shot('dataset-headerless-detected');
    await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    await waitForText('all 5 rows kept', page.locator('.stat').first(), (text) => /\b5\b/.test(text));
    await page.getByText('column_1').first().waitFor();

    await goto('/datasets');
    const xlsx = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 6, 0]), Buffer.from('[Content_Types].xml xl/workbook.xml'), Buffer.alloc(64)]);
    await page.locator('#dataset-file').setInputFiles({ name: 'نظرات.csv', mimeType: 'text/csv', buffer: xlsx });
    await page.getByTestId('not-text').waitFor();
    assert(((await page.getByTestId('not-text').textContent()) ?? '').includes('xlsx'), 'the notice does not name the Excel workbook');
    await shot('dataset-excel-named');
  },
};

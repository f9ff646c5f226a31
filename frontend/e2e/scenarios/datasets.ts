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
  name: 'a headerless Persian CSV keeps its first row (and the form says so); an Excel workbook is read from its sheet; an old .xls is named for what it is',
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

    // How many Persian users keep labelled data: an Excel workbook, its second sheet chosen by name.
    await goto('/datasets');
    const ExcelJS = (await import('exceljs')).default;
    const wb = new ExcelJS.Workbook();
    wb.addWorksheet('یادداشت').addRow(['این برگه داده نیست']);
    const data = wb.addWorksheet('داده');
    data.addRow(['متن', 'برچسب']);
    for (const [text, label] of [['عالی بود', 'مثبت'], ['بد بود', 'منفی'], ['خوب بود', 'مثبت'], ['افتضاح', 'منفی']]) data.addRow([text, label]);
    const xlsx = Buffer.from(await wb.xlsx.writeBuffer());
    await page.locator('#dataset-file').setInputFiles({ name: 'نظرات.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: xlsx });
    await page.getByTestId('workbook-choice').waitFor();
    await page.getByLabel(fa.datasets.workbook.sheet).fill('داده');
    await shot('dataset-workbook-detected');
    await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/, { timeout: 60_000 });
    await waitForText('the sheet it was read from', page.getByTestId('workbook-sheet'), (text) => text.includes('داده'));
    await waitForText('its 4 rows', page.locator('.stat').first(), (text) => /\b4\b/.test(text));

    // An old binary .xls cannot be read: the form says what it is before anything is sent.
    await goto('/datasets');
    const xls = Buffer.concat([Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), Buffer.alloc(512)]);
    await page.locator('#dataset-file').setInputFiles({ name: 'نظرات.csv', mimeType: 'text/csv', buffer: xls });
    await page.getByTestId('not-text').waitFor();
    assert(((await page.getByTestId('not-text').textContent()) ?? '').includes('xls'), 'the notice does not name the old Excel file');
    await shot('dataset-excel-named');
  },
};

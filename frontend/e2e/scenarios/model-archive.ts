import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { BrowserContext } from 'playwright-core';
import unzipper from 'unzipper';
import { ROOT } from '../harness.js';
import { assert, fa, waitFor, waitForText, type Scenario } from '../context.js';
import { uploadDataset } from './datasets.js';

const NAME = 'احساس‌سنج برای بردن';
const NAMES = { مثبت: 'خوشایند', منفی: 'ناخوشایند' };
const TFJS = path.join(ROOT, 'node_modules/@tensorflow/tfjs/dist/tf.min.js');

/**
 * The README's example page, exactly as written, in a tab of its own: TensorFlow.js from its CDN address and the
 * archive's files are answered from disk by the test, every other request refused (nothing leaves the machine).
 */
async function runReadmePage(context: BrowserContext, dir: string, text: string): Promise<string> {
  const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
  const html = readme.match(/```html\n([\s\S]*?)\n```/)?.[1];
  assert(html, 'the README has no example page');
  writeFileSync(path.join(dir, 'index.html'), html);
  const site = 'http://127.0.0.1:9';
  const outside: string[] = [];
  const demo = await context.newPage();
  try {
    await demo.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.href.startsWith('https://cdn.jsdelivr.net/npm/@tensorflow/tfjs@') && url.pathname.endsWith('/dist/tf.min.js')) return route.fulfill({ path: TFJS, contentType: 'text/javascript' });
      if (url.origin === site) return route.fulfill({ path: path.join(dir, path.basename(url.pathname)) });
      outside.push(url.href);
      return route.abort('internetdisconnected');
    });
    await demo.goto(`${site}/index.html`);
    await demo.locator('#in-0').fill(text);
    await demo.locator('#run').click();
    const out = await waitForText('the example page to predict', demo.locator('#out'), (t) => t.includes('"probability"'), 60_000);
    assert(outside.length === 0, `the example page asked for outside addresses: ${outside.join(', ')}`);
    return out;
  } finally {
    await demo.close();
  }
}

export const modelArchive: Scenario = {
  name: 'export a trained model as one file, import it back and run it in the playground with its class names',
  needs: [uploadDataset.name],
  async run({ page, goto, shot, state, tmp, context }) {
    // A small model of its own, with display names for its classes.
    await goto(`/training/new?dataset=${state.datasetId}`);
    const classNames = page.getByTestId('class-names');
    for (const [value, name] of Object.entries(NAMES)) await classNames.getByRole('textbox', { name: new RegExp(`${value}$`) }).fill(name);
    await page.getByLabel(fa.training.fields.name, { exact: true }).fill(NAME);
    await page.locator('input[name="epochs"]').fill('4');
    await page.getByRole('button', { name: fa.training.new.start }).click();
    await page.waitForURL(/\/training\/[0-9a-f-]{36}$/);
    await page.getByRole('link', { name: fa.training.job.tryIt }).waitFor({ timeout: 180_000 });

    // Export from the job page: the browser receives one .zip named after the model.
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: fa.playground.export }).click();
    const download = await downloading;
    assert(download.suggestedFilename() === 'احساس-سنج-برای-بردن.zip', `the download is called ${download.suggestedFilename()}`);
    const file = path.join(tmp, download.suggestedFilename());
    await download.saveAs(file);
    const zip = await unzipper.Open.file(file);
    const names = zip.files.map((f) => f.path).sort();
    assert(JSON.stringify(names) === JSON.stringify(['README.md', 'features.json', 'featurize.js', 'labels.json', 'manifest.json', 'metrics.json', 'model.json', 'weights.bin']), `the archive holds ${names.join(', ')}`);
    const unzipped = path.join(tmp, 'unzipped-model');
    mkdirSync(unzipped, { recursive: true });
    for (const f of zip.files) writeFileSync(path.join(unzipped, f.path), await f.buffer());

    // The README's plain TF.js page runs the model as it is, with the class names.
    const readmeAnswer = await runReadmePage(context, unzipped, 'این فیلم واقعاً عالی بود و پیشنهاد می‌کنم');
    assert(JSON.parse(readmeAnswer)[0]?.name === NAMES['مثبت'], `the README page answered ${readmeAnswer}`);

    // A file that is not a model archive is refused with the reason in Persian.
    await goto('/playground');
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    const notZip = path.join(tmp, 'not-a-model.zip');
    writeFileSync(notZip, 'این فایل zip نیست');
    await page.locator('#model-archive-file').setInputFiles(notZip);
    await page.getByRole('button', { name: fa.playground.import.submit }).click();
    await waitForText('the refusal in Persian', page.getByTestId('import-problem'), (text) => text === fa.playground.import.reasons['not-a-zip']);
    await shot('model-import-refused');

    // The exported file imports back and becomes the chosen model.
    await page.locator('#model-archive-file').setInputFiles(file);
    await page.getByRole('button', { name: fa.playground.import.submit }).click();
    await page.getByTestId('import-done').waitFor({ timeout: 60_000 });
    const imported = await waitFor('the imported model in the address', () => new URL(page.url()).searchParams.get('model'));
    const chosen = page.getByTestId('model-picker').locator('option:checked');
    await waitForText('the imported model chosen', chosen, (text) => text === fa.playground.importedOption.replace('{{name}}', NAME));
    assert((await chosen.getAttribute('value')) === imported, 'the picker shows another model than the address');

    // It runs in this browser and answers with its class names, and the server agrees.
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    const input = page.getByTestId('text-input');
    const top = page.getByTestId('prediction').getByTestId('probability').first();
    await input.fill('این فیلم واقعاً عالی بود و پیشنهاد می‌کنم');
    await waitForText('the positive class by its name', top, (text) => text.includes(NAMES['مثبت']) && !text.includes(NAMES['منفی']));
    await input.fill('خیلی بد بود و پولم هدر رفت');
    await waitForText('the negative class by its name', top, (text) => text.includes(NAMES['منفی']));
    await page.getByRole('button', { name: fa.playground.compareServer }).click();
    await page.getByTestId('server-prediction').getByText(NAMES['منفی']).first().waitFor();
    await shot('model-imported-playground');
  },
};

import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Locator } from 'playwright-core';
import { assert, fa, latinDigits, waitFor, waitForText, type Scenario } from '../context.js';
import { sentimentCsv } from '../fixtures.js';
import { uploadDataset } from './datasets.js';

const TEST_NAME = 'نظرهای آزمون';
const TEST_ROWS = 120;
/** uploadDataset's 480 rows, half of each class; the default split holds out 10 % of each class. */
const HELD_OUT = 2 * Math.floor(240 * 0.1);

/** The class names in a confusion matrix's header and the counts in its cells. */
async function readMatrix(matrix: Locator): Promise<{ classes: string[]; cells: number[][]; shares: number[][] }> {
  const classes = (await matrix.locator('thead th').allInnerTexts()).slice(1).map((s) => s.trim());
  const rows = matrix.locator('tbody tr');
  const cells: number[][] = [];
  const shares: number[][] = [];
  for (let i = 0; i < (await rows.count()); i++) {
    const tds = rows.nth(i).locator('td');
    cells.push((await tds.allInnerTexts()).map((s) => Number(latinDigits(s).replace(/[^\d]/g, ''))));
    shares.push(await tds.evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-share')))));
  }
  return { classes, cells, shares };
}

const total = (cells: number[][]) => cells.flat().reduce((a, b) => a + b, 0);

export const evaluateOnFile: Scenario = {
  name: 'train with every default, read the confusion matrix by class, then evaluate the model on a second file',
  needs: [uploadDataset.name],
  async run({ page, goto, shot, state, tmp }) {
    // The held-out file a user brings: same columns, rows of its own.
    await goto('/datasets');
    const file = path.join(tmp, 'آزمون.csv');
    writeFileSync(file, sentimentCsv(TEST_ROWS));
    await page.locator('#dataset-file').setInputFiles(file);
    await page.getByLabel(fa.datasets.fields.name, { exact: true }).fill(TEST_NAME);
    await page.getByRole('button', { name: fa.datasets.upload.submit, exact: true }).click();
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/);

    // Nothing touched: the form's defaults are the product's.
    await goto(`/training/new?dataset=${state.datasetId}`);
    await page.getByRole('button', { name: fa.training.new.start }).click();
    await page.waitForURL(/\/training\/[0-9a-f-]{36}$/);
    await page.getByRole('link', { name: fa.training.job.tryIt }).waitFor({ timeout: 180_000 });

    const own = await readMatrix(page.getByTestId('evaluation').first().getByTestId('confusion'));
    assert(JSON.stringify([...own.classes].sort()) === JSON.stringify(['مثبت', 'منفی']), `the matrix is headed ${own.classes.join(', ')}`);
    assert(total(own.cells) === HELD_OUT, `the matrix counts ${total(own.cells)} held-out rows, not ${HELD_OUT}`);
    // Rows are shaded by their share of the true class: each row's shares sum to one, and the diagonal leads.
    own.shares.forEach((row, i) => {
      assert(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 0.01, `row ${i} shares sum to ${row.join('+')}`);
      assert(row[i]! > 0.5, `row ${i} is mostly wrong: ${row.join(', ')}`);
    });
    await shot('training-confusion');

    // The same metrics on the second file, kept with the model.
    const evaluations = page.getByTestId('model-evaluations');
    await evaluations.locator('select[name="evaluationDataset"]').selectOption({ label: TEST_NAME });
    await evaluations.getByRole('button', { name: fa.training.evaluation.run }).click();
    const onFile = evaluations.locator('section').filter({ has: page.getByRole('heading', { name: new RegExp(TEST_NAME) }) });
    await onFile.getByTestId('confusion').waitFor({ timeout: 60_000 });
    const theirs = await readMatrix(onFile.getByTestId('confusion'));
    assert(total(theirs.cells) === TEST_ROWS, `the evaluation counts ${total(theirs.cells)} rows of ${TEST_ROWS}`);
    const accuracy = await waitForText('the accuracy on the file', onFile.getByTestId('eval-accuracy'), (text) => /\d/.test(text));
    assert(Number(latinDigits(accuracy).replace(/[^\d.]/g, '')) > 80, `accuracy on the second file is ${accuracy}`);
    await shot('training-evaluated-on-file');

    await page.reload();
    await waitFor('the evaluation still listed after a reload', async () => (await page.getByTestId('model-evaluations').getByRole('heading', { name: new RegExp(TEST_NAME) }).count()) === 1, 30_000);
  },
};

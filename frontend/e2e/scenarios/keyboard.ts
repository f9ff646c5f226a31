import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { assert, fa, settingsSaved, waitFor, type Scenario } from '../context.js';
import { sentimentCsv } from '../fixtures.js';
import { focusIs, tabTo } from '../keyboard.js';

const REPO = 'sokhan-lab/vits-fa-female';
const HEADING = 'main h1';

/** Types into the focused field, replacing what it held. */
async function retype(page: Page, text: string): Promise<void> {
  await page.keyboard.press('ControlOrMeta+A');
  await page.keyboard.type(text);
}

/** To another section through the sidebar (behind the page, so Shift+Tab), landing on the new page's heading. */
async function navigate(page: Page, key: string): Promise<void> {
  await tabTo(page, `a.nav-link[data-nav="${key}"]`, { back: true });
  await page.keyboard.press('Enter');
  await page.waitForURL(`**/${key}`);
  await focusIs(page, HEADING, 'the new page heading');
}

export const keyboardJourney: Scenario = {
  name: 'keyboard only: register, search and download, upload, train, playground, speak and play, settings',
  session: 'signed-out',
  async run({ page, goto, tmp, scan }) {
    const suffix = Date.now().toString(36);
    await goto('/register');
    await page.locator('form').waitFor();
    await tabTo(page, 'input[name="email"]');
    await page.keyboard.type(`keyboard.${suffix}@example.com`);
    await tabTo(page, 'input[name="username"]');
    await page.keyboard.type(`keys_${suffix}`);
    const password = 'کلید-امن-۱۴۰۳-keyboard';
    await tabTo(page, 'input[name="password"]');
    await page.keyboard.type(password);
    await tabTo(page, 'input[name="confirm"]');
    await page.keyboard.type(password);
    await page.keyboard.press('Enter');
    await page.waitForURL('**/hub');
    await page.locator('[data-testid="model-card"], .empty').first().waitFor();

    // The first stop is the skip link; it takes the focus past the sidebar and the header.
    await page.reload();
    await page.locator('[data-testid="model-card"], .empty').first().waitFor();
    await tabTo(page, 'a.skip-link', { max: 1 });
    await page.keyboard.press('Enter');
    await focusIs(page, '#main', 'the main region');

    await tabTo(page, 'input[type="search"]');
    await retype(page, 'vits');
    await page.keyboard.press('Enter');
    await page.waitForURL(/q=vits/);
    await tabTo(page, `.model-card a[href="/hub/${REPO}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(`**/hub/${REPO}`);
    await focusIs(page, HEADING, 'the model page heading');
    await page.getByTestId('selection-summary').waitFor();
    await tabTo(page, 'form button[type="submit"]', { max: 120 });
    await page.keyboard.press('Enter');
    await waitFor('the download to complete', async () => (await page.getByTestId('download-item').getAttribute('data-status')) === 'completed', 60_000);
    await scan('keyboard download done');

    // Listening for the chooser before the page opens: Playwright turns interception on asynchronously, and a
    // chooser opened before that goes to the (headless, invisible) native dialog instead.
    const chooser = page.waitForEvent('filechooser', { timeout: 60_000 });
    // Awaited below; a failure before then must not surface as an unhandled rejection of the runner.
    chooser.catch(() => undefined);
    await navigate(page, 'datasets');
    const file = path.join(tmp, 'keyboard.csv');
    writeFileSync(file, sentimentCsv(160));
    await tabTo(page, '#dataset-file');
    await page.keyboard.press('Space');
    await (await chooser).setFiles(file);
    await tabTo(page, 'input[name="name"]');
    await retype(page, 'نظرها با صفحه‌کلید');
    await tabTo(page, 'button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/datasets\/[0-9a-f-]{36}$/);
    await focusIs(page, HEADING, 'the dataset page heading');

    await tabTo(page, 'a[href^="/training/new?dataset="]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/training\/new\?dataset=/);
    await page.locator('input[name="epochs"]').waitFor();
    await tabTo(page, 'input[name="epochs"]', { max: 120 });
    await retype(page, '2');
    await tabTo(page, 'button[type="submit"]', { max: 120 });
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/training\/[0-9a-f-]{36}$/);
    await focusIs(page, HEADING, 'the job page heading');
    await page.getByRole('link', { name: fa.training.job.tryIt }).waitFor({ timeout: 180_000 });
    await scan('keyboard training done');

    await tabTo(page, 'a[href^="/playground?model="]');
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/playground\?model=/);
    await page.getByTestId('model-ready').waitFor({ timeout: 60_000 });
    await tabTo(page, '[data-testid="text-input"]');
    await page.keyboard.type('این فیلم واقعاً عالی بود');
    await page.getByTestId('prediction').waitFor();

    await navigate(page, 'speech');
    await page.getByTestId('voice-picker').waitFor();
    await tabTo(page, '#tts-text');
    await retype(page, 'سلام، این صدا با صفحه‌کلید ساخته شد.');
    await tabTo(page, 'form button[type="submit"]');
    await page.keyboard.press('Enter');
    await page.getByTestId('player').waitFor({ timeout: 60_000 });
    // The waveform is a slider over the clip: End and Home move the playback position.
    await tabTo(page, '[data-testid="waveform-slider"]');
    const slider = page.getByTestId('waveform-slider');
    // A clip that is still playing ends (and rewinds) the moment it is moved to its end: seek a stopped, loaded clip.
    await waitFor('the new clip to be loaded and stopped', async () => {
      const max = Number(await slider.getAttribute('aria-valuemax'));
      return max > 0 && (await page.getByTestId('play').textContent())?.includes(fa.speech.play) === true;
    });
    await page.keyboard.press('End');
    await waitFor('the position at the end', async () => (await slider.getAttribute('aria-valuenow')) === (await slider.getAttribute('aria-valuemax')));
    await page.keyboard.press('Home');
    await waitFor('the position at the start', async () => (await slider.getAttribute('aria-valuenow')) === '0');
    await tabTo(page, '[data-testid="play"]');
    const before = await page.getByTestId('play').textContent();
    await page.keyboard.press('Space');
    await waitFor('play to toggle', async () => (await page.getByTestId('play').textContent()) !== before);
    // No trap: Tab keeps going from the player through the rest of the page and round to the skip link.
    await tabTo(page, 'a.skip-link', { max: 200 });
    await scan('keyboard speech');

    await navigate(page, 'settings');
    await tabTo(page, 'input[name="pref-digits"]:checked', { max: 40 });
    const saved = settingsSaved(page);
    // Down is the next choice in either writing direction.
    await page.keyboard.press('ArrowDown');
    await saved;
    assert(await page.locator('#pref-digits-latin').isChecked(), 'the arrow key did not choose Latin digits');
    await waitFor('Latin digits on the page', async () => /[0-9]/.test((await page.locator('main').textContent()) ?? ''));

    // Sign out by keyboard, so the next scenario signs the suite's user back in.
    await tabTo(page, `button[aria-label="${fa.header.signOut}"]`, { back: true });
    await page.keyboard.press('Enter');
    await page.waitForURL('**/login');
  },
};

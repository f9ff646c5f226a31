import type { Page } from 'playwright-core';
import { TOKEN_KEY } from '../../src/lib/token-store.js';
import { assert, waitFor, type Ctx, type Scenario } from '../context.js';

/** The app's PREFS_KEY (src/app/preferences.tsx, JSX that the scripts' tsconfig does not compile). */
const PREFS_KEY = 'sokhan.preferences';
const THEMES = ['light', 'dark'] as const;
const LANGUAGES = ['fa', 'en'] as const;

/** Each signed-in page with what it shows once its data is in (or its empty state). */
function signedInPages(state: Ctx['state']): { path: string; ready: string }[] {
  const pages = [
    { path: '/hub', ready: '[data-testid="model-card"], .empty' },
    { path: '/hub/sokhan-lab/fa-tts-large', ready: '[data-testid="selection-summary"]' },
    { path: '/downloads', ready: '[data-testid="download-history"], [data-testid="active-downloads"], .empty' },
    { path: '/models', ready: '[data-testid="installed-model"], .empty' },
    { path: '/datasets', ready: '[data-testid="dataset-row"], .empty' },
    { path: '/training', ready: '[data-testid="job-row"], .empty' },
    { path: '/speech', ready: '[data-testid="voice-picker"]' },
    { path: '/settings', ready: '[data-testid="token-state"]' },
    { path: '/system', ready: '.grid-cards' },
    { path: '/no-such-page', ready: 'h1' },
  ];
  // Pages about the data earlier scenarios made, when they made it.
  if (state.datasetId) {
    pages.push({ path: `/datasets/${state.datasetId}`, ready: '[data-testid="preview-table"]' });
    pages.push({ path: `/training/new?dataset=${state.datasetId}`, ready: 'input[name="epochs"]' });
  }
  if (state.runnableModelId) pages.push({ path: `/models/${state.runnableModelId}`, ready: '[data-testid="try-panel"]' });
  if (state.jobId) {
    pages.push({ path: `/training/${state.jobId}`, ready: '[data-testid="job-epochs"]' });
    pages.push({ path: '/playground', ready: '[data-testid="model-ready"], .empty' });
  }
  return pages;
}

/** Waits until the page shows its data in the wanted theme and language, with nothing still loading. */
async function settle(page: Page, ready: string, theme: string, lang: string): Promise<void> {
  await page
    .locator(ready)
    .first()
    .waitFor({ timeout: 60_000 })
    .catch((err: unknown) => {
      throw new Error(`${new URL(page.url()).pathname} (${theme}, ${lang}) never showed ${ready}: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    });
  await page.waitForFunction(
    ([t, l]) =>
      document.documentElement.dataset.theme === t &&
      document.documentElement.lang === l &&
      document.querySelector('main .loading, main .load-status') === null,
    [theme, lang] as const,
  );
}

/** Stores the signed-in user's preferences through the API; the next page load applies them. */
function savePreferences(page: Page, baseUrl: string, prefs: object): Promise<number> {
  return page.evaluate(
    async ([url, key, body]) => {
      const res = await fetch(`${url}/api/settings`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${localStorage.getItem(key)}` },
        body,
      });
      return res.status;
    },
    [baseUrl, TOKEN_KEY, JSON.stringify(prefs)] as const,
  );
}

export const a11ySweep: Scenario = {
  name: 'every page passes axe-core (WCAG 2.1 AA) in the light and dark theme, in Persian and in English',
  async run(ctx) {
    const { page, goto, baseUrl, browser, scan, state } = ctx;
    const savePrefs = (prefs: object) => savePreferences(page, baseUrl, prefs);
    try {
      for (const theme of THEMES) {
        for (const language of LANGUAGES) {
          const status = await savePrefs({ theme, language });
          await waitFor(`preferences ${theme}/${language} saved`, () => status === 200);
          for (const { path, ready } of signedInPages(state)) {
            await goto(path);
            await settle(page, ready, theme, language);
            await scan(`sweep ${theme} ${language}`);
          }
          // The signed-out pages, in a tab of their own that holds only the preferences.
          const guest = await browser.newContext({ viewport: { width: 1366, height: 900 } });
          try {
            await guest.addInitScript(
              ([key, value]) => localStorage.setItem(key, value),
              [PREFS_KEY, JSON.stringify({ theme, language, digits: 'persian' })] as const,
            );
            const tab = await guest.newPage();
            for (const path of ['/login', '/register']) {
              await tab.goto(`${baseUrl}${path}`);
              await settle(tab, 'form', theme, language);
              await scan(`sweep ${theme} ${language} signed out`, tab);
            }
          } finally {
            await guest.close();
          }
        }
      }
    } finally {
      await savePrefs({ theme: 'light', language: 'fa' });
    }
  },
};

export const zoomAndMedia: Scenario = {
  name: 'at 200 % zoom every page reflows without sideways scrolling; reduced motion and forced colours are honoured',
  async run({ page, goto, state, baseUrl }) {
    const status = await savePreferences(page, baseUrl, { theme: 'light', language: 'fa' });
    assert(status === 200, `saving the preferences answered ${status}`);
    const before = page.viewportSize();
    // 200 % zoom in the suite's 1366 × 900 window lays the page out in 683 × 450 CSS pixels.
    await page.setViewportSize({ width: 683, height: 450 });
    try {
      for (const { path, ready } of signedInPages(state)) {
        await goto(path);
        await settle(page, ready, 'light', 'fa');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert(overflow <= 1, `${path} at 200 % zoom scrolls sideways by ${overflow} px`);
      }
      await page.emulateMedia({ reducedMotion: 'reduce', forcedColors: 'active' });
      await goto('/system');
      await settle(page, '.grid-cards', 'light', 'fa');
      const seen = await page.evaluate(() => {
        const probe = document.createElement('div');
        probe.style.background = 'Highlight';
        document.body.append(probe);
        const highlight = getComputedStyle(probe).backgroundColor;
        probe.remove();
        const fill = document.querySelector('.progress-fill');
        const button = document.querySelector('.btn, .nav-link');
        return {
          highlight,
          fill: fill ? getComputedStyle(fill).backgroundColor : null,
          transition: button ? Number.parseFloat(getComputedStyle(button).transitionDuration) : null,
        };
      });
      assert(seen.fill === seen.highlight, `in forced colours a progress bar is filled with ${seen.fill}, not the system Highlight ${seen.highlight}`);
      assert(seen.transition !== null && seen.transition < 0.001, `with reduced motion a transition still lasts ${seen.transition} s`);
    } finally {
      await page.emulateMedia({ reducedMotion: null, forcedColors: null });
      if (before) await page.setViewportSize(before);
    }
  },
};

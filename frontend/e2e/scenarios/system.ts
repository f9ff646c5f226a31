import { assert, fa, loadVazirmatn, settingsSaved, waitFor, type Scenario } from '../context.js';

export const system: Scenario = {
  name: 'system status page shows the database, TensorFlow.js backend and disks',
  async run({ page, goto, shot }) {
    await goto('/system');
    await page.getByRole('heading', { name: fa.system.database }).waitFor();
    await page.getByText(fa.system.dbMode.embedded).waitFor();
    await waitFor('Persian digits on the system page', async () => /[۰-۹]/.test((await page.locator('main').textContent()) ?? ''));
    await shot('system');
    // Dark theme: one click, stored with the other preferences.
    let saved = settingsSaved(page);
    await page.getByRole('button', { name: fa.header.darkTheme }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await saved;
    await goto('/hub');
    await page.getByTestId('model-card').first().waitFor();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await shot('hub-dark');
    saved = settingsSaved(page);
    await page.getByRole('button', { name: fa.header.lightTheme }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
    await saved;
  },
};

/** Each page with what it shows once its data is in (or its empty state), so the width is measured on the finished page. */
const PAGES: { path: string; ready: string }[] = [
  { path: '/hub', ready: '[data-testid="model-card"], .empty' },
  { path: '/downloads', ready: '[data-testid="download-history"], [data-testid="active-downloads"], .empty' },
  { path: '/models', ready: '[data-testid="installed-model"], .empty' },
  { path: '/datasets', ready: '[data-testid="dataset-row"], .empty' },
  { path: '/training', ready: '[data-testid="job-row"], .empty' },
  { path: '/playground', ready: '[data-testid="model-ready"], .empty' },
  { path: '/speech', ready: '[data-testid="voice-picker"]' },
  { path: '/settings', ready: '[data-testid="token-state"]' },
  { path: '/system', ready: '.grid-cards' },
];

export const responsive: Scenario = {
  name: 'every page fits a 360 px wide screen and the menu opens as a drawer',
  async run({ page, goto, shot }) {
    const before = page.viewportSize();
    await page.setViewportSize({ width: 360, height: 760 });
    try {
      for (const { path, ready } of PAGES) {
        await goto(path);
        await page.locator('main').locator(ready).first().waitFor();
        await page.waitForFunction(() => document.querySelector('main .loading, main .load-status') === null);
        // Text widths are final only once the fonts are in.
        const fonts = await loadVazirmatn(page);
        assert(fonts.usable, `${path}: Vazirmatn did not load`);
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert(overflow <= 1, `${path} overflows 360 px by ${overflow} px`);
        await shot(`mobile${path.replace(/\//g, '-')}`);
      }
      await page.getByRole('button', { name: fa.nav.toggle }).click();
      await page.locator('.sidebar-open').waitFor();
      await waitFor('the focus inside the open drawer', () => page.evaluate(() => !!document.activeElement?.closest('#app-sidebar')));
      await shot('mobile-menu');
      await page.keyboard.press('Escape');
      await page.locator('.sidebar-open').waitFor({ state: 'detached' });
      await waitFor('the focus back on the menu button after Escape', () =>
        page.evaluate(() => document.activeElement?.classList.contains('menu-btn') ?? false),
      );
    } finally {
      if (before) await page.setViewportSize(before);
    }
  },
};

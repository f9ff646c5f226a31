import { assert, fa, type Scenario } from '../context.js';
import { register } from './auth.js';

export const system: Scenario = {
  name: 'system status page shows the database, TensorFlow.js backend and disks',
  needs: [register.name],
  async run({ page, goto, shot }) {
    await goto('/system');
    await page.getByRole('heading', { name: fa.system.database }).waitFor();
    await page.getByText(fa.system.dbMode.embedded).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    assert(/[۰-۹]/.test(text), 'no Persian digits on the system page');
    await shot('system');
    // Dark theme: one click, stored with the other preferences.
    await page.getByRole('button', { name: fa.header.darkTheme }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'dark');
    await goto('/hub');
    await page.getByTestId('model-card').first().waitFor();
    await shot('hub-dark');
    await page.getByRole('button', { name: fa.header.lightTheme }).click();
    await page.waitForFunction(() => document.documentElement.dataset.theme === 'light');
  },
};

const PAGES = ['/hub', '/downloads', '/models', '/datasets', '/training', '/playground', '/speech', '/settings', '/system'];

export const responsive: Scenario = {
  name: 'every page fits a 360 px wide screen and the menu opens as a drawer',
  needs: [register.name],
  async run({ page, goto, shot }) {
    const before = page.viewportSize();
    await page.setViewportSize({ width: 360, height: 760 });
    try {
      for (const path of PAGES) {
        await goto(path);
        await page.locator('main h1').first().waitFor();
        await page.waitForLoadState('networkidle');
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert(overflow <= 1, `${path} overflows 360 px by ${overflow} px`);
        await shot(`mobile${path.replace(/\//g, '-')}`);
      }
      await page.getByRole('button', { name: fa.nav.toggle }).click();
      await page.locator('.sidebar-open').waitFor();
      const focusInDrawer = await page.evaluate(() => !!document.activeElement?.closest('#app-sidebar'));
      assert(focusInDrawer, 'the open drawer does not hold the focus');
      await shot('mobile-menu');
      await page.keyboard.press('Escape');
      await page.locator('.sidebar-open').waitFor({ state: 'detached' });
      const backOnButton = await page.evaluate(() => document.activeElement?.classList.contains('menu-btn') ?? false);
      assert(backOnButton, 'Escape did not return the focus to the menu button');
    } finally {
      if (before) await page.setViewportSize(before);
    }
  },
};

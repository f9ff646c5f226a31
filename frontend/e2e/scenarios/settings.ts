import type { Page } from 'playwright-core';
import { FIXTURE_TOKEN, GATED_REPO_ID } from '../../../scripts/hub-mirror/fixtures.js';
import { TOKEN_KEY } from '../../src/lib/token-store.js';
import { assert, en, fa, settingsSaved, waitFor, type Scenario } from '../context.js';

export const hubToken: Scenario = {
  name: 'save a Hub token (masked preview), see the gated notice, remove the token',
  async run({ page, goto, shot }) {
    // Without a token, a gated model is refused beside the download button, in Persian.
    await goto(`/hub/${GATED_REPO_ID}`);
    await page.getByText(fa.hub.gatedNoToken).waitFor();
    await page.getByRole('button', { name: fa.hub.download }).click();
    await page.getByText(fa.errors.codes.GATED_REPO).waitFor();
    await shot('model-gated-refused');

    await goto('/settings');
    const state = page.getByTestId('token-state');
    await state.getByText(fa.settings.hub.none).waitFor();
    await page.getByLabel(fa.settings.hub.token).fill('has spaces in it');
    await page.getByRole('button', { name: fa.settings.hub.save }).click();
    await page.getByText(fa.settings.hub.badFormat).waitFor();

    await page.getByLabel(fa.settings.hub.token).fill(FIXTURE_TOKEN.granted);
    await page.getByRole('button', { name: fa.settings.hub.validate, exact: true }).click();
    await page.getByTestId('token-valid').getByText('sokhan-researcher').waitFor();
    await page.getByRole('button', { name: fa.settings.hub.save }).click();
    await state.getByText('sokhan-researcher').waitFor();
    const preview = (await state.textContent()) ?? '';
    assert(!preview.includes(FIXTURE_TOKEN.granted), 'the whole token is shown');
    assert(/hf_…?\S*0001/.test(preview) || preview.includes('0001'), `no masked preview in "${preview}"`);
    await shot('settings-token-saved');

    await goto(`/hub/${GATED_REPO_ID}`);
    await page.getByText(fa.hub.gatedTitle).waitFor();
    await page.getByText(fa.hub.gatedWithToken).waitFor();
    await shot('model-gated');
    await page.getByTestId('gated-settings-link').click();
    await page.waitForURL('**/settings');

    await page.getByRole('button', { name: fa.settings.hub.remove }).click();
    await page.getByRole('button', { name: fa.common.yes }).click();
    await waitFor('the token to be gone', () => state.getByText(fa.settings.hub.none).count());
  },
};

/** Whether the sidebar sits on that half of the window. */
function sidebarOn(page: Page, side: 'left' | 'right'): Promise<boolean> {
  return page.evaluate((want) => {
    const box = document.querySelector('.sidebar')?.getBoundingClientRect();
    if (!box) return false;
    const middle = box.left + box.width / 2;
    return want === 'left' ? middle < window.innerWidth / 2 : middle > window.innerWidth / 2;
  }, side);
}

export const language: Scenario = {
  name: 'switch language to English and back: the direction flips',
  async run({ page, goto, shot }) {
    await goto('/settings');
    let saved = settingsSaved(page);
    await page.getByTestId('language-switch').click();
    await saved;
    await waitFor('dir=ltr', () => page.evaluate(() => document.documentElement.dir === 'ltr' && document.documentElement.lang === 'en'));
    await page.getByRole('heading', { name: en.settings.title, exact: true }).waitFor();
    await waitFor('the sidebar on the left in English', () => sidebarOn(page, 'left'));
    await shot('settings-english');
    // Stored on the server: a reload keeps English.
    await page.reload();
    await page.getByRole('heading', { name: en.settings.title, exact: true }).waitFor();
    saved = settingsSaved(page);
    await page.getByTestId('language-switch').click();
    await saved;
    await waitFor('dir=rtl', () => page.evaluate(() => document.documentElement.dir === 'rtl' && document.documentElement.lang === 'fa'));
    await waitFor('the sidebar on the right in Persian', () => sidebarOn(page, 'right'));
    await page.getByRole('heading', { name: fa.settings.title, exact: true }).waitFor();
    await shot('settings');
  },
};

export const changePassword: Scenario = {
  name: 'change the password: this tab stays signed in, the old token stops working, the new password signs in',
  async run({ page, goto, user, baseUrl }) {
    await goto('/settings');
    const oldToken = await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
    assert(oldToken, 'no token is stored before the change');
    const next = `${user.password}-نو`;
    await page.getByLabel(fa.settings.password.current).fill('wrong-password');
    await page.getByLabel(fa.settings.password.new).fill(next);
    await page.getByLabel(fa.auth.fields.confirm).fill(next);
    await page.getByRole('button', { name: fa.settings.password.submit }).click();
    await page.getByText(fa.settings.password.wrongCurrent).waitFor();
    await page.getByLabel(fa.settings.password.current).fill(user.password);
    await page.getByRole('button', { name: fa.settings.password.submit }).click();
    await page.getByText(fa.settings.password.changed).waitFor();
    // From here on the account has the new password, whatever fails below.
    user.password = next;
    await waitFor('a new token in this tab', () => page.evaluate(([key, old]) => ![null, old].includes(localStorage.getItem(key)), [TOKEN_KEY, oldToken] as const));
    const status = await page.evaluate(
      async ([url, token]) => (await fetch(`${url}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).status,
      [baseUrl, oldToken] as const,
    );
    assert(status === 401, `the old token still answers ${status}`);
    await page.locator('.conn[data-state="connected"]').waitFor();

    await page.getByRole('button', { name: fa.header.signOut }).click();
    await page.getByLabel(fa.auth.fields.login).fill(user.email);
    await page.getByLabel(fa.auth.fields.password).fill(next);
    await page.getByRole('button', { name: fa.auth.login.submit }).click();
    await page.waitForURL('**/hub');
  },
};

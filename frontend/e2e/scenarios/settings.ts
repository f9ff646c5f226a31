import { FIXTURE_TOKEN, GATED_REPO_ID } from '../../../scripts/hub-mirror/fixtures.js';
import { assert, en, fa, waitFor, type Scenario } from '../context.js';
import { register } from './auth.js';

export const hubToken: Scenario = {
  name: 'save a Hub token (masked preview), see the gated notice, remove the token',
  needs: [register.name],
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

export const language: Scenario = {
  name: 'switch language to English and back: the direction flips',
  needs: [register.name],
  async run({ page, goto, shot }) {
    await goto('/settings');
    await page.getByTestId('language-switch').click();
    await waitFor('dir=ltr', () => page.evaluate(() => document.documentElement.dir === 'ltr' && document.documentElement.lang === 'en'));
    await page.getByRole('heading', { name: en.settings.title, exact: true }).waitFor();
    const sidebarSide = await page.evaluate(() => {
      const box = document.querySelector('.sidebar')?.getBoundingClientRect();
      return box ? box.left < window.innerWidth / 2 : null;
    });
    assert(sidebarSide === true, 'in English the sidebar should sit on the left');
    await shot('settings-english');
    // Stored on the server: a reload keeps English.
    await page.reload();
    await page.getByRole('heading', { name: en.settings.title, exact: true }).waitFor();
    await page.getByTestId('language-switch').click();
    await waitFor('dir=rtl', () => page.evaluate(() => document.documentElement.dir === 'rtl' && document.documentElement.lang === 'fa'));
    const rightSide = await page.evaluate(() => {
      const box = document.querySelector('.sidebar')?.getBoundingClientRect();
      return box ? box.left > window.innerWidth / 2 : null;
    });
    assert(rightSide === true, 'in Persian the sidebar should sit on the right');
    await page.getByRole('heading', { name: fa.settings.title, exact: true }).waitFor();
    await shot('settings');
  },
};

export const changePassword: Scenario = {
  name: 'change the password: this tab stays signed in, the old token stops working, the new password signs in',
  needs: [register.name],
  async run({ page, goto, user, baseUrl }) {
    await goto('/settings');
    const oldToken = await page.evaluate(() => localStorage.getItem('sokhan.token'));
    const next = `${user.password}-نو`;
    await page.getByLabel(fa.settings.password.current).fill('wrong-password');
    await page.getByLabel(fa.settings.password.new).fill(next);
    await page.getByLabel(fa.auth.fields.confirm).fill(next);
    await page.getByRole('button', { name: fa.settings.password.submit }).click();
    await page.getByText(fa.settings.password.wrongCurrent).waitFor();
    await page.getByLabel(fa.settings.password.current).fill(user.password);
    await page.getByRole('button', { name: fa.settings.password.submit }).click();
    await page.getByText(fa.settings.password.changed).waitFor();
    const newToken = await page.evaluate(() => localStorage.getItem('sokhan.token'));
    assert(newToken && newToken !== oldToken, 'the tab did not receive a new token');
    const status = await page.evaluate(
      async ([url, token]) => (await fetch(`${url}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).status,
      [baseUrl, oldToken ?? ''] as const,
    );
    assert(status === 401, `the old token still answers ${status}`);
    await page.locator('.conn[data-state="connected"]').waitFor();
    user.password = next;

    await page.getByRole('button', { name: fa.header.signOut }).click();
    await page.getByLabel(fa.auth.fields.login).fill(user.email);
    await page.getByLabel(fa.auth.fields.password).fill(next);
    await page.getByRole('button', { name: fa.auth.login.submit }).click();
    await page.waitForURL('**/hub');
  },
};

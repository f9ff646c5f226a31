import { TOKEN_KEY } from '../../src/lib/token-store.js';
import { assert, fa, loadVazirmatn, type Scenario } from '../context.js';

export const register: Scenario = {
  name: 'register with Persian validation, land signed in with a live socket',
  session: 'signed-out',
  async run({ page, goto, shot, user }) {
    await goto('/');
    await page.waitForURL('**/login');
    const html = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    assert(html.lang === 'fa' && html.dir === 'rtl', `html is lang=${html.lang} dir=${html.dir}`);
    const font = await loadVazirmatn(page);
    assert(font.faces.length > 0 && font.usable, `the Vazirmatn font is not loaded (faces: ${JSON.stringify(font.faces)})`);
    await shot('login');

    await page.getByRole('link', { name: fa.auth.login.toRegister }).click();
    await page.waitForURL('**/register');
    await page.getByRole('button', { name: fa.auth.register.submit }).click();
    await page.getByText(fa.validation.email).waitFor();
    await shot('register-validation');

    await page.getByLabel(fa.auth.fields.email).fill(user.email);
    await page.getByLabel(fa.auth.fields.username).fill('نام فارسی');
    await page.getByLabel(fa.auth.fields.password, { exact: true }).focus();
    await page.getByText(fa.validation.pattern).waitFor();
    await page.getByLabel(fa.auth.fields.username).fill(user.username);
    await page.getByLabel(fa.auth.fields.password, { exact: true }).fill(user.password);
    await page.getByLabel(fa.auth.fields.confirm).fill(`${user.password}x`);
    await page.getByLabel(fa.auth.fields.email).focus();
    const mismatch = page.getByText(fa.validation.passwordMismatch);
    await mismatch.waitFor();
    await page.getByLabel(fa.auth.fields.confirm).fill(user.password);
    await mismatch.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: fa.auth.register.submit }).click();
    await page.waitForURL('**/hub');
    await page.locator('.conn[data-state="connected"]').waitFor();
    await page.locator('.topbar .user-name', { hasText: user.username }).waitFor();
  },
};

export const signInAgain: Scenario = {
  name: 'sign out, wrong password in Persian, sign in with the username',
  async run({ page, goto, user, baseUrl }) {
    await goto('/hub');
    await page.getByRole('button', { name: fa.header.signOut }).click();
    await page.waitForURL('**/login');
    await page.waitForFunction((key) => localStorage.getItem(key) === null, TOKEN_KEY);
    await page.getByLabel(fa.auth.fields.login).fill(user.username);
    await page.getByLabel(fa.auth.fields.password).fill('not-the-password');
    await page.getByRole('button', { name: fa.auth.login.submit }).click();
    await page.getByText(fa.errors.codes.INVALID_CREDENTIALS).waitFor();
    await page.getByLabel(fa.auth.fields.password).fill(user.password);
    await page.getByRole('button', { name: fa.auth.login.submit }).click();
    await page.waitForURL(`${baseUrl}/hub`);
    await page.locator('.conn[data-state="connected"]').waitFor();
  },
};

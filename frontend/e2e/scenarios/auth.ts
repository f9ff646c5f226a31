import { assert, fa, waitFor, type Scenario } from '../context.js';

export const register: Scenario = {
  name: 'register with Persian validation, land signed in with a live socket',
  async run({ page, goto, shot, user }) {
    await goto('/');
    await page.waitForURL('**/login');
    const html = await page.evaluate(() => ({ lang: document.documentElement.lang, dir: document.documentElement.dir }));
    assert(html.lang === 'fa' && html.dir === 'rtl', `html is lang=${html.lang} dir=${html.dir}`);
    const font = await page.evaluate(async () => {
      await document.fonts.ready;
      return document.fonts.check('16px Vazirmatn', 'سخن');
    });
    assert(font, 'the Vazirmatn font is not loaded');
    await shot('login');

    await page.getByRole('link', { name: fa.auth.login.toRegister }).click();
    await page.waitForURL('**/register');
    await page.getByRole('button', { name: fa.auth.register.submit }).click();
    await page.getByText(fa.validation.email).waitFor();
    await page.getByText(fa.validation.passwordMismatch).count();
    await shot('register-validation');

    await page.getByLabel(fa.auth.fields.email).fill(user.email);
    await page.getByLabel(fa.auth.fields.username).fill('نام فارسی');
    await page.getByLabel(fa.auth.fields.password, { exact: true }).focus();
    await page.getByText(fa.validation.pattern).waitFor();
    await page.getByLabel(fa.auth.fields.username).fill(user.username);
    await page.getByLabel(fa.auth.fields.password, { exact: true }).fill(user.password);
    await page.getByLabel(fa.auth.fields.confirm).fill(user.password);
    await page.getByRole('button', { name: fa.auth.register.submit }).click();
    await page.waitForURL('**/hub');
    await page.locator('.conn[data-state="connected"]').waitFor();
    assert(await page.getByText(user.username).first().isVisible(), 'the username is not shown in the header');
  },
};

export const signInAgain: Scenario = {
  name: 'sign out, wrong password in Persian, sign in with the username',
  needs: [register.name],
  async run({ page, user, baseUrl }) {
    await page.getByRole('button', { name: fa.header.signOut }).click();
    await page.waitForURL('**/login');
    const token = await page.evaluate(() => localStorage.getItem('sokhan.token'));
    assert(token === null, 'the token is still stored after sign-out');
    await page.getByLabel(fa.auth.fields.login).fill(user.username);
    await page.getByLabel(fa.auth.fields.password).fill('not-the-password');
    await page.getByRole('button', { name: fa.auth.login.submit }).click();
    await page.getByText(fa.errors.codes.INVALID_CREDENTIALS).waitFor();
    await page.getByLabel(fa.auth.fields.password).fill(user.password);
    await page.getByRole('button', { name: fa.auth.login.submit }).click();
    await page.waitForURL(`${baseUrl}/hub`);
    await waitFor('a live socket', () => page.locator('.conn[data-state="connected"]').count());
  },
};

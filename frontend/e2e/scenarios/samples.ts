import type { AuthResponse } from '@sokhan/common';
import { TOKEN_KEY } from '../../src/lib/token-store.js';
import { assert, fa, latinDigits, waitFor, waitForText, type Scenario } from '../context.js';

const SENTIMENT_TITLE = 'نظرهای فارسی: مثبت، منفی، خنثی';

export const firstRunSamples: Scenario = {
  name: 'first run offline: a new account with no Hub and no data trains a first model from a shipped sample in one click',
  session: 'signed-out',
  async run({ page, goto, shot, mirror, baseUrl }) {
    // Offline: the Hub (the mirror) is gone for good, so this runs last, and the tab may reach only the server.
    await mirror.close();
    const outside: string[] = [];
    const origin = new URL(baseUrl).origin;
    await page.route('**/*', (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin || url.startsWith('data:') || url.startsWith('blob:')) return route.fallback();
      outside.push(url);
      return route.abort('internetdisconnected');
    });
    try {
      // A fresh account: nothing uploaded, nothing downloaded.
      const tag = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
      const res = await fetch(`${baseUrl}/api/auth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: `first${tag}@example.com`, username: `first${tag}`, password: 'رمز-نخستین-اجرا-۱۲۳۴' }),
      });
      assert(res.status === 201, `register answered ${res.status}`);
      const { token } = (await res.json()) as AuthResponse;
      await page.evaluate(([key, value]) => localStorage.setItem(key, value), [TOKEN_KEY, token] as const);

      await goto('/datasets');
      await page.getByText(fa.datasets.empty).waitFor();
      const samples = page.getByTestId('sample');
      await waitFor('the two shipped samples', async () => (await samples.count()) === 2);
      const sentiment = samples.filter({ hasText: SENTIMENT_TITLE });
      await waitForText('its rows and classes', sentiment.locator('.meta-line'), (text) => /\d{3} /.test(text) && text.includes('3 '));
      await shot('datasets-samples');

      await sentiment.getByRole('button', { name: fa.datasets.samples.trainFirst }).click();
      await page.waitForURL(/\/training\/[0-9a-f-]{36}$/, { timeout: 30_000 });
      // The default settings stop early on a few hundred rows: done when the playground link appears.
      await page.getByRole('link', { name: fa.training.job.tryIt }).waitFor({ timeout: 120_000 });
      const accuracy = await waitForText('a validation accuracy', page.getByTestId('eval-accuracy'), (text) => /\d/.test(text));
      const percent = Number(latinDigits(accuracy).replace(/[^\d.]/g, ''));
      assert(percent > 40, `validation accuracy ${accuracy} is near chance (a third)`);
      await shot('training-first-model');

      // The sample is now one of the user's datasets.
      await goto('/datasets');
      await page.getByTestId('dataset-row').filter({ hasText: SENTIMENT_TITLE }).waitFor();
      await sentiment.getByText(fa.datasets.samples.added).waitFor();
      assert(outside.length === 0, `the tab asked for outside addresses: ${outside.join(', ')}`);
    } finally {
      await page.unroute('**/*');
      // The next scenario (or rerun) signs the suite's own user in again.
      await page.evaluate((key) => localStorage.removeItem(key), TOKEN_KEY);
    }
  },
};

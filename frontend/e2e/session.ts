import type { AuthResponse } from '@sokhan/common';
import { TOKEN_KEY } from '../src/lib/token-store.js';
import type { Ctx, Scenario, User } from './context.js';

/** A token for the suite's user from the API: sign in, or register when the account does not exist yet. */
async function apiToken(baseUrl: string, user: User): Promise<string> {
  const post = (pathname: string, body: object) =>
    fetch(`${baseUrl}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  let res = await post('/api/auth/login', { login: user.username, password: user.password });
  if (res.status === 401) res = await post('/api/auth/register', { email: user.email, username: user.username, password: user.password });
  if (!res.ok) throw new Error(`could not sign ${user.username} in through the API: ${res.status} ${await res.text()}`);
  return ((await res.json()) as AuthResponse).token;
}

/**
 * Puts the tab in the session a scenario starts from. Usually the previous scenario left it so and this only
 * looks; after a failure it signs in through the API, so the later scenarios still run.
 */
export async function prepareSession(ctx: Ctx, want: NonNullable<Scenario['session']>): Promise<void> {
  const { page, baseUrl, user } = ctx;
  if (!page.url().startsWith(baseUrl)) await page.goto(`${baseUrl}/login`);
  const stored = await page.evaluate((key) => localStorage.getItem(key), TOKEN_KEY);
  if (want === 'signed-out') {
    if (stored !== null) await page.evaluate((key) => localStorage.removeItem(key), TOKEN_KEY);
    return;
  }
  if (stored !== null) {
    const me = await fetch(`${baseUrl}/api/auth/me`, { headers: { authorization: `Bearer ${stored}` } });
    // Signed in as the suite's user; a scenario that failed midway may have left another account signed in.
    if (me.ok && ((await me.json()) as { user: { username: string } }).user.username === user.username) return;
  }
  const token = await apiToken(baseUrl, user);
  await page.evaluate(([key, value]) => localStorage.setItem(key, value), [TOKEN_KEY, token] as const);
  // The app reads the token when it starts.
  await page.goto(`${baseUrl}/hub`);
}

/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: the DOM types describe them.
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page, Response } from 'playwright-core';
import type { HubMirror } from '../../scripts/hub-mirror/server.js';
import fa from '../src/locales/fa.json' with { type: 'json' };
import en from '../src/locales/en.json' with { type: 'json' };
import { SCREENSHOTS } from './harness.js';

export { fa, en };

export interface User {
  email: string;
  username: string;
  password: string;
}

/** What scenarios share: one browser page signed in as one user, the mirror, and a bag of ids found on the way. */
export interface Ctx {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  baseUrl: string;
  mirror: HubMirror;
  user: User;
  state: Record<string, string>;
  /** A scratch folder for files the scenarios write (removed with the stack). */
  tmp: string;
  /** A full-page screenshot, and an axe-core scan of that state. */
  shot(name: string, page?: Page): Promise<void>;
  /** An axe-core scan of the page as it is now (a state without a screenshot); the scenario fails on a serious or critical violation. */
  scan(label: string, page?: Page): Promise<void>;
  goto(pathname: string): Promise<void>;
  /** Errors the page logged (uncaught exceptions, console.error): a scenario fails when any appear. */
  pageErrors: string[];
}

export interface Scenario {
  name: string;
  run(ctx: Ctx): Promise<void>;
  /** How the tab starts: the runner signs the suite's user in (default) or out first, so one failure does not skip the rest. */
  session?: 'signed-in' | 'signed-out';
  /** Names of scenarios whose data this one uses; it is skipped when one failed. */
  needs?: string[];
}

let shotCount = 0;

export function screenshotPath(name: string): string {
  shotCount += 1;
  return path.join(SCREENSHOTS, `${String(shotCount).padStart(2, '0')}-${name}.png`);
}

export class AssertionError extends Error {}

export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionError(message);
}

/** Polls until `check` returns a truthy value; fails with the last value described. */
export async function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 15_000, intervalMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      last = await check();
      if (last) return last as T;
    } catch (err) {
      last = err instanceof Error ? err.message : err;
    }
    if (Date.now() > deadline) throw new AssertionError(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The server's answer to the next preference save. A preference applies on screen at once and is stored after;
 * a reload before that answer would load the old one.
 */
export function settingsSaved(page: Page): Promise<Response> {
  return page.waitForResponse((res) => res.request().method() === 'POST' && new URL(res.url()).pathname === '/api/settings' && res.ok());
}

/** Polls a locator's text (digits made Latin) until `test` accepts it; a timeout names the last text seen. */
export async function waitForText(what: string, locator: Locator, test: (text: string) => boolean, timeoutMs = 15_000): Promise<string> {
  let seen = '';
  try {
    await waitFor(what, async () => test((seen = latinDigits((await locator.textContent()) ?? ''))), timeoutMs);
  } catch {
    throw new AssertionError(`timed out waiting for ${what} (the page shows "${seen}")`);
  }
  return seen;
}

/**
 * Loads Vazirmatn at every weight the app imports, for Persian and Latin text, then checks it is usable.
 * `document.fonts.ready` proves nothing: it can resolve before the page has asked for any font.
 * (`check()` alone is no proof either: it answers true for a family no @font-face declares.)
 */
export async function loadVazirmatn(page: Page): Promise<{ faces: string[]; usable: boolean }> {
  return page.evaluate(async () => {
    const weights = [400, 500, 700];
    const text = 'سخن Sokhan';
    const loaded = (await Promise.all(weights.map((w) => document.fonts.load(`${w} 16px Vazirmatn`, text)))).flat();
    return {
      faces: loaded.filter((f) => f.status === 'loaded').map((f) => `${f.family} ${f.weight} ${f.unicodeRange}`),
      usable: weights.every((w) => document.fonts.check(`${w} 16px Vazirmatn`, text)),
    };
  });
}

/** Persian digits → ASCII, for reading numbers off the page. */
export function latinDigits(text: string): string {
  return text.replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/\u066B/g, '.').replace(/\u066C/g, '');
}

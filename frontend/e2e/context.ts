/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: the DOM types describe them.
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
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
  shot(name: string, page?: Page): Promise<void>;
  goto(pathname: string): Promise<void>;
  /** Errors the page logged (uncaught exceptions, console.error): a scenario fails when any appear. */
  pageErrors: string[];
}

export interface Scenario {
  name: string;
  run(ctx: Ctx): Promise<void>;
  /** Names of scenarios whose success this one needs; it is skipped when one failed. */
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

/** Persian digits → ASCII, for reading numbers off the page. */
export function latinDigits(text: string): string {
  return text.replace(/[\u06F0-\u06F9]/g, (d) => String(d.charCodeAt(0) - 0x06f0)).replace(/\u066B/g, '.').replace(/\u066C/g, '');
}

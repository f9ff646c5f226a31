/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: the DOM types describe them.
import type { Page } from 'playwright-core';
import { AssertionError } from './context.js';

/** What has the focus, and whether a focus ring is drawn for it (on it, on a close ancestor, or on its label). */
function focusState(page: Page, selector: string) {
  return page.evaluate((sel) => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { matches: false, ring: false, what: 'body' };
    // No named functions in here: the bundler would wrap them in a helper the page does not have.
    const input = el as HTMLInputElement;
    // Inputs draw their ring as a border and a shadow (and a transparent outline for forced colours).
    const inputRing = ['INPUT', 'SELECT', 'TEXTAREA'].includes(el.tagName) && getComputedStyle(el).boxShadow !== 'none';
    const candidates: Element[] = [el];
    for (let n = el.parentElement, i = 0; n && i < 3; n = n.parentElement, i += 1) candidates.push(n);
    if (input.labels?.[0]) candidates.push(input.labels[0]);
    return {
      matches: el.matches(sel),
      ring:
        inputRing ||
        candidates.some((n) => {
          const cs = getComputedStyle(n);
          return cs.outlineStyle !== 'none' && Number.parseFloat(cs.outlineWidth) > 0 && cs.outlineColor !== 'rgba(0, 0, 0, 0)';
        }),
      what: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')} «${(el.getAttribute('aria-label') ?? el.textContent ?? '').trim().slice(0, 40)}»`,
    };
  }, selector);
}

/**
 * Presses Tab (Shift+Tab with `back`) until the focus is on an element matching `selector`. Every element the
 * focus stops on on the way must show a focus ring; not getting there within `max` presses fails (a trap or a
 * control the keyboard cannot reach).
 */
export async function tabTo(page: Page, selector: string, { back = false, max = 80 } = {}): Promise<void> {
  const seen: string[] = [];
  for (let i = 0; i < max; i += 1) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const state = await focusState(page, selector);
    seen.push(state.what);
    if (state.what !== 'body' && !state.ring) throw new AssertionError(`no visible focus ring on ${state.what}`);
    if (state.matches) return;
  }
  throw new AssertionError(`Tab did not reach ${selector} in ${max} presses (last stops: ${seen.slice(-5).join(', ')})`);
}

/** Waits until the focus is on an element matching `selector` (after a navigation or a dialog). */
export async function focusIs(page: Page, selector: string, what: string): Promise<void> {
  try {
    await page.waitForFunction((sel) => document.activeElement?.matches(sel) ?? false, selector, { timeout: 15_000 });
  } catch {
    const now = await page.evaluate(() => document.activeElement?.outerHTML.slice(0, 120) ?? 'nothing');
    throw new AssertionError(`the focus is not on ${what} (${selector}); it is on ${now}`);
  }
}

/**
 * End-to-end suite: the built server, a real database and the Hub mirror, driven in Debian's Chromium through
 * playwright-core. One line per scenario, screenshots of every page under artifacts/screenshots/, exit code 1
 * on any failure. Build first (verify.sh does): `npm run build`.
 */
import { mkdirSync, rmSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, preflight, startStack } from './harness.js';
import { screenshotPath, type Ctx, type Scenario } from './context.js';
import { scenarios } from './scenarios/index.js';

async function main(): Promise<number> {
  const problems = preflight();
  if (problems.length > 0) {
    for (const p of problems) console.log(`✗ preflight: ${p}`);
    console.log('e2e: 0 passed, 1 failed');
    return 1;
  }
  rmSync(SCREENSHOTS, { recursive: true, force: true });
  mkdirSync(SCREENSHOTS, { recursive: true });

  const only = process.env.E2E_ONLY ? new RegExp(process.env.E2E_ONLY) : null;
  const t0 = Date.now();
  const stack = await startStack();
  console.log(`  server ${stack.baseUrl} (hub mirror ${stack.mirror.url}) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fa-IR', timezoneId: 'Asia/Tehran' });
  context.setDefaultTimeout(15_000);
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) pageErrors.push(msg.text());
  });

  const suffix = Date.now().toString(36);
  const ctx: Ctx = {
    browser,
    context,
    page,
    baseUrl: stack.baseUrl,
    mirror: stack.mirror,
    user: { email: `maryam.${suffix}@example.com`, username: `maryam_${suffix}`, password: 'رمز-امن-۱۴۰۳-secure' },
    state: {},
    tmp: stack.tmp,
    pageErrors,
    shot: async (name, p = page) => {
      // From the top, so sticky bars sit where a visitor sees them.
      await p.evaluate(() => window.scrollTo(0, 0));
      await p.screenshot({ path: screenshotPath(name), fullPage: true });
    },
    goto: async (pathname) => {
      await page.goto(`${stack.baseUrl}${pathname}`);
    },
  };

  const results = new Map<string, boolean>();
  let passed = 0;
  let failed = 0;
  try {
    for (const scenario of scenarios as Scenario[]) {
      if (only && !only.test(scenario.name)) continue;
      const missing = (scenario.needs ?? []).filter((n) => results.get(n) === false);
      if (missing.length > 0) {
        console.log(`✗ ${scenario.name}: skipped, needs ${missing.join(', ')}`);
        results.set(scenario.name, false);
        failed += 1;
        continue;
      }
      const started = Date.now();
      pageErrors.length = 0;
      try {
        await scenario.run(ctx);
        if (pageErrors.length > 0) throw new Error(`the page logged errors: ${pageErrors.slice(0, 3).join(' | ')}`);
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        console.log(`✓ ${scenario.name} (${secs} s)`);
        results.set(scenario.name, true);
        passed += 1;
      } catch (err) {
        const secs = ((Date.now() - started) / 1000).toFixed(1);
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        console.log(`✗ ${scenario.name} (${secs} s): ${message}`);
        await ctx.shot(`FAILED-${scenario.name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
        results.set(scenario.name, false);
        failed += 1;
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    await stack.stop().catch((err: unknown) => console.log(`  stopping the stack failed: ${String(err)}`));
  }
  console.log(`  screenshots: ${SCREENSHOTS}`);
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  return failed === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.log(`✗ e2e harness: ${err instanceof Error ? err.message : String(err)}`);
    console.log('e2e: 0 passed, 1 failed');
    process.exit(1);
  },
);

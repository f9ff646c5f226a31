/**
 * End-to-end suite: the built server, a real database and the Hub mirror, driven in Debian's Chromium through
 * playwright-core. One line per scenario, screenshots of every page under artifacts/screenshots/, exit code 1
 * on any failure. Build first (verify.sh does): `npm run build`.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { blocking, describe, scanPage, type A11yFinding } from './a11y.js';
import { ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS, preflight, startStack } from './harness.js';
import { screenshotPath, type Ctx, type Scenario } from './context.js';
import { prepareSession } from './session.js';
import { scenarios } from './scenarios/index.js';

/** What the run started (the browser, the stack), stopped together on the normal path and on SIGINT / SIGTERM / SIGHUP. */
const cleanups: (() => Promise<void>)[] = [];
let stopping: Promise<void> | null = null;
/** The exit code a signal asked for (128 + its number). */
let signalled: number | null = null;

function cleanUp(): Promise<void> {
  stopping ??= Promise.all(
    cleanups.splice(0).map((step) => step().catch((err: unknown) => console.log(`  cleanup failed: ${String(err)}`))),
  ).then(() => undefined);
  return stopping;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // A repeat (a group signal can arrive directly and relayed by tsx) does not cut the cleanup short; it is bounded.
    if (signalled !== null) return;
    signalled = 128 + os.constants.signals[signal];
    console.log(`  ${signal}: stopping the browser, the server and the Hub mirror`);
    void cleanUp().finally(() => process.exit(signalled ?? 1));
  });
}

/** A tab that records what the page logs as errors into `errors`. */
async function openPage(context: BrowserContext, errors: string[]): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (err) => errors.push(err.message));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !/Failed to load resource/.test(msg.text())) errors.push(msg.text());
  });
  return page;
}

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
  cleanups.push(async () => {
    const t = Date.now();
    await stack.stop();
    console.log(`  server and Hub mirror stopped in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  });
  console.log(`  server ${stack.baseUrl} (hub mirror ${stack.mirror.url}) ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  // Signals are ours to handle: Playwright's own handlers would exit before the server is stopped.
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
  });
  cleanups.push(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'fa-IR', timezoneId: 'Asia/Tehran' });
  context.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  // Every axe finding of the run (all impacts) for the report file; the current scenario's for its verdict.
  const allFindings: (A11yFinding & { scenario: string })[] = [];
  let findings: A11yFinding[] = [];
  let current = '';
  const scan = async (label: string, p: Page) => {
    const found = await scanPage(p, label);
    findings.push(...found);
    allFindings.push(...found.map((f) => ({ ...f, scenario: current })));
  };

  const suffix = Date.now().toString(36);
  const ctx: Ctx = {
    browser,
    context,
    page: await openPage(context, pageErrors),
    baseUrl: stack.baseUrl,
    mirror: stack.mirror,
    user: { email: `maryam.${suffix}@example.com`, username: `maryam_${suffix}`, password: 'رمز-امن-۱۴۰۳-secure' },
    state: {},
    tmp: stack.tmp,
    pageErrors,
    shot: async (name, p = ctx.page) => {
      // From the top, so sticky bars sit where a visitor sees them.
      await p.evaluate(() => window.scrollTo(0, 0));
      await p.screenshot({ path: screenshotPath(name), fullPage: true });
      // Every state worth a picture is scanned too.
      await scan(name, p);
    },
    scan: (label, p = ctx.page) => scan(label, p),
    goto: async (pathname) => {
      await ctx.page.goto(`${stack.baseUrl}${pathname}`);
    },
  };

  const results = new Map<string, boolean>();
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  try {
    for (const scenario of scenarios as Scenario[]) {
      if (stopping) break;
      if (only && !only.test(scenario.name)) continue;
      // With E2E_ONLY, a needed scenario may not have run at all.
      const missing = (scenario.needs ?? []).filter((n) => results.get(n) !== true);
      if (missing.length > 0) {
        const why = missing.map((n) => `«${n}» ${results.has(n) ? 'failed' : 'did not run'}`).join('; ');
        console.log(`✗ ${scenario.name}: skipped, it uses the data of another scenario: ${why}`);
        results.set(scenario.name, false);
        skipped += 1;
        continue;
      }
      const started = Date.now();
      const secs = () => ((Date.now() - started) / 1000).toFixed(1);
      try {
        try {
          await prepareSession(ctx, scenario.session ?? 'signed-in');
        } catch (err) {
          throw new Error(`before the scenario: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
        }
        pageErrors.length = 0;
        findings = [];
        current = scenario.name;
        await scenario.run(ctx);
        if (pageErrors.length > 0) throw new Error(`the page logged errors: ${pageErrors.slice(0, 3).join(' | ')}`);
        // The page the scenario ends on, in its final state.
        await scan('end', ctx.page);
        const serious = blocking(findings);
        if (serious.length > 0) throw new Error(`accessibility (axe-core, WCAG 2.1 AA): ${describe(serious)}`);
        console.log(`✓ ${scenario.name} (${secs()} s)`);
        results.set(scenario.name, true);
        passed += 1;
      } catch (err) {
        if (stopping) {
          console.log(`✗ ${scenario.name}: interrupted`);
          break;
        }
        const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
        console.log(`✗ ${scenario.name} (${secs()} s): ${message}`);
        results.set(scenario.name, false);
        failed += 1;
        await ctx.shot(`FAILED-${scenario.name.replace(/[^a-z0-9]+/gi, '-')}`).catch(() => undefined);
        // The next scenario gets a fresh tab: whatever this one left open (a dialog, a half-filled form) goes with it.
        await ctx.page.close().catch(() => undefined);
        ctx.page = await openPage(context, pageErrors);
      } finally {
        ctx.mirror.resetFaults();
      }
    }
  } finally {
    await cleanUp();
  }
  const report = path.join(ARTIFACTS, 'a11y-report.json');
  writeFileSync(report, `${JSON.stringify(allFindings, null, 2)}\n`);
  console.log(`  screenshots: ${SCREENSHOTS}`);
  console.log(`  accessibility: ${blocking(allFindings).length} serious or critical, ${allFindings.length} findings in all: ${report}`);
  const skippedNote = skipped > 0 ? ` (${skipped} of them skipped)` : '';
  console.log(`e2e: ${passed} passed, ${failed + skipped} failed${skippedNote}`);
  return failed + skipped === 0 && passed > 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(signalled ?? code),
  async (err: unknown) => {
    console.log(`✗ e2e harness: ${err instanceof Error ? err.message : String(err)}`);
    await cleanUp();
    console.log('e2e: 0 passed, 1 failed');
    process.exit(signalled ?? 1);
  },
);

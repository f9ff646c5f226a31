/// <reference lib="dom" />
// page.evaluate callbacks run in the browser: the DOM types describe them.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import type { AxeResults, ImpactValue } from 'axe-core';

/**
 * axe-core scans for the suite: WCAG 2.0 / 2.1, levels A and AA. A serious or critical violation fails the
 * scenario that reached the page; minor and moderate ones are only listed in the report file.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const BLOCKING: ImpactValue[] = ['serious', 'critical'];

export interface A11yFinding {
  /** Where and in what state: the page path, theme, language and the scan's label. */
  where: string;
  rule: string;
  impact: ImpactValue;
  help: string;
  nodes: { target: string; summary: string }[];
}

/** Scans the page as it is now. The page's own CSP does not apply: the source goes in through the DevTools protocol. */
export async function scanPage(page: Page, label: string): Promise<A11yFinding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
  const { results, theme, lang } = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run(ctx: Document, opts: object): Promise<AxeResults> } }).axe;
    const res = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    // Only what the report needs crosses back: full results carry every node's HTML.
    return {
      results: res.violations.map((v) => ({
        id: v.id,
        impact: v.impact ?? 'minor',
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target.join(' '), summary: n.failureSummary ?? '' })),
      })),
      theme: document.documentElement.dataset.theme ?? 'system',
      lang: document.documentElement.lang,
    };
  }, TAGS);
  const where = `${new URL(page.url()).pathname} [${theme}, ${lang}] ${label}`;
  return results.map((v) => ({ where, rule: v.id, impact: v.impact as ImpactValue, help: v.help, nodes: v.nodes }));
}

export function blocking(findings: A11yFinding[]): A11yFinding[] {
  return findings.filter((f) => BLOCKING.includes(f.impact));
}

/** One line per violation, for a scenario's failure message. */
export function describe(findings: A11yFinding[]): string {
  return findings
    .map((f) => `${f.where}: ${f.impact} ${f.rule} (${f.help}) on ${f.nodes.length} node(s): ${f.nodes.slice(0, 3).map((n) => n.target).join(', ')}`)
    .join(' | ');
}

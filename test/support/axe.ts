import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';

/** Screenshots of the console's tests are kept as test artifacts (git-ignored). */
export const ARTIFACTS = join(__dirname, '..', '..', 'test-artifacts');

const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/** What the tests read in the page (the test program has no DOM types). */
export interface InPage {
  location: { hash: string };
  localStorage: { length: number };
  sessionStorage: { length: number };
  document: { cookie: string };
  axe: { run(options: unknown): Promise<{ violations: { id: string; nodes: { html: string }[] }[] }> };
}

/** WCAG 2 A and AA violations axe-core finds on the page as it is. */
export async function accessibilityViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  return page.evaluate(async () => {
    const { axe } = globalThis as unknown as InPage;
    const result = await axe.run({ runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return result.violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.map((n) => n.html))}`);
  });
}

/** Goes to a page of the console in the same document, as a link would (no reload: still connected). */
export function openInPage(page: Page, hash: string): Promise<string> {
  return page.evaluate((h) => ((globalThis as unknown as InPage).location.hash = h), hash);
}

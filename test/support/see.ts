import type { Locator } from 'playwright-core';

const TIMEOUT_MS = 15_000; // generous: CI shares two cores with other jobs

/**
 * Web-first assertions for playwright-core (which, unlike @playwright/test, has none): each
 * retries until the page shows what is expected, or fails with what it showed last.
 */
export function see(locator: Locator) {
  return {
    toHaveText: (expected: string | RegExp) => until(locator, `to have text ${expected}`, async () => matches(await onlyText(locator), expected)),
    toContainText: (expected: string) => until(locator, `to contain text ${expected}`, async () => (await allText(locator)).includes(expected)),
    toHaveCount: (expected: number) => until(locator, `to have count ${expected}`, async () => (await locator.count()) === expected),
    toBeVisible: () => until(locator, 'to be visible', () => locator.first().isVisible()),
    toHaveAttribute: (name: string, expected: string | RegExp) =>
      until(locator, `to have ${name}=${expected}`, async () => matches((await locator.getAttribute(name, { timeout: 500 })) ?? '', expected)),
    not: {
      toHaveText: (unexpected: string) => until(locator, `not to have text ${unexpected}`, async () => (await onlyText(locator)) !== unexpected),
    },
  };
}

async function until(locator: Locator, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + TIMEOUT_MS;
  let last = '';
  for (;;) {
    try {
      if (await check()) return;
      last = await allText(locator).catch((e: Error) => e.message);
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline) throw new Error(`Expected ${locator} ${what}; it showed: ${JSON.stringify(last.slice(0, 500))}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function onlyText(locator: Locator): Promise<string> {
  return (await locator.innerText({ timeout: 500 })).replace(/\s+/g, ' ').trim();
}

async function allText(locator: Locator): Promise<string> {
  return (await locator.allInnerTexts()).join('\n').replace(/[ \t]+/g, ' ');
}

function matches(text: string, expected: string | RegExp): boolean {
  return typeof expected === 'string' ? text === expected : expected.test(text);
}

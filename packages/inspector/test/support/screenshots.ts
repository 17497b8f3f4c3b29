import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

const docsDir = fileURLToPath(new URL('../../docs/', import.meta.url));

/**
 * Saves the README's screenshots of the main pages into docs/ (run with
 * BURR_INSPECTOR_SCREENSHOTS=1): the apps of a partition, an app's
 * timeline with its graph, a step's diff and state tree, and the fork box.
 */
export async function takeScreenshots(page: Page, base: string): Promise<void> {
  await page.setViewportSize({ width: 1200, height: 640 });
  await page.goto(new URL('/?partition=ada', base).href);
  await page.screenshot({ path: `${docsDir}apps.png` });

  await page.setViewportSize({ width: 1200, height: 820 });
  await page.goto(new URL('/app?partition=ada&app=chat-1', base).href);
  await page.screenshot({ path: `${docsDir}app.png` });

  await page.goto(new URL('/step?partition=ada&app=chat-1&seq=3&compare=0', base).href);
  await page.waitForSelector('#state-tree[data-ready="1"]');
  await page.click('#state-tree > ul > li > details > summary:has(.key:text-is("chat_history"))');
  await page.click('#state-tree details[open] > ul > li:nth-child(3) > details > summary');
  await page.locator('section.diff-box').scrollIntoViewIfNeeded();
  await page.screenshot({ path: `${docsDir}step.png`, fullPage: true });

  await page.locator('section.fork-box').scrollIntoViewIfNeeded();
  await page.click('button[data-write="fork"]');
  await page.screenshot({ path: `${docsDir}fork.png` });
  await page.locator('dialog.confirm button:text-is("Cancel")').click();
}

import type { BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { InspectorStore } from '../../src/index.js';
import { HOSTILE_TEXT } from './seed.js';

/** What the browser scenarios check the store with, besides the pages. */
export interface ScenarioStore {
  store: Pick<InspectorStore, 'listSteps' | 'load'>;
}

/** Opens the printed address (which sets the token cookie, if any) and then the partition `ada`. */
export async function openApps(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(url);
  await page.goto(new URL('/?partition=ada', url).href);
  return page;
}

/** Lists apps, searches, opens an app, a step, its diff against the previous and a chosen step, and reads the hostile string as text. */
export async function browseAndDiff(page: Page): Promise<void> {
  const appLinks = page.locator('table.apps a.app-link');
  await expect.poll(() => appLinks.allTextContents()).toEqual(['x<b>bold</b>', 'chat-2', 'chat-1']);
  await expect.poll(() => page.locator('table.apps tr.failed a.app-link').allTextContents()).toEqual(['chat-1']);

  await page.fill('input[name="q"]', 'chat-1');
  await page.click('form.partition-form button[type="submit"]');
  await expect.poll(() => appLinks.allTextContents()).toEqual(['chat-1']);

  await appLinks.first().click();
  await page.waitForURL(/\/app\?/);
  expect(await page.locator('h1 code.app-id').textContent()).toBe('chat-1');
  const rows = page.locator('table.steps tbody tr');
  expect(await rows.count()).toBe(6);
  expect(await page.locator('table.steps tbody tr.failed').getAttribute('data-seq')).toBe('5');
  expect(await page.locator('svg.graph .node.current').getAttribute('data-action')).toBe('ai_converse');

  await page.click('table.steps tr[data-seq="3"] td.num a');
  await page.waitForURL(/\/step\?.*seq=3/);
  expect(await page.locator('.meta .position').textContent()).toBe('ai_converse');
  const diffRows = page.locator('table.diff tbody tr');
  // Sorted: PostgreSQL's JSONB keeps an object's keys in an order of its own.
  await expect
    .poll(async () => (await diffRows.evaluateAll((trs) => trs.map((tr) => `${tr.getAttribute('data-kind')} ${tr.getAttribute('data-path')}`))).sort())
    .toEqual(['appended chat_history', 'changed ratio', 'changed turn']);
  expect(await page.locator('table.diff tr[data-kind="appended"] ol.items li').allTextContents()).toEqual(['{"role": "assistant", "content": "message 3"}']);

  // A chosen step: against #0, three messages were appended and the question changed.
  await page.fill('form.compare input[name="compare"]', '0');
  await page.click('form.compare button[type="submit"]');
  await page.waitForURL(/compare=0/);
  await expect.poll(async () => (await diffRows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-path')))).sort()).toEqual(['chat_history', 'question', 'ratio', 'turn']);
  expect(await page.locator('table.diff tr[data-kind="appended"] .kind').textContent()).toBe('appended 3');
  // The hostile string is in the diff as text.
  expect(await page.locator('table.diff tr[data-kind="appended"] ol.items li').nth(1).textContent()).toContain(JSON.stringify(HOSTILE_TEXT));

  // The state tree, opened a level at a time: the hostile string is text, and nothing of it ran.
  await page.waitForSelector('#state-tree[data-ready="1"]');
  await page.click('#state-tree > ul > li > details > summary:has(.key:text-is("chat_history"))');
  await page.click('#state-tree details[open] > ul > li:nth-child(3) > details > summary');
  const content = page.locator('#state-tree details[open] > ul > li:nth-child(3) details[open] li:has(.key:text-is("content")) .v');
  expect(await content.textContent()).toBe(JSON.stringify(HOSTILE_TEXT));
  expect(await page.locator('#state-tree li:has(> .key:text-is("ratio")) .v').textContent()).toBe('1.5');
  expect(await page.evaluate(() => (window as { __inspectorPwned?: number }).__inspectorPwned)).toBeUndefined();
  expect(await page.locator('script').count()).toBe(1);
}

/** The state of step 0 shows NaN as Python's token. */
export async function nanShown(page: Page, base: string): Promise<void> {
  await page.goto(new URL('/step?partition=ada&app=chat-1&seq=0', base).href);
  await page.waitForSelector('#state-tree[data-ready="1"]');
  expect(await page.locator('#state-tree li:has(> .key:text-is("ratio")) .v').textContent()).toBe('NaN');
}

/** Clicks a write button and confirms in the dialog. */
async function clickAndConfirm(page: Page, selector: string): Promise<void> {
  await page.click(selector);
  await page.locator('dialog.confirm button.danger').click();
}

/** Without --allow-writes: delete and fork are clicked and confirmed, the server refuses, and the store is unchanged. */
export async function writesRefused(page: Page, base: string, { store }: ScenarioStore): Promise<void> {
  await page.goto(new URL('/app?partition=ada&app=chat-2', base).href);
  await clickAndConfirm(page, 'button[data-write="delete"]');
  await expect.poll(() => page.locator('#write-result p.error').textContent()).toMatch(/^Writes are off: start burr-inspect with --allow-writes/);
  expect((await store.listSteps('ada', 'chat-2', { limit: 5 })).steps).toHaveLength(3);

  await page.goto(new URL('/step?partition=ada&app=chat-1&seq=3', base).href);
  await page.fill('#fork-app-id', 'chat-1-refused');
  await clickAndConfirm(page, 'button[data-write="fork"]');
  await expect.poll(() => page.locator('#write-result p.error').textContent()).toMatch(/^Writes are off/);
  expect((await store.listSteps('ada', 'chat-1-refused', { limit: 1 })).steps).toHaveLength(0);

  // The API itself, called from the page: 403.
  const status = await page.evaluate(
    async () =>
      (await fetch('/api/delete', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ partitionKey: 'ada', appId: 'chat-2' }) })).status,
  );
  expect(status).toBe(403);
}

/** With --allow-writes: fork step 3 of chat-1 into a new app, cancel a delete, then delete chat-2. */
export async function forkAndDelete(page: Page, base: string, { store }: ScenarioStore): Promise<void> {
  await page.goto(new URL('/step?partition=ada&app=chat-1&seq=3', base).href);
  await page.fill('#fork-app-id', 'chat-1-branch');
  expect(await page.locator('#fork-code').textContent()).toContain('appId: "chat-1-branch"');
  expect(await page.locator('#fork-code').textContent()).toContain('forkFromSequenceId: 3,');
  await clickAndConfirm(page, 'button[data-write="fork"]');
  await expect.poll(() => page.locator('#write-result p.ok').textContent()).toMatch(/^Created app chat-1-branch from step #3\./);
  const forked = await store.load('ada', 'chat-1-branch');
  const source = await store.load('ada', 'chat-1', 3);
  expect(forked?.sequenceId).toBe(3);
  expect(forked?.position).toBe('ai_converse');
  expect(forked?.state.get('chat_history')).toEqual(source?.state.get('chat_history'));
  await page.click('#write-result a');
  await page.waitForURL(/app=chat-1-branch/);
  expect(await page.locator('table.steps tbody tr').count()).toBe(1);

  // Forking into an id that has steps is refused.
  await page.goto(new URL('/step?partition=ada&app=chat-1&seq=1', base).href);
  await page.fill('#fork-app-id', 'chat-2');
  await clickAndConfirm(page, 'button[data-write="fork"]');
  await expect.poll(() => page.locator('#write-result p.error').textContent()).toMatch(/already has steps/);

  // Cancel keeps the app.
  await page.goto(new URL('/app?partition=ada&app=chat-2', base).href);
  await page.click('button[data-write="delete"]');
  expect(await page.locator('dialog.confirm p').textContent()).toBe('Delete app chat-2 of ada, every saved step of it? This cannot be undone.');
  await page.locator('dialog.confirm button:text-is("Cancel")').click();
  expect((await store.listSteps('ada', 'chat-2', { limit: 5 })).steps).toHaveLength(3);

  await clickAndConfirm(page, 'button[data-write="delete"]');
  await page.waitForURL(/deleted=chat-2/);
  expect(await page.locator('[data-notice="deleted"]').textContent()).toBe('Deleted app chat-2.');
  expect(await page.locator('table.apps a.app-link').allTextContents()).not.toContain('chat-2');
  expect((await store.listSteps('ada', 'chat-2', { limit: 5 })).steps).toHaveLength(0);
}

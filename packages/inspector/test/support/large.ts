import { type BaseStatePersister, State } from '@burr/core';
import type { BrowserContext } from 'playwright-core';
import { expect } from 'vitest';

/** Steps of the long app. */
export const LONG_APP_STEPS = 100_000;
/** Messages in the big state: about 1.1 MB of JSON. */
const BIG_MESSAGES = 5_000;

/**
 * Saves `long` (100,000 small steps, through `save`, or `bulkInsertLong`
 * where 100,000 round trips would take minutes) and
 * `big` (two steps whose state is over 1 MB: 5,000 messages, one more in the second).
 */
export async function seedLarge(persister: Pick<BaseStatePersister, 'save'>, bulkInsertLong?: () => Promise<void>): Promise<void> {
  if (bulkInsertLong) await bulkInsertLong();
  else {
    for (let sequenceId = 0; sequenceId < LONG_APP_STEPS; sequenceId++) {
      await persister.save({ appId: 'long', sequenceId, position: sequenceId % 2 ? 'respond' : 'ask', state: new State({ turn: sequenceId }), status: 'completed' });
    }
  }
  const messages = Array.from({ length: BIG_MESSAGES }, (_, index) => ({ role: index % 2 ? 'assistant' : 'user', content: `${index} ${'lorem ipsum dolor sit amet '.repeat(7)}` }));
  await persister.save({ appId: 'big', sequenceId: 0, position: 'ask', state: new State({ chat_history: messages }), status: 'completed' });
  await persister.save({
    appId: 'big',
    sequenceId: 1,
    position: 'respond',
    state: new State({ chat_history: [...messages, { role: 'assistant', content: 'the last one' }] }),
    status: 'completed',
  });
}

/** Milliseconds each open took: the first (a cold server) and the median of the next three. */
export interface OpenTimes {
  first: number;
  median: number;
}

async function timeOpen(context: BrowserContext, url: string, readySelector: string): Promise<OpenTimes> {
  const times: number[] = [];
  for (let run = 0; run < 4; run++) {
    const page = await context.newPage();
    const started = performance.now();
    await page.goto(url);
    await page.waitForSelector(readySelector);
    times.push(performance.now() - started);
    await page.close();
  }
  const rest = times.slice(1).sort((a, b) => a - b);
  return { first: Math.round(times[0]!), median: Math.round(rest[1]!) };
}

/**
 * Opens the 100,000-step app (newest page and a page in the middle) and a
 * step of the 1 MB state with its diff and tree, in the browser, timing
 * each from navigation to the content being on screen (every page must
 * show its content). Returns the times for the log: a unit test does not
 * judge speed on a machine shared with other tests.
 */
export async function measureLargeOpens(context: BrowserContext, origin: string): Promise<Record<string, OpenTimes>> {
  const times: Record<string, OpenTimes> = {
    'app of 100,000 steps, newest page': await timeOpen(context, `${origin}/app?app=long`, 'table.steps tbody tr[data-seq="99900"]'),
    'app of 100,000 steps, page before #50,000': await timeOpen(context, `${origin}/app?app=long&before=50000`, 'table.steps tbody tr[data-seq="49900"]'),
    'step #50,000 of it, with its diff': await timeOpen(context, `${origin}/step?app=long&seq=50000`, 'table.diff'),
    '1 MB state: step page, diff and tree': await timeOpen(context, `${origin}/step?app=big&seq=1`, '#state-tree[data-ready="1"]'),
  };

  const page = await context.newPage();
  await page.goto(`${origin}/step?app=big&seq=1`);
  await page.waitForSelector('#state-tree[data-ready="1"]');
  expect(await page.locator('table.diff tr[data-kind="appended"] .kind').textContent()).toBe('appended 1');
  // The size is the backend's own measure: SQLite's JSON text (1.1 MiB), PostgreSQL's compressed JSONB (less).
  expect(await page.locator('.meta').textContent()).toMatch(/· [\d.]+ (KiB|MiB)$/);
  // Opening the 5,001 messages builds the first 100 only.
  const started = performance.now();
  await page.click('#state-tree summary:has(.key:text-is("chat_history"))');
  await page.waitForSelector('#state-tree li.more button');
  const expandMs = Math.round(performance.now() - started);
  expect(await page.locator('#state-tree details[open] > ul > li').count()).toBe(101);
  expect(await page.locator('#state-tree li.more button').textContent()).toBe('show 100 more (4901 left)');
  times['open the 5,001-message list (first 100 shown)'] = { first: expandMs, median: expandMs };
  await page.close();
  return times;
}

/** One line per measurement, for the test log. */
export function formatTimes(backend: string, times: Record<string, OpenTimes>): string {
  return Object.entries(times)
    .map(([what, time]) => `${backend}: ${what}: first ${time.first} ms, median ${time.median} ms`)
    .join('\n');
}

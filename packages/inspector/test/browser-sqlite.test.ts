// The built burr-inspect on a real SQLite file, driven by Debian's Chromium through playwright-core.
import { writeFileSync } from 'node:fs';
import { SQLitePersister } from '@burr/persister-sqlite';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureBuilt, startInspectorProcess } from './support/inspector-process.js';
import { browseAndDiff, forkAndDelete, nanShown, openApps, writesRefused } from './support/scenarios.js';
import { takeScreenshots } from './support/screenshots.js';
import { CHAT_GRAPH, seedScenarioApps } from './support/seed.js';

const skip = browserSkipReason();

if (skip !== null) {
  describe.skip(`burr-inspect in a browser, SQLite [skipped: ${skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  describe('burr-inspect in a browser, SQLite', () => {
    const dir = temporaryDirectory('inspector-sqlite');
    const dbPath = dir.path('chat.db');
    const graphFile = dir.path('graph.json');
    const persister = SQLitePersister.fromValues({ dbPath });
    let browser: Awaited<ReturnType<typeof launchBrowser>>;

    beforeAll(async () => {
      ensureBuilt();
      await persister.initialize();
      await seedScenarioApps(persister);
      writeFileSync(graphFile, JSON.stringify(CHAT_GRAPH));
      browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await persister.cleanup();
      dir.remove();
    });

    it('without --allow-writes: lists, searches, opens, diffs, shows stored markup as text, and refuses delete and fork', async () => {
      const inspector = await startInspectorProcess([`sqlite:${dbPath}`, '--graph', graphFile]);
      try {
        expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
        expect(inspector.stdout()).toContain('read-only');
        const page = await openApps(browser.context, inspector.url);
        await browseAndDiff(page);
        // Full storage: every step is whole, so there is no "Stored as" column.
        await page.goto(new URL('/app?partition=ada&app=chat-1', inspector.origin).href);
        const headings = await page.locator('table.steps thead th').allTextContents();
        expect(headings).toContain('Size');
        expect(headings).not.toContain('Stored as');
        await nanShown(page, inspector.origin);
        await writesRefused(page, inspector.origin, { store: persister });
        await page.close();
      } finally {
        await inspector.stop();
      }
    });

    it('with --allow-writes: forks a step into a new app and deletes an app, each after a confirmation', async () => {
      const inspector = await startInspectorProcess([`sqlite:${dbPath}`, '--graph', graphFile, '--allow-writes']);
      try {
        expect(inspector.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{43}$/);
        const page = await openApps(browser.context, inspector.url);
        expect(page.url()).not.toContain('token=');
        if (process.env.BURR_INSPECTOR_SCREENSHOTS === '1') await takeScreenshots(page, inspector.origin);
        await forkAndDelete(page, inspector.origin, { store: persister });
        await page.close();

        // Another browser profile without the token's cookie reads nothing.
        const stranger = await launchBrowser();
        try {
          const response = await (await stranger.context.newPage()).goto(`${inspector.origin}/?partition=ada`);
          expect(response?.status()).toBe(401);
        } finally {
          await stranger.close();
        }
      } finally {
        await inspector.stop();
      }
    });
  });
}

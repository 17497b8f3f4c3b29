// burr-inspect --storage incremental on a real SQLite file in incremental storage: every step but the first is a
// delta, so each page shows states the persister rebuilt from a snapshot and deltas.
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { SQLitePersister } from '@burr/persister-sqlite';
import { temporaryDirectory } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureBuilt, startInspectorProcess } from './support/inspector-process.js';
import { browseAndDiff, forkAndDelete, nanShown, openApps } from './support/scenarios.js';
import { CHAT_GRAPH, seedScenarioApps } from './support/seed.js';

const skip = browserSkipReason();

if (skip !== null) {
  describe.skip(`burr-inspect in a browser, SQLite incremental storage [skipped: ${skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  describe('burr-inspect in a browser, SQLite incremental storage', () => {
    const dir = temporaryDirectory('inspector-incremental');
    const dbPath = dir.path('chat.db');
    const graphFile = dir.path('graph.json');
    const persister = SQLitePersister.fromValues({ dbPath, storage: 'incremental' });
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

    it('stores chat-1 as one snapshot and five deltas, and no full-mode table', () => {
      const db = new Database(dbPath, { readonly: true });
      try {
        const rows = db.prepare("SELECT sequence_id, base_sequence_id FROM burr_state_incremental WHERE app_id = 'chat-1' ORDER BY sequence_id").raw().all() as Array<
          [number, number | null]
        >;
        expect(rows).toEqual([
          [0, null],
          [1, 0],
          [2, 1],
          [3, 2],
          [4, 3],
          [5, 4],
        ]);
        expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'burr_state'").all()).toEqual([]);
      } finally {
        db.close();
      }
    });

    it('lists, diffs and shows rebuilt states, then forks and deletes, with --storage incremental', async () => {
      const inspector = await startInspectorProcess([`sqlite:${dbPath}`, '--storage', 'incremental', '--graph', graphFile, '--allow-writes']);
      try {
        expect(inspector.stdout()).toContain(`SQLite ${dbPath}, table burr_state (incremental storage), writes allowed`);
        const page = await openApps(browser.context, inspector.url);
        await browseAndDiff(page);
        // The timeline says how each step is stored: chat-1's first step is the snapshot, the rest deltas.
        await page.goto(new URL('/app?partition=ada&app=chat-1', inspector.origin).href);
        expect(await page.locator('table.steps thead th').allTextContents()).toContain('Stored as');
        expect(await page.locator('table.steps tbody .stored').allTextContents()).toEqual(['delta', 'delta', 'delta', 'delta', 'delta', 'snapshot']);
        await page.goto(new URL('/step?partition=ada&app=chat-1&seq=3', inspector.origin).href);
        expect(await page.locator('.meta').textContent()).toMatch(/ · \d+ B stored as a delta$/);
        await nanShown(page, inspector.origin);
        await forkAndDelete(page, inspector.origin, { store: persister });
        await page.close();
      } finally {
        await inspector.stop();
      }
    });
  });
}

// The built burr-inspect on the local PostgreSQL, driven by Debian's Chromium. Needs PostgreSQL: BURR_TEST_POSTGRES_URL,
// else a Testcontainers container, else a local server; without any it is skipped saying why.
import { writeFileSync } from 'node:fs';
import { PostgreSQLPersister } from '@burr/persister-pg';
import { providePostgres, temporaryDirectory, uniqueName } from '@burr/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureBuilt, startInspectorProcess } from './support/inspector-process.js';
import { browseAndDiff, forkAndDelete, openApps, writesRefused } from './support/scenarios.js';
import { CHAT_GRAPH, seedScenarioApps } from './support/seed.js';

const browserSkip = browserSkipReason();
const database = browserSkip === null ? await providePostgres() : { skip: browserSkip };

if ('skip' in database) {
  describe.skip(`burr-inspect in a browser, PostgreSQL [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  describe('burr-inspect in a browser, PostgreSQL', () => {
    // The steps live in a schema of their own, dropped at the end; the URL's search_path puts them there.
    const schema = uniqueName('burr_inspector');
    const url = `${database.url}${database.url.includes('?') ? '&' : '?'}search_path=${schema}`;
    const persister = PostgreSQLPersister.fromUrl(url);
    const dir = temporaryDirectory('inspector-pg');
    const graphFile = dir.path('graph.json');
    let browser: Awaited<ReturnType<typeof launchBrowser>>;

    beforeAll(async () => {
      ensureBuilt();
      await persister.client.unsafe(`CREATE SCHEMA "${schema}"`);
      await persister.initialize();
      await seedScenarioApps(persister, { noNaN: true });
      writeFileSync(graphFile, JSON.stringify(CHAT_GRAPH));
      browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      await browser?.close();
      await persister.client.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await persister.cleanup();
      await database.stop();
      dir.remove();
    });

    it('without --allow-writes: lists, searches, opens, diffs, shows stored markup as text, and refuses delete and fork', async () => {
      const inspector = await startInspectorProcess([url, '--graph', graphFile]);
      try {
        expect(inspector.stdout()).toContain(`PostgreSQL ${database.url}`);
        const page = await openApps(browser.context, inspector.url);
        await browseAndDiff(page);
        await writesRefused(page, inspector.origin, { store: persister });
        await page.close();
      } finally {
        await inspector.stop();
      }
    });

    it('with --allow-writes: forks a step into a new app and deletes an app, each after a confirmation', async () => {
      const inspector = await startInspectorProcess([url, '--graph', graphFile, '--allow-writes']);
      try {
        const page = await openApps(browser.context, inspector.url);
        await forkAndDelete(page, inspector.origin, { store: persister });
        await page.close();
      } finally {
        await inspector.stop();
      }
    });
  });
}

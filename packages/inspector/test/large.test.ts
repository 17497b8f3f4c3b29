// A 100,000-step app and a 1 MB state open in the browser, on a SQLite file and on PostgreSQL; the open times are logged.
import { PostgreSQLPersister } from '@burr/persister-pg';
import { SQLitePersister } from '@burr/persister-sqlite';
import { providePostgres, temporaryDirectory, uniqueName } from '@burr/testkit';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { browserSkipReason, launchBrowser } from './support/browser.js';
import { ensureBuilt, startInspectorProcess } from './support/inspector-process.js';
import { formatTimes, LONG_APP_STEPS, measureLargeOpens, seedLarge } from './support/large.js';

const browserSkip = browserSkipReason();

if (browserSkip !== null) {
  describe.skip(`large apps and states in a browser [skipped: ${browserSkip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  beforeAll(async () => {
    ensureBuilt();
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
  });

  describe('large apps and states, SQLite', () => {
    const dir = temporaryDirectory('inspector-large');
    const dbPath = dir.path('large.db');
    afterAll(() => dir.remove());

    it('opens each page of them, showing its content', { timeout: 180_000 }, async () => {
      const persister = SQLitePersister.fromValues({ dbPath });
      await persister.initialize();
      // One transaction, in the format save() writes (the app index trigger runs for each row): 100,000 saves
      // of their own took 40-80 s of a CI run.
      await seedLarge(persister, async () => {
        persister.client.exec(
          `WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n + 1 < ${LONG_APP_STEPS})
           INSERT INTO burr_state (partition_key, app_id, sequence_id, position, status, state, created_at)
           SELECT '', 'long', n, CASE WHEN n % 2 = 1 THEN 'respond' ELSE 'ask' END, 'completed', json_object('turn', n),
                  strftime('%Y-%m-%d %H:%M:%f000', 'now', '-' || (${LONG_APP_STEPS} - n) || ' seconds')
           FROM g`,
        );
      });
      await persister.cleanup();
      const inspector = await startInspectorProcess([`sqlite:${dbPath}`]);
      try {
        console.log(formatTimes('SQLite', await measureLargeOpens(browser.context, inspector.origin)));
      } finally {
        await inspector.stop();
      }
    });
  });

  const database = await providePostgres();
  if ('skip' in database) {
    describe.skip(`large apps and states, PostgreSQL [skipped: ${database.skip}]`, () => {
      it('is skipped', () => {});
    });
  } else {
    describe('large apps and states, PostgreSQL', () => {
      const schema = uniqueName('burr_inspector_large');
      const url = `${database.url}${database.url.includes('?') ? '&' : '?'}search_path=${schema}`;
      const persister = PostgreSQLPersister.fromUrl(url);
      afterAll(async () => {
        await persister.client.unsafe(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await persister.cleanup();
        await database.stop();
      });

      it('opens each page of them, showing its content', { timeout: 240_000 }, async () => {
        await persister.client.unsafe(`CREATE SCHEMA "${schema}"`);
        await persister.initialize();
        // 250 rows a statement, in the format save() writes; the app index trigger runs for each row as usual
        // (one statement for all 100,000 would update the app's index row 100,000 times in one transaction: minutes).
        await seedLarge(persister, async () => {
          for (let first = 0; first < LONG_APP_STEPS; first += 250) {
            await persister.client.unsafe(
              `INSERT INTO burr_state (partition_key, app_id, sequence_id, position, status, state, created_at)
               SELECT '', 'long', g, CASE WHEN g % 2 = 1 THEN 'respond' ELSE 'ask' END, 'completed', jsonb_build_object('turn', g), now() - make_interval(secs => ${LONG_APP_STEPS} - g)
               FROM generate_series(${first}, ${first + 249}) AS g`,
            );
          }
        });
        await persister.client.unsafe('ANALYZE');
        const inspector = await startInspectorProcess([url]);
        try {
          console.log(formatTimes('PostgreSQL', await measureLargeOpens(browser.context, inspector.origin)));
        } finally {
          await inspector.stop();
        }
      });
    });
  }
}

// A storm of pg_terminate_backend on the persister's own connections while an application keeps stepping.
// Without `fetch_types: false` postgres.js re-fetches array types on each reconnect, and a cut during that fetch
// rejected with nobody listening (4 of 33 cuts in a 20 s storm): an unhandled rejection that ends the process.
import { action, ApplicationBuilder, PersisterUnavailableError } from '@burr/core';
import { providePostgres } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { PostgreSQLPersister } from '../src/index.js';
import { scratch, testClient, uniqueName } from './helpers.js';

const STORM_MS = 3000;

const database = await providePostgres();

if ('skip' in database) {
  describe.skip(`PostgreSQLPersister connection storm [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const store = scratch(url);
  const admin = testClient(url, { max: 2 });
  afterAll(async () => {
    await store.drop();
    await admin.end({ timeout: 5 });
    await database.stop();
  });

  describe('PostgreSQLPersister connection storm', () => {
    it('cuts every 1-15 ms: no unhandled rejection, every failed step is a typed error, the app continues', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const applicationName = uniqueName('burr_storm');
      const tableName = store.table();
      await using persister = PostgreSQLPersister.fromUrl(url, { tableName, clientOptions: { connection: { application_name: applicationName } } });
      await persister.initialize();
      const counter = action({ reads: ['count'], writes: ['count'], run: (state) => state.update({ count: (state.get('count') as number) + 1 }) });
      const app = await new ApplicationBuilder()
        .withActions({ counter })
        .withTransitions(['counter', 'counter'])
        .withState({ count: 0 })
        .withEntrypoint('counter')
        .withIdentifiers({ appId: 'storm', partitionKey: 'p' })
        .withStatePersister(persister)
        .build();

      let storming = true;
      let cuts = 0;
      const storm = (async () => {
        while (storming) {
          const [row] = await admin`SELECT count(pg_terminate_backend(pid))::int AS n FROM pg_stat_activity WHERE application_name = ${applicationName}`;
          cuts += row?.n ?? 0;
          await new Promise((resolve) => setTimeout(resolve, 1 + Math.floor(Math.random() * 15)));
        }
      })();
      const failures: unknown[] = [];
      let steps = 0;
      const until = performance.now() + STORM_MS;
      try {
        while (performance.now() < until) {
          try {
            await app.step();
            steps += 1;
          } catch (error) {
            failures.push(error);
          }
        }
      } finally {
        storming = false;
        await storm;
      }
      // Calm again: the same application carries on. A backend terminated in the storm's last moments may fail one
      // more call on its pooled connection (a typed error, then a reconnect), so a few such failures are allowed.
      let calmSteps = 0;
      for (let attempt = 0; calmSteps < 3 && attempt < 20; attempt++) {
        try {
          await app.step();
          calmSteps += 1;
        } catch (error) {
          failures.push(error);
        }
      }
      expect(calmSteps).toBe(3);
      steps += calmSteps;
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.off('unhandledRejection', onUnhandled);

      expect(unhandled).toEqual([]);
      expect(cuts).toBeGreaterThan(10);
      expect(failures.length).toBeGreaterThan(0);
      const untyped = failures.filter((error) => !(error instanceof PersisterUnavailableError));
      expect(untyped).toEqual([]);
      expect(app.state.get('count')).toBe(steps);
      const stored = await admin.unsafe(`SELECT sequence_id FROM "${tableName}" WHERE app_id = 'storm' ORDER BY sequence_id`);
      expect(stored.map((row) => row.sequence_id)).toEqual(Array.from({ length: steps }, (_, i) => i));
      console.info(`PostgreSQL storm: ${cuts} connections cut, ${steps} steps saved, ${failures.length} failed steps (all PersisterUnavailableError)`);
    });
  });
}

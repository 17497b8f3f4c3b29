// A storm of CLIENT KILL on the persister's own client (found by its name, never anyone else's) while an
// application keeps stepping. Most saves that "fail" under cuts have landed; idempotent saves make the retry safe.
import { action, ApplicationBuilder, PersisterUnavailableError } from '@burr/core';
import { provideRedis } from '@burr/testkit';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisPersister } from '../src/index.js';
import { scratch, testClient } from './helpers.js';
import { killByName } from './kill-client.js';

const STORM_MS = 3000;

const database = await provideRedis();

if ('skip' in database) {
  describe.skip(`RedisPersister connection storm [skipped: ${database.skip}]`, () => {
    it('is skipped', () => {});
  });
} else {
  const { url } = database;
  const store = scratch(url);
  const admin = await testClient(url);
  afterAll(async () => {
    await store.drop();
    await admin.close();
    await database.stop();
  });

  describe('RedisPersister connection storm', () => {
    it('kills every 1-15 ms: no unhandled rejection, every failed step is a typed error, stored steps are contiguous', async () => {
      const unhandled: unknown[] = [];
      const onUnhandled = (reason: unknown) => unhandled.push(reason);
      process.on('unhandledRejection', onUnhandled);
      const name = `burr_storm_${process.pid}_${Date.now()}`;
      const namespace = store.namespace();
      await using persister = await RedisPersister.fromUrl(url, { namespace, clientOptions: { name } });
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
      let kills = 0;
      const storm = (async () => {
        while (storming) {
          kills += await killByName(admin, name);
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
            // node-redis reconnects in the background; a real caller would back off too.
            await new Promise((resolve) => setTimeout(resolve, 5));
          }
        }
      } finally {
        storming = false;
        await storm;
      }
      // Calm again: the same application carries on (the client may still be reconnecting for a moment).
      for (let calm = 0; calm < 3; ) {
        try {
          await app.step();
          steps += 1;
          calm += 1;
        } catch (error) {
          failures.push(error);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
      process.off('unhandledRejection', onUnhandled);

      expect(unhandled).toEqual([]);
      expect(kills).toBeGreaterThan(10);
      expect(failures.length).toBeGreaterThan(0);
      expect(failures.filter((error) => !(error instanceof PersisterUnavailableError))).toEqual([]);
      expect(app.state.get('count')).toBe(steps);
      const stored: number[] = [];
      for (let sequenceId = 0; ; sequenceId++) {
        const found = await persister.load('p', 'storm', sequenceId);
        if (!found) break;
        stored.push(found.sequenceId);
      }
      expect(stored).toEqual(Array.from({ length: steps }, (_, i) => i));
      expect((await persister.load('p', 'storm'))?.sequenceId).toBe(steps - 1);
      console.info(`Redis storm: ${kills} connections killed, ${steps} steps saved, ${failures.length} failed steps (all PersisterUnavailableError)`);
    });
  });
}

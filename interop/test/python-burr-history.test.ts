import { type PersistedStateData, type SaveStateArgs, State } from '@burr/core';
import { afterAll, describe, expect, it } from 'vitest';
import { findPythonBurr, type PythonLoadedStep, type PythonOp } from '../src/python-burr.js';
import { DELETED_APP, KEEP_LAST, NO_PARTITION, PARTITION, PYTHON_RESTART_STEP, PYTHON_STEPS, type ScenarioStep, TYPESCRIPT_STEPS, stepsByApp } from '../src/scenario.js';
import { INTEROP_BACKENDS, openInteropStore } from '../src/stores.js';

/**
 * The real Python Burr against stores our persisters keep: TypeScript creates
 * the table with its app index (and trigger), both sides save, TypeScript
 * prunes and deletes, and Python Burr's own loader must still read exactly
 * what remains and its saves must reach our app listing.
 */

const python = findPythonBurr();

const toSaveArgs = (step: ScenarioStep): SaveStateArgs => ({
  partitionKey: step.partition_key,
  appId: step.app_id,
  sequenceId: step.sequence_id,
  position: step.position,
  state: new State(step.state),
  status: step.status,
});
const saveOp = (step: ScenarioStep): PythonOp => ({ op: 'save', ...step });
/** Python's `load()` result without `created_at`, which each side sets itself. */
function withoutCreatedAt(loaded: unknown): Omit<PythonLoadedStep, 'created_at'> | null {
  if (loaded === null) return null;
  const { created_at, ...step } = loaded as PythonLoadedStep;
  expect(typeof created_at === 'string' && created_at.length > 0, `created_at ${JSON.stringify(created_at)}`).toBe(true);
  return step;
}
const fromTypeScript = (loaded: PersistedStateData | null) =>
  loaded && {
    partition_key: loaded.partitionKey,
    app_id: loaded.appId,
    sequence_id: loaded.sequenceId,
    position: loaded.position,
    status: loaded.status,
    state: loaded.state.getAll(),
  };
const latestOf = (steps: ScenarioStep[]): ScenarioStep => steps.reduce((latest, step) => (step.sequence_id > latest.sequence_id ? step : latest));

if ('skip' in python) {
  describe.skip(`Python Burr reads and writes what TypeScript keeps [skipped: ${python.skip}]`, () => it('is skipped', () => {}));
} else {
  for (const backend of INTEROP_BACKENDS) {
    const missingDriver = python.missingDriver(backend);
    const store = missingDriver === undefined ? await openInteropStore(backend) : { skip: missingDriver };
    const title = `${backend}: Python Burr ${python.version} after TypeScript deletes and prunes`;
    if ('skip' in store) {
      describe.skip(`${title} [skipped: ${store.skip}]`, () => it('is skipped', () => {}));
      continue;
    }

    describe(title, () => {
      const { persister } = store;
      const runPython = (ops: PythonOp[]) => python.run(store.python, ops);
      afterAll(() => store.dispose());

      const allSaved = [...TYPESCRIPT_STEPS, ...PYTHON_STEPS];
      // What must remain after the prune and the delete: each other app's newest KEEP_LAST steps.
      const remaining = new Map(
        [...stepsByApp(allSaved)]
          .filter(([key]) => key !== `${DELETED_APP.partitionKey}/${DELETED_APP.appId}`)
          .map(([key, steps]) => [key, { kept: steps.slice(-KEEP_LAST), pruned: steps.slice(0, -KEEP_LAST) }]),
      );

      it('TypeScript initialize() creates the table with its app index; TypeScript saves 3 apps × 6 steps', async () => {
        await persister.initialize();
        expect(await persister.isInitialized()).toBe(true);
        for (const step of TYPESCRIPT_STEPS) await persister.save(toSaveArgs(step));
        for (const steps of stepsByApp(TYPESCRIPT_STEPS).values()) {
          const latest = latestOf(steps);
          expect(await store.indexedLatest(latest.partition_key, latest.app_id)).toBe(latest.sequence_id);
        }
      });

      it('Python Burr initializes the same store and saves a new app and step 6 of a TypeScript app; both reach the app index and listApps', async () => {
        await runPython([{ op: 'initialize' }, ...PYTHON_STEPS.map(saveOp)]);

        expect(await store.indexedLatest(PARTITION, 'app-py')).toBe(2);
        expect(await store.indexedLatest(PARTITION, 'app-a')).toBe(6);
        const { apps } = await persister.listApps(PARTITION, { limit: 1000 });
        const expected = [...stepsByApp(allSaved).values()].filter((steps) => steps[0]!.partition_key === PARTITION).map(latestOf);
        expect(apps.map((app) => ({ appId: app.appId, lastSequenceId: app.lastSequenceId, lastPosition: app.lastPosition, lastStatus: app.lastStatus }))).toEqual(
          expect.arrayContaining(expected.map((step) => ({ appId: step.app_id, lastSequenceId: step.sequence_id, lastPosition: step.position, lastStatus: step.status }))),
        );
        expect(apps).toHaveLength(expected.length);
        for (const app of apps) expect(Number.isNaN(app.lastSavedAt.getTime()), `${app.appId} lastSavedAt`).toBe(false);

        // And our loader reads Python's rows as Python wrote them.
        for (const step of PYTHON_STEPS) expect(fromTypeScript(await persister.load(step.partition_key, step.app_id, step.sequence_id))).toEqual(step);
      });

      it(`TypeScript prunes every app to its newest ${KEEP_LAST} steps (Python's included), then deletes ${DELETED_APP.appId}`, async () => {
        const report = await persister.prune({ keepLast: KEEP_LAST });
        const everyApp = [...stepsByApp(allSaved).values()];
        expect(report).toMatchObject({
          dryRun: false,
          appsScanned: everyApp.length,
          appsPruned: everyApp.filter((steps) => steps.length > KEEP_LAST).length,
          stepsRemoved: everyApp.reduce((sum, steps) => sum + Math.max(0, steps.length - KEEP_LAST), 0),
        });
        expect(await persister.deleteApp(DELETED_APP.partitionKey, DELETED_APP.appId)).toBe(KEEP_LAST);

        for (const { kept } of remaining.values()) {
          const { steps } = await persister.listSteps(kept[0]!.partition_key, kept[0]!.app_id, { order: 'oldest-first' });
          expect(steps.map((step) => step.sequenceId)).toEqual(kept.map((step) => step.sequence_id));
        }
      });

      it("Python's list_app_ids lists, per partition, exactly the apps that remain", async () => {
        const partitions: Array<string | null> = [PARTITION, NO_PARTITION];
        // Python's SQLite persister reads None as ''; its PostgreSQL query compares with NULL and its Redis key becomes "None".
        if (backend === 'sqlite') partitions.push(null);
        const listed = (await runPython(partitions.map((partition_key) => ({ op: 'list_app_ids', partition_key })))) as string[][];
        const expectedIn = (partition: string | null) =>
          [...remaining.values()]
            .map(({ kept }) => latestOf(kept))
            .filter((latest) => latest.partition_key === (partition ?? ''))
            .sort((a, b) => b.sequence_id - a.sequence_id)
            .map((latest) => latest.app_id);

        partitions.forEach((partition, index) => {
          const appIds = listed[index]!;
          const expected = expectedIn(partition);
          if (backend === 'redis') {
            // Python's sorted set, highest latest sequence id first.
            expect(appIds, `partition ${JSON.stringify(partition)}`).toEqual(expected);
          } else {
            // SQL: ordered by created_at (seconds, for Python's rows); PostgreSQL's `DISTINCT app_id, created_at` repeats an app once per save time.
            expect([...new Set(appIds)].sort(), `partition ${JSON.stringify(partition)}`).toEqual([...expected].sort());
            if (backend === 'sqlite') expect(appIds).toHaveLength(expected.length);
          }
        });
      });

      it("Python's load() returns each remaining app's latest step and every kept step as saved, and nothing for pruned steps", async () => {
        const apps = [...remaining.values()];
        const ops = apps.flatMap(({ kept, pruned }): PythonOp[] => {
          const { partition_key, app_id } = kept[0]!;
          return [{ op: 'load', partition_key, app_id }, ...[...kept, ...pruned].map((step): PythonOp => ({ op: 'load', partition_key, app_id, sequence_id: step.sequence_id }))];
        });
        const results = (await runPython(ops)).map(withoutCreatedAt);
        const expected = apps.flatMap(({ kept, pruned }) => [latestOf(kept), ...kept, ...pruned.map(() => null)]);
        expect(results).toEqual(expected);
      });

      it(`${DELETED_APP.appId} is gone for Python Burr: no latest step, no step at any sequence id, no app index entry`, async () => {
        const { partitionKey, appId } = DELETED_APP;
        const deletedSteps = allSaved.filter((step) => step.partition_key === partitionKey && step.app_id === appId);
        const results = await runPython([
          { op: 'load', partition_key: partitionKey, app_id: appId },
          ...deletedSteps.map((step): PythonOp => ({ op: 'load', partition_key: partitionKey, app_id: appId, sequence_id: step.sequence_id })),
        ]);
        expect(results).toEqual([null, ...deletedSteps.map(() => null)]);
        // SQL: no row in <table>_apps; Redis: not in Python's sorted set (so list_app_ids above could not list it).
        expect(await store.indexedLatest(partitionKey, appId)).toBeNull();
      });

      it(`Python Burr starts ${DELETED_APP.appId} again from step 0; TypeScript lists and loads it at that step`, async () => {
        const step = PYTHON_RESTART_STEP;
        const [, latest] = await runPython([saveOp(step), { op: 'load', partition_key: step.partition_key, app_id: step.app_id }]);
        expect(withoutCreatedAt(latest)).toEqual(step);

        expect(await store.indexedLatest(step.partition_key, step.app_id)).toBe(0);
        const { apps } = await persister.listApps(step.partition_key, { limit: 1000 });
        expect(apps.find((app) => app.appId === step.app_id)).toMatchObject({ lastSequenceId: 0, lastPosition: step.position, lastStatus: step.status });
        expect(fromTypeScript(await persister.load(step.partition_key, step.app_id))).toEqual(step);
        const { steps } = await persister.listSteps(step.partition_key, step.app_id);
        expect(steps.map((saved) => saved.sequenceId)).toEqual([0]);
      });
    });
  }
}

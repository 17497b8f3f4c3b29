import assert from 'node:assert/strict';
import { State, type BaseStatePersister } from '@burr/core';

/** How {@link deleteBesideChainsOfSaves} runs. */
export interface ChainsOfSavesOptions {
  /** Opens an incremental persister on the table under test (one per writer); the caller closes them. */
  open(): Promise<BaseStatePersister>;
  /** Opens the persister that deletes (the same table, named another way, say); default `open`. */
  openDeleter?(): Promise<BaseStatePersister>;
  /**
   * How long the writers and the deletes run at least. Default 2,000 ms. On a
   * busy machine they go on until more than 10 deletes ran beside more saves
   * (what the run needs to interleave them), for at most 10 times as long.
   */
  durationMs?: number | undefined;
  /** Writers, each saving its own app. Default 3. */
  writers?: number | undefined;
}

/** What a run of {@link deleteBesideChainsOfSaves} did, for a test to report. */
export interface ChainsOfSavesReport {
  saves: number;
  deletes: number;
  /** Steps left at the end, every one of which loaded the state saved at it. */
  stepsChecked: number;
}

/**
 * Incremental storage: writers save chains of steps (each a delta on the
 * one before, saved as soon as the one before returned) while another
 * persister deletes their apps again and again. Then every step left must
 * load exactly the state its writer saved there: a delta saved while a
 * delete ran either went with the delete or was never stored, never left
 * without its base. Throws an assertion error naming the first step that
 * did not hold (or the error a save or a load threw).
 */
export async function deleteBesideChainsOfSaves(options: ChainsOfSavesOptions): Promise<ChainsOfSavesReport> {
  const durationMs = options.durationMs ?? 2000;
  const writers = await Promise.all(Array.from({ length: options.writers ?? 3 }, () => options.open()));
  const deleter = await (options.openDeleter ?? options.open)();
  const appIds = writers.map((_, index) => `chain-${index}`);
  const saved = appIds.map(() => new Map<number, State>());
  const started = Date.now();
  let [saves, deletes] = [0, 0];
  const interleaved = () => saves > deletes && deletes > 10;
  const running = () => {
    const elapsed = Date.now() - started;
    return elapsed < durationMs || (!interleaved() && elapsed < durationMs * 10);
  };

  const write = async (writer: BaseStatePersister, index: number) => {
    let state = new State({ turn: 0, messages: [] as string[] });
    for (let sequenceId = 0; running(); sequenceId++) {
      state = state.update({ turn: sequenceId }).append({ messages: `writer ${index}, message ${sequenceId}` });
      await writer.save({ appId: appIds[index]!, sequenceId, position: 'respond', state, status: 'completed' });
      saved[index]!.set(sequenceId, state);
      saves++;
    }
  };
  const deleteApps = async () => {
    for (let round = 0; running(); round++) {
      await deleter.deleteApp(null, appIds[round % appIds.length]!);
      deletes++;
      await new Promise((resolve) => setTimeout(resolve, round % 3));
    }
  };
  await Promise.all([...writers.map(write), deleteApps()]);

  let stepsChecked = 0;
  for (const [index, appId] of appIds.entries()) {
    const steps: number[] = [];
    for (let after: number | null | undefined; after !== null; ) {
      const page = await deleter.listSteps(null, appId, { order: 'oldest-first', ...(after === undefined ? {} : { after }) });
      steps.push(...page.steps.map((step) => step.sequenceId));
      after = page.nextCursor;
    }
    for (const sequenceId of steps) {
      let loaded: Awaited<ReturnType<BaseStatePersister['load']>>;
      try {
        loaded = await deleter.load(null, appId, sequenceId);
      } catch (error) {
        assert.fail(`${appId} step ${sequenceId} (of ${steps.length} left after ${deletes} deletes beside ${saves} saves) does not load: ${String(error)}`);
      }
      assert.deepEqual(loaded?.state.getAll(), saved[index]!.get(sequenceId)?.getAll(), `${appId} step ${sequenceId} loads the state saved there`);
      stepsChecked++;
    }
  }
  assert.ok(interleaved(), `the run saved (${saves}) and deleted (${deletes}) enough to interleave`);
  return { saves, deletes, stepsChecked };
}

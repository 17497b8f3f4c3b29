import type { BaseStateLoader, BaseStateManager } from '@burr/core';
import { UsageError } from './cli-args.js';

/**
 * Checks `--fork-from ID [--at N]` against the store before anything is
 * built, so a wrong id or step is named plainly: which conversation is
 * missing, or which steps it has.
 */
export async function checkForkSource(loader: BaseStateLoader & BaseStateManager, partitionKey: string, forkFrom: string, forkAt: number | undefined): Promise<void> {
  const latest = await loader.load(partitionKey, forkFrom);
  if (latest === null) {
    throw new UsageError(`No conversation ${JSON.stringify(forkFrom)} in partition ${JSON.stringify(partitionKey)} to fork from; --list shows its conversations.`);
  }
  if (forkAt === undefined || (await loader.load(partitionKey, forkFrom, forkAt)) !== null) return;
  const last = latest.sequenceId;
  const first = await firstSavedStep(loader, partitionKey, forkFrom, last);
  const range = first === last ? `only step #${last}` : `steps #${first} to #${last}`;
  const why =
    forkAt > last
      ? `its last step is #${last}`
      : forkAt < first
        ? `it starts at #${first} (it is a fork; earlier steps belong to the conversation it came from)`
        : `step #${forkAt} is not saved`;
  throw new UsageError(`Cannot fork at --at ${forkAt}: conversation ${forkFrom} has ${range}, and ${why}.`);
}

/** The lowest saved sequence id of a conversation: 0, or later for a fork, which is stored from its first own step. One `listSteps` row, no state. */
async function firstSavedStep(manager: BaseStateManager, partitionKey: string, appId: string, last: number): Promise<number> {
  const { steps } = await manager.listSteps(partitionKey, appId, { order: 'oldest-first', limit: 1 });
  return steps[0]?.sequenceId ?? last;
}

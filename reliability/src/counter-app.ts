import { ApplicationBuilder, action, type Application, type BaseStatePersister, type State } from '@burr/core';

/** Partition and app id every trial of one run shares: each trial resumes the one before. */
export const TRIAL_PARTITION = 'reliability';
export const TRIAL_APP_ID = 'crash-trials';

/** The trial app's actions, in the order they take turns (`tick` makes count 1, 3, 5 …; `tock` 2, 4, 6 …). */
const ACTIONS = ['tick', 'tock'] as const;

/**
 * `log` starts afresh every this many steps, so states (and full mode's
 * rows) stay small however long a run is, while every step in between is an
 * append: incremental mode stores those as deltas holding the new tail only.
 */
export const LOG_PERIOD = 50;

/** The entry the step that makes `count` appends to `log`: the action's name and the count, e.g. `tock 8`. */
export function logEntry(count: number): string {
  return `${ACTIONS[(count - 1) % ACTIONS.length]} ${count}`;
}

/**
 * The `log` a consistent state with this `count` holds: the entries of the
 * counts since the last fresh start (`count - (count - 1) % LOG_PERIOD`) up to
 * `count`, so its length is `(count - 1) % LOG_PERIOD + 1`; empty at count 0.
 */
export function expectedLog(count: number): string[] {
  if (count < 1) return [];
  const first = count - ((count - 1) % LOG_PERIOD);
  return Array.from({ length: count - first + 1 }, (_, i) => logEntry(first + i));
}

/**
 * Each step adds one to `count` and appends its entry to `log` (or starts it
 * afresh), so a stored step is consistent when `count === sequenceId + 1` and
 * `log` equals {@link expectedLog}`(count)`; a delta applied to the wrong base,
 * or an action that ran out of turn, shows up in `log`.
 */
function countingAction(name: (typeof ACTIONS)[number]) {
  return action({
    reads: ['count', 'log'],
    writes: ['count', 'log'],
    run: (state: State) => {
      const count = (state.get('count') as number) + 1;
      const entry = `${name} ${count}`;
      const counted = state.update({ count });
      return (count - 1) % LOG_PERIOD === 0 ? counted.update({ log: [entry] }) : counted.append({ log: entry });
    },
  });
}

/**
 * The app the trials kill and resume: two actions taking turns forever
 * (`tick` → `tock` → `tick` …), resumed from the persister's latest step.
 */
export function buildCounterApp(persister: BaseStatePersister): Promise<Application> {
  return new ApplicationBuilder()
    .withActions({ tick: countingAction('tick'), tock: countingAction('tock') })
    .withTransitions(['tick', 'tock'], ['tock', 'tick'])
    .initializeFrom(persister, { defaultState: { count: 0, log: [] }, defaultEntrypoint: 'tick', resumeAtNextAction: true })
    .withStatePersister(persister)
    .withIdentifiers({ appId: TRIAL_APP_ID, partitionKey: TRIAL_PARTITION })
    .build();
}

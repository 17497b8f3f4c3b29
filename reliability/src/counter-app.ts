import { ApplicationBuilder, action, type Application, type BaseStatePersister } from '@burr/core';

/** Partition and app id every trial of one run shares: each trial resumes the one before. */
export const TRIAL_PARTITION = 'reliability';
export const TRIAL_APP_ID = 'crash-trials';

/** Each step adds one to `count`, so a stored step is consistent when `count === sequenceId + 1`. */
function countingAction() {
  return action({
    reads: ['count'],
    writes: ['count'],
    run: (state) => state.update({ count: (state.get('count') as number) + 1 }),
  });
}

/**
 * The app the trials kill and resume: two actions taking turns forever
 * (`tick` → `tock` → `tick` …), resumed from the persister's latest step.
 */
export function buildCounterApp(persister: BaseStatePersister): Promise<Application> {
  return new ApplicationBuilder()
    .withActions({ tick: countingAction(), tock: countingAction() })
    .withTransitions(['tick', 'tock'], ['tock', 'tick'])
    .initializeFrom(persister, { defaultState: { count: 0 }, defaultEntrypoint: 'tick', resumeAtNextAction: true })
    .withStatePersister(persister)
    .withIdentifiers({ appId: TRIAL_APP_ID, partitionKey: TRIAL_PARTITION })
    .build();
}

import { State, type SaveStateArgs } from '@burr/core';

/**
 * Arguments of one `save()`: app `app`, no partition, sequence id 0,
 * position `counter`, a small state with the hidden keys. Override any part.
 */
export function sampleStep(overrides: Partial<SaveStateArgs> = {}): SaveStateArgs {
  return {
    partitionKey: null,
    appId: 'app',
    sequenceId: 0,
    position: 'counter',
    state: new State({ count: 1, __SEQUENCE_ID: 0, __PRIOR_STEP: 'counter' }),
    status: 'completed',
    ...overrides,
  };
}

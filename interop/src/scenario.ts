import type { PersistStatus } from '@burr/core';

/** One step as both sides save it, with Python's field names so it can be sent to Python as is. */
export interface ScenarioStep {
  partition_key: string;
  app_id: string;
  sequence_id: number;
  position: string;
  status: PersistStatus;
  state: Record<string, unknown>;
}

/** The partition with two TypeScript apps and the app Python starts. */
export const PARTITION = 'alpha';
/** No partition: Python Burr's `''` (its SQL persisters also turn `None` into it). */
export const NO_PARTITION = '';

/** The app TypeScript deletes after the prune. */
export const DELETED_APP = { partitionKey: PARTITION, appId: 'app-b' } as const;
/** Steps each app keeps after `prune({ keepLast })`. */
export const KEEP_LAST = 2;

const POSITIONS = ['prompt', 'retrieve', 'think', 'tool', 'respond', 'wait'];

/**
 * The state after step `sequenceId` of `appId`: nested objects, arrays,
 * non-ASCII text, a float with 16 significant digits, booleans, null, an
 * empty object and Burr's hidden keys, so a lossy round trip shows.
 */
function stateAt(appId: string, sequenceId: number, position: string): Record<string, unknown> {
  return {
    chat: Array.from({ length: sequenceId + 1 }, (_, turn) => ({ role: turn % 2 === 0 ? 'user' : 'assistant', content: `${appId} turn ${turn}: héllo — 日本 🎉` })),
    count: sequenceId,
    ratio: (sequenceId + 1) / 3,
    tiny: 1e-7 * (sequenceId + 1),
    flags: [true, false, null],
    meta: { app: appId, empty: {}, depth: { level: sequenceId, label: 'ünïcode' } },
    __SEQUENCE_ID: sequenceId,
    __PRIOR_STEP: position,
  };
}

/**
 * `count` steps of one app, from `first`; those `failed` picks fail. A failed
 * step holds the state from before its action, so it repeats the previous
 * step's values.
 */
function appSteps(partitionKey: string, appId: string, first: number, count: number, failed: (sequenceId: number) => boolean): ScenarioStep[] {
  return Array.from({ length: count }, (_, index) => {
    const sequenceId = first + index;
    const position = POSITIONS[sequenceId % POSITIONS.length]!;
    const status: PersistStatus = failed(sequenceId) ? 'failed' : 'completed';
    const state = status === 'failed' && sequenceId > 0 ? { ...stateAt(appId, sequenceId - 1, position), __SEQUENCE_ID: sequenceId } : stateAt(appId, sequenceId, position);
    return { partition_key: partitionKey, app_id: appId, sequence_id: sequenceId, position, status, state };
  });
}

/** What TypeScript saves first: 3 apps × 6 steps in two partitions; `app-b`'s latest step failed. */
export const TYPESCRIPT_STEPS: ScenarioStep[] = [
  ...appSteps(PARTITION, 'app-a', 0, 6, (id) => id === 3),
  ...appSteps(PARTITION, 'app-b', 0, 6, (id) => id === 3 || id === 5),
  ...appSteps(NO_PARTITION, 'app-c', 0, 6, (id) => id === 3),
];

/** What Python Burr then saves: a new app of 3 steps (one failed) and step 6 of TypeScript's `app-a`. */
export const PYTHON_STEPS: ScenarioStep[] = [...appSteps(PARTITION, 'app-py', 0, 3, (id) => id === 1), ...appSteps(PARTITION, 'app-a', 6, 1, () => false)];

/** What Python saves after the delete: the deleted app id started again from step 0. */
export const PYTHON_RESTART_STEP: ScenarioStep = appSteps(DELETED_APP.partitionKey, DELETED_APP.appId, 0, 1, () => false)[0]!;

/** Every step saved before the prune, grouped by `partition/app`, oldest first. */
export function stepsByApp(steps: ScenarioStep[]): Map<string, ScenarioStep[]> {
  const apps = new Map<string, ScenarioStep[]>();
  for (const step of steps) {
    const key = `${step.partition_key}/${step.app_id}`;
    apps.set(key, [...(apps.get(key) ?? []), step]);
  }
  for (const appSteps of apps.values()) appSteps.sort((a, b) => a.sequence_id - b.sequence_id);
  return apps;
}

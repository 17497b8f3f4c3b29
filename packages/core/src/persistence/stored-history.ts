import type { SaveTime } from './timestamps.js';

/** One step as a backend's history query returns it; numbers and times may come back as strings, bigints or Dates. */
export interface StoredStepSummary {
  sequenceId: number | bigint | string;
  position: string;
  status: string;
  createdAt: string | Date | number | null;
  /** Bytes stored for the state. */
  sizeBytes: number | bigint | string;
  /** With incremental storage: whether the row is a delta (`false`: a snapshot). Backends may leave it out in full mode, where it is ignored. */
  isDelta?: boolean | undefined;
  /** The state's JSON text: present when the query asked for it. */
  state?: string | undefined;
}

/** What a backend's history query selects: one app's steps, keyset-paged by sequence id. */
export interface StepQuery {
  partitionKey: string;
  appId: string;
  /** Highest sequence id first (ties: greatest position first), or lowest first (least position first). */
  newestFirst: boolean;
  /** Only sequence ids below this one. */
  before: number | undefined;
  /** Only sequence ids above this one. */
  after: number | undefined;
  limit: number;
  /** Whether to return each step's state text. */
  withState: boolean;
}

/** One app as a backend's app listing returns it. */
export interface StoredAppSummary {
  appId: string;
  lastSequenceId: number | bigint | string;
  lastPosition: string;
  lastStatus: string;
  lastSavedAt: string | Date | number | null;
  /**
   * The app's last save time exactly as the backend orders by it (stored
   * text, a score): the base puts it in the page cursor and hands it back in
   * {@link AppQuery.after}, so the next page starts exactly after this app.
   */
  savedAtKey: string;
}

/** What a backend's app listing selects: a partition's apps by last save time, newest first (ties: greatest app id first). */
export interface AppQuery {
  partitionKey: string;
  limit: number;
  /** Only apps that sort after this one: saved before `savedAtKey`, or at it with a smaller app id. */
  after: { savedAtKey: string; appId: string } | undefined;
}

/** An app's identity, as {@link AppScan} yields it. */
export interface AppRef {
  partitionKey: string;
  appId: string;
}

/** One page of a scan over apps, in whatever order suits the backend. */
export interface AppScan {
  apps: AppRef[];
  /** Opaque; hand back for the next page, `null` when the scan is done. */
  cursor: string | null;
}

/** Steps a backend removes in one batch: sequence ids `fromSequenceId`..`toSequenceId` (inclusive) of one app, and only those saved before `createdBefore` when it is given. */
export interface StepRemoval {
  partitionKey: string;
  appId: string;
  fromSequenceId: number;
  toSequenceId: number;
  createdBefore: SaveTime | undefined;
  /**
   * Incremental storage: remove nothing, and throw `ConcurrentDependentError`,
   * when a step that stays (saved after the batch, within this many sequence
   * ids, or kept by `createdBefore`) is a delta on a step the batch removes:
   * checked atomically with the removal, so a delta saved while a prune runs
   * never loses its base.
   */
  keepDependentsWithin?: number | undefined;
  /**
   * Remove nothing unless this step is still stored as listed (same sequence
   * id, position and save time), checked by the removal itself: a prune reads
   * the oldest step it keeps once, and an app deleted and started again since
   * then has steps of its new run in the batch's range.
   */
  keptStep?: KeptStep | undefined;
}

/** A step a removal depends on, as the history listed it (its `createdAt` untouched: text, `Date` or `null`). */
export interface KeptStep {
  sequenceId: number;
  position: string;
  createdAt: StoredStepSummary['createdAt'];
}

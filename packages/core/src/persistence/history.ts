import type { State } from '../state.js';
import type { PartitionKeyInput, PersistStatus } from './contract.js';
import type { PruneFailure } from '../errors.js';

/** One saved step as a history listing shows it: its key, status, time and size, the state only when asked for. */
export interface StepSummary {
  partitionKey: string;
  appId: string;
  sequenceId: number;
  /** The action this step ran. */
  position: string;
  status: PersistStatus;
  createdAt: Date;
  /** Bytes the backend stores for the state (its JSON text, or the backend's own measure of the stored value). */
  sizeBytes: number;
  /**
   * With incremental storage: whether the step is stored as a whole
   * `'snapshot'` or as a `'delta'` on an earlier step (then `sizeBytes` is
   * the delta's). Absent in full storage, where every step is whole.
   */
  storedAs?: 'snapshot' | 'delta' | undefined;
  /** The decoded state, present only with `includeState: true`. */
  state?: State | undefined;
}

/** Options of {@link BaseStateManager.listSteps}. */
export interface ListStepsOptions {
  /** `newest-first` (default) or `oldest-first`. */
  order?: 'newest-first' | 'oldest-first' | undefined;
  /** Steps per page, 1 to {@link MAX_PAGE_SIZE}; default {@link DEFAULT_PAGE_SIZE}. */
  limit?: number | undefined;
  /** Only steps with a sequence id below this one (the `nextCursor` of a newest-first page). */
  before?: number | undefined;
  /** Only steps with a sequence id above this one (the `nextCursor` of an oldest-first page). */
  after?: number | undefined;
  /** Decode each step's state into {@link StepSummary.state}. Default `false`: listing reads no state. */
  includeState?: boolean | undefined;
}

/** A page of an app's steps. */
export interface StepPage {
  steps: StepSummary[];
  /**
   * Pass as `before` (newest first) or `after` (oldest first) for the next
   * page; `null` when this page is the last.
   */
  nextCursor: number | null;
}

/** One app of a partition, as the app listing shows it. */
export interface AppSummary {
  partitionKey: string;
  appId: string;
  /** The app's latest step: the highest sequence id (ties: greatest position). */
  lastSequenceId: number;
  lastPosition: string;
  lastStatus: PersistStatus;
  /** When the app last saved a step (the newest `createdAt` of its steps). */
  lastSavedAt: Date;
}

/** Options of {@link BaseStateManager.listApps}. */
export interface ListAppsOptions {
  /** Apps per page, 1 to {@link MAX_PAGE_SIZE}; default {@link DEFAULT_PAGE_SIZE}. */
  limit?: number | undefined;
  /** The `nextCursor` of the previous page. */
  cursor?: string | null | undefined;
}

/** A page of a partition's apps, most recently saved first. */
export interface AppPage {
  apps: AppSummary[];
  /**
   * Opaque; pass as `cursor` for the next page, `null` when this page is the
   * last. An app that saves while you page moves to the front, so a listing
   * taken while apps are saving may miss it or show it twice.
   */
  nextCursor: string | null;
}

/** Whose steps {@link BaseStateManager.prune} looks at. */
export type PruneTarget = 'all' | { partitionKey: PartitionKeyInput; appId?: string };

/** Options of {@link BaseStateManager.prune}. At least one of `keepLast` and `olderThan` is required. */
export interface PruneOptions {
  /** Every app (default), one partition's apps, or one app. */
  target?: PruneTarget | undefined;
  /** Keep each app's newest `keepLast` steps (at least 1); older ones may go. */
  keepLast?: number | undefined;
  /** Only steps saved before this time may go. With `keepLast`, a step goes only when both allow it. */
  olderThan?: Date | undefined;
  /** Count what would go, remove nothing. */
  dryRun?: boolean | undefined;
  /** Steps removed per statement or script, 1 to 10,000; default {@link DEFAULT_PRUNE_BATCH_SIZE}. Smaller batches hold locks for less time. */
  batchSize?: number | undefined;
  /** Called after each batch and after each app, with the totals so far. */
  onProgress?: ((progress: PruneReport) => void) | undefined;
  /** Stops between batches; the promise then rejects with the signal's reason, and what was removed stays removed. */
  signal?: AbortSignal | undefined;
  /**
   * Called when an app could not be pruned, as the prune goes on with the
   * next (see `PruneIncompleteError`, which lists them all at the end): the
   * failures so far are known even when the prune is stopped before.
   */
  onAppFailure?: ((failure: PruneFailure) => void) | undefined;
}

/** What {@link BaseStateManager.prune} removed (or, with `dryRun`, would remove). */
export interface PruneReport {
  dryRun: boolean;
  /** Apps looked at. */
  appsScanned: number;
  /** Apps pruned that lost (or would lose) at least one step; not those in `appsFailed`. */
  appsPruned: number;
  /** Steps removed (or that would be), those of a failed app's batches before its failure included. */
  stepsRemoved: number;
  /** Sum of their {@link StepSummary.sizeBytes}. */
  bytesRemoved: number;
  /**
   * Apps whose prune failed (listed by the `PruneIncompleteError` the prune
   * throws once every app was looked at). A dry run rewrites nothing, so it
   * never fails where only the rewrite of a delta would.
   */
  appsFailed: number;
}

/** What {@link BaseStateManager.compact} did. */
export interface CompactReport {
  /** Bytes the store used before, as the backend measures them (file size, relation size...), or `null` when it cannot tell. */
  bytesBefore: number | null;
  /** Bytes it uses after. */
  bytesAfter: number | null;
  /** What was run, e.g. `PRAGMA wal_checkpoint(TRUNCATE)`, `VACUUM`. Empty when the backend needs nothing. */
  performed: string[];
  /** What an operator may run by hand (e.g. a `VACUUM FULL` that locks the table), and why. */
  advice: string[];
}

/** Default page size of {@link BaseStateManager.listSteps} and {@link BaseStateManager.listApps}. */
export const DEFAULT_PAGE_SIZE = 50;
/** Largest page size of {@link BaseStateManager.listSteps} and {@link BaseStateManager.listApps}. */
export const MAX_PAGE_SIZE = 1000;
/** Default steps removed per batch by {@link BaseStateManager.prune}. */
export const DEFAULT_PRUNE_BATCH_SIZE = 500;

/**
 * Reads an app's history and removes what is stored: what a user needs to
 * look at runs, honour an erasure request, and keep the store from growing.
 * Every persister implements it; none of it exists in Python Burr.
 */
export interface BaseStateManager {
  /** An app's steps, one page at a time; reads no state unless `includeState`. The cost of a page does not grow with the app's length. */
  listSteps(partitionKey: PartitionKeyInput, appId: string, options?: ListStepsOptions): Promise<StepPage>;
  /** A partition's apps with their latest step, most recently saved first, one page at a time. */
  listApps(partitionKey: PartitionKeyInput, options?: ListAppsOptions): Promise<AppPage>;
  /**
   * Removes every step of an app and returns how many there were (0 when it
   * had none). A concurrent `load` sees the app whole or gone, never in part.
   */
  deleteApp(partitionKey: PartitionKeyInput, appId: string): Promise<number>;
  /**
   * Removes old steps in bounded batches. Never removes an app's latest
   * step: to remove an app entirely, use {@link BaseStateManager.deleteApp}.
   * Throws `InvalidPersistArgumentError` for options that select nothing to
   * keep or nothing to remove.
   */
  prune(options: PruneOptions): Promise<PruneReport>;
  /** Gives disk space back where the backend needs it to, and says what else an operator could run. */
  compact(): Promise<CompactReport>;
}

/**
 * What a backend provides for the "History and retention" section: Burr
 * stores (a table with its app index, or a Redis namespace) that the raw
 * driver fills in bulk, each with a floor running the persister's own
 * statements or commands directly.
 */
import type { BaseStatePersister } from '@burr/core';
import type { StepRow } from './types.js';

/**
 * How the rows of a bulk fill are laid out: row `i` belongs to partition
 * `${partitionPrefix}${i / (stepsPerApp * appsPerPartition)}`, app
 * `${appPrefix}${i / stepsPerApp}` (integer division), has sequence id
 * `i % stepsPerApp`, and was saved at 2026-01-01 00:00:00 UTC plus `i` ms.
 */
export interface FillLayout {
  partitionPrefix: string;
  appPrefix: string;
  stepsPerApp: number;
  appsPerPartition: number;
}

export const fillLayoutPartition = (layout: FillLayout, row: number) => `${layout.partitionPrefix}${Math.floor(row / (layout.stepsPerApp * layout.appsPerPartition))}`;
export const fillLayoutApp = (layout: FillLayout, row: number) => `${layout.appPrefix}${Math.floor(row / layout.stepsPerApp)}`;

/** Prefixes go into fill statements as literals: only these characters. */
export function assertLayoutPrefixes(layout: FillLayout): void {
  for (const prefix of [layout.partitionPrefix, layout.appPrefix]) if (!/^[a-z-]+$/.test(prefix)) throw new Error(`fill prefix ${JSON.stringify(prefix)} must be [a-z-]+`);
}

/** Where the floor's app listing resumes: the last row's saved-at key (SQL text, or the Redis score) and app id. */
export interface FloorAppCursor {
  savedAtKey: string;
  appId: string;
}

/**
 * The raw driver doing what the persister's history, listing and retention
 * calls do, with the persister's statements (`burrSqlStatements(...).history`,
 * the app index statements) or the same Redis commands, with nothing around
 * them: no validation, no decoding, no cursor encoding.
 */
export interface HistoryFloor {
  /** Insert of one step into this store (its app index trigger fires), or Redis's save commands without the script's checks. */
  insert(row: StepRow): Promise<unknown>;
  /** One newest-first page of an app's steps, without state. */
  stepsPage(partitionKey: string, appId: string, limit: number): Promise<unknown[]>;
  /** One page of a partition's apps, most recently saved first; returns the cursor after its last row (`null` when empty). */
  appsPage(partitionKey: string, limit: number, after: FloorAppCursor | undefined): Promise<FloorAppCursor | null>;
  /** Every app id of the partition, from the app index. */
  appIds(partitionKey: string): Promise<unknown[]>;
  /** Removes every step of the app and its index entry; returns the steps removed. */
  deleteApp(partitionKey: string, appId: string): Promise<number>;
  /** Prune of every app to its newest `keepLast` steps, app by app and batch by batch as the persister does; returns the steps removed. */
  prune(keepLast: number, batchSize: number): Promise<number>;
  /** The dialect's compaction: measure, run, measure. */
  compact(): Promise<{ bytesBefore: number | null; bytesAfter: number | null }>;
}

/** One Burr store for this section, with its own table (or namespace, or database file). */
export interface HistoryStore {
  persister: BaseStatePersister;
  floor: HistoryFloor;
  /**
   * Writes rows `from` .. `to - 1` of `layout` in bulk; each state is
   * `statePrefix + sequenceId + stateSuffix`. SQL stores fill before their
   * app index trigger exists (plain inserts); Redis writes every key the save
   * script writes.
   */
  fill(layout: FillLayout, from: number, to: number, statePrefix: string, stateSuffix: string): Promise<void>;
  /** After the fills: indexes the filled apps (the backfill statement), creates the trigger with `initialize()`, gathers statistics where the bench does. */
  indexFilled(): Promise<void>;
  /** The query plan of each history statement on the filled data, one line per statement (SQL only). */
  explain?(samples: ExplainSamples): Promise<string[]>;
  /** Flushes pending background writes (WAL checkpoint, dirty buffers) before a timed row. */
  settle?(): Promise<void>;
  /** Removes the store (table, namespace or file) and closes what it opened. */
  drop(): Promise<void>;
}

/** Keys to EXPLAIN the statements with: an app with many steps, one with few (for deletes), and a partition with many apps plus a cursor into it. */
export interface ExplainSamples {
  longApp: { partitionKey: string; appId: string };
  shortApp: { partitionKey: string; appId: string };
  wideApps: { partitionKey: string; cursor: FloorAppCursor };
}

/** A backend's part in the section. */
export interface HistoryBench {
  /** A new, empty store named `name` (letters, digits, `_`). */
  createStore(name: string): Promise<HistoryStore>;
  /** The raw insert into a table laid out as Python Burr's: no app index table, no trigger (Redis: the hash and Python's sorted set only). */
  plainTable(name: string): Promise<{ insert(row: StepRow): Promise<unknown>; drop(): Promise<void> }>;
}

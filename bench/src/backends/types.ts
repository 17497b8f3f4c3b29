/**
 * What each backend file provides: the floor (raw driver), Burr's persister
 * and the LangGraph peer, all on one database, plus a bulk filler for the
 * stored-steps scenario.
 */
import { BURR_SQL_COLUMNS, type BaseStatePersister } from '@burr/core';
import type { PeerSlot } from '../peer.js';
import type { HistoryBench } from './history-types.js';

/** Where the state is in a row of Burr's SQL selects read as an array. */
export const STATE_COLUMN = BURR_SQL_COLUMNS.indexOf('state');

/** One step as Burr stores it; `state` is Burr's JSON text. */
export interface StepRow {
  partitionKey: string;
  appId: string;
  sequenceId: number;
  position: string;
  status: 'completed' | 'failed';
  state: string;
}

/**
 * The raw driver doing Burr's storage work with nothing around it: same
 * table/key shape, same serialized text, same connection or pool as the
 * persister, no validation, no encoding, no decoding.
 */
export interface Floor {
  insert(row: StepRow): Promise<unknown>;
  selectLatest(partitionKey: string, appId: string): Promise<unknown>;
  selectAtSequence(partitionKey: string, appId: string, sequenceId: number): Promise<unknown>;
  selectAppIds(partitionKey: string): Promise<unknown>;
  /** The state's JSON text in what `selectLatest` or `selectAtSequence` returned (for the "driver + JSON.parse" column). */
  stateText(selected: unknown): string;
}

/**
 * Rows in the stored-steps table are laid out by index `i`: partition
 * `fill-p{i/1000}`, app `fill-a{i/100}`, sequence id `i % 100`, so 1k rows are
 * 10 apps of one partition and 1M rows are 10,000 apps in 1,000 partitions.
 */
export const FILL_STEPS_PER_APP = 100;
export const FILL_APPS_PER_PARTITION = 10;
export const fillPartition = (row: number) => `fill-p${Math.floor(row / (FILL_STEPS_PER_APP * FILL_APPS_PER_PARTITION))}`;
export const fillApp = (row: number) => `fill-a${Math.floor(row / FILL_STEPS_PER_APP)}`;

/** A Burr table that the raw driver fills in bulk, read by a persister and the floor. */
export interface StoredStepsTable {
  persister: BaseStatePersister;
  floor: Floor;
  /**
   * Inserts rows `from` .. `to - 1` in Burr's format; the state of each row
   * is `statePrefix + sequenceId + stateSuffix` (Burr JSON ending in its hidden keys).
   */
  fill(from: number, to: number, statePrefix: string, stateSuffix: string): Promise<void>;
  /** Largest row count this backend fills within the time budget, with the reason when below 1M. */
  maxRows?: { rows: number; reason: string };
}

/** An open backend: everything lives in tables/keys of its own, removed by `close()`. */
export interface BackendSession {
  /** Driver name and version, for the report header. */
  driver: string;
  floor: Floor;
  persister: BaseStatePersister;
  peer: PeerSlot;
  /** Present when the backend takes part in the stored-steps scenario. */
  storedSteps?: () => Promise<StoredStepsTable>;
  /** Present when the backend takes part in the history and retention section. */
  history?: HistoryBench;
  /**
   * Flushes what earlier rows left pending (WAL checkpoint, dirty buffers),
   * so background writes from one section do not land in the next one's timings.
   */
  settle?(): Promise<void>;
  /** Drops tables/keys/files the bench created and closes connections. */
  close(): Promise<void>;
}

/** A backend the bench knows; `open()` says why it is skipped when its server or package is missing. */
export interface Backend {
  id: string;
  label: string;
  open(): Promise<BackendSession | { skip: string }>;
}

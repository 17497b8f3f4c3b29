import { DeserializationError, PersisterClosedError, PersisterConflictError, PersisterNotInitializedError } from '../errors.js';
import type { SerdeKwargs } from '../serde/registry.js';
import { decodeState, encodeState, type EncodeStateOptions } from '../serde/state-codec.js';
import type { BaseStatePersister, PartitionKeyInput, PersistedStateData, PersistStatus, SaveStateArgs } from './contract.js';
import { sameStateContent } from './same-content.js';
import { nextSaveTime, parseTimestamp, type SaveTime } from './timestamps.js';
import { storedStepError } from './stored-step-error.js';
import { assertAppId, assertSequenceId, isPersistStatus, normalizePartitionKey, validateSaveArgs, type StepKey } from './validate.js';

/** A step ready to store: validated key, state as JSON text, creation time. */
export interface StateRecord extends StepKey, SaveTime {
  status: PersistStatus;
  /** The serialized state (JSON text, hidden keys included). */
  state: string;
}

/** A step as a backend read it; numbers and times may come back as strings, bigints or Dates. */
export interface StoredStateRecord {
  partitionKey: string | null;
  appId: string;
  sequenceId: number | bigint | string;
  position: string;
  status: string;
  state: string;
  createdAt: string | Date | number | null;
}

/** What to look up: one app's latest step (`sequenceId: null`) or one sequence id. */
export interface RecordQuery {
  partitionKey: string;
  appId: string;
  sequenceId: number | null;
}

/** Options every {@link RecordStatePersister} takes. */
export interface RecordStatePersisterOptions {
  serdeKwargs?: SerdeKwargs;
}

/**
 * The base a storage backend extends. It holds everything that is the same
 * for every backend: argument validation, partition-key normalization, state
 * encoding before any I/O, decoding, the one-time "is the table there" check,
 * idempotent cleanup and `await using`. A backend only translates these
 * primitives into its driver's calls:
 *
 * - `createSchema()` / `schemaExists()`: tables, indexes, collections;
 * - `insertRecord()`: one atomic insert that throws {@link PersisterConflictError}
 *   (see {@link RecordStatePersister.conflict}) when the key exists; the base
 *   then reads the stored record and succeeds when it is the same step
 *   (idempotent saves, see {@link BaseStatePersister.save});
 * - `findRecord()`: latest step of an app = highest sequence id, ties broken
 *   by the greatest position; a given sequence id = the least position;
 * - `findAppIds()`: distinct app ids, most recently saved first;
 * - `closeClient()`: close the driver client; `cleanup()` calls it only when
 *   the persister opened that client itself (see {@link RecordStatePersister.takeOwnershipOfClient}).
 */
export abstract class RecordStatePersister implements BaseStatePersister {
  protected serdeKwargs: SerdeKwargs;
  /** How this backend stores NaN/Infinity; PostgreSQL overrides with `'reject'`. */
  protected readonly nonFiniteNumbers: EncodeStateOptions['nonFiniteNumbers'] = 'python';
  #schemaKnownToExist = false;
  #ownsClient = false;
  #cleanup: Promise<void> | undefined;

  protected constructor(options: RecordStatePersisterOptions = {}) {
    this.serdeKwargs = options.serdeKwargs ?? {};
  }

  /** Name used in error messages, e.g. `SQLitePersister("burr_state")`. */
  protected abstract describe(): string;
  protected abstract createSchema(): Promise<void>;
  protected abstract schemaExists(): Promise<boolean>;
  protected abstract insertRecord(record: StateRecord): Promise<void>;
  protected abstract findRecord(query: RecordQuery): Promise<StoredStateRecord | null>;
  protected abstract findAppIds(partitionKey: string): Promise<string[]>;

  /**
   * The record stored under exactly this key, or `null`. Read only after
   * `insertRecord` reported a conflict. The default asks `findRecord` for the
   * sequence id and keeps the answer only when its position matches, so when
   * another position sorts first at that sequence id this finds nothing and
   * the save stays a conflict; a backend with a direct lookup may override it.
   */
  protected async findRecordAt(key: StepKey): Promise<StoredStateRecord | null> {
    const found = await this.findRecord({ partitionKey: key.partitionKey, appId: key.appId, sequenceId: key.sequenceId });
    return found !== null && found.position === key.position ? found : null;
  }
  /** Closes the driver client. Called once, by `cleanup()`, and only when the persister owns the client. */
  protected abstract closeClient(): Promise<void>;

  /**
   * Marks the client as opened by this persister (a `fromValues()`-style
   * factory calls it): `cleanup()` then closes it. A client passed to the
   * constructor stays the caller's, and `cleanup()` leaves it open.
   */
  protected takeOwnershipOfClient(): void {
    this.#ownsClient = true;
  }

  /** Whether `cleanup()` closes the client (the persister opened it). */
  protected get ownsClient(): boolean {
    return this.#ownsClient;
  }

  async initialize(): Promise<void> {
    this.#assertOpen();
    await this.createSchema();
    this.#schemaKnownToExist = true;
  }

  async isInitialized(): Promise<boolean> {
    this.#assertOpen();
    if (this.#schemaKnownToExist) return true;
    this.#schemaKnownToExist = await this.schemaExists();
    return this.#schemaKnownToExist;
  }

  async save(args: SaveStateArgs): Promise<void> {
    this.#assertOpen();
    const key = validateSaveArgs(args);
    // Encode first: a value that cannot be stored fails before any I/O.
    const state = encodeState(args.state, { kwargs: this.serdeKwargs, nonFiniteNumbers: this.nonFiniteNumbers });
    if (!(await this.isInitialized())) throw new PersisterNotInitializedError(this.describe(), 'its table or collection does not exist');
    const record: StateRecord = { ...key, status: args.status, state, ...nextSaveTime() };
    try {
      await this.insertRecord(record);
    } catch (error) {
      // Only a taken key costs a read: the happy path stays one round trip.
      if (!(error instanceof PersisterConflictError) || !(await this.#holdsSameRecord(record))) throw error;
    }
  }

  /**
   * Whether the record stored under `record`'s exact key has its status and
   * state content: then a save is a repeat (e.g. a retry after a lost reply)
   * and succeeds, leaving the stored record, its `created_at` included, as it
   * was. If the lookup itself fails, that error propagates: the outcome is
   * unknown, and the caller may retry.
   */
  async #holdsSameRecord(record: StateRecord): Promise<boolean> {
    const stored = await this.findRecordAt(record);
    return stored !== null && stored.status === record.status && sameStateContent(record.state, stored.state);
  }

  async load(partitionKey: PartitionKeyInput, appId: string, sequenceId?: number | null): Promise<PersistedStateData | null> {
    this.#assertOpen();
    assertAppId(appId);
    if (sequenceId !== undefined && sequenceId !== null) assertSequenceId(sequenceId);
    const record = await this.findRecord({ partitionKey: normalizePartitionKey(partitionKey), appId, sequenceId: sequenceId ?? null });
    return record ? this.toPersistedData(record) : null;
  }

  async listAppIds(partitionKey: PartitionKeyInput): Promise<string[]> {
    this.#assertOpen();
    return this.findAppIds(normalizePartitionKey(partitionKey));
  }

  setSerdeKwargs(kwargs: SerdeKwargs): void {
    this.serdeKwargs = kwargs;
  }

  cleanup(): Promise<void> {
    this.#cleanup ??= this.#ownsClient ? this.closeClient() : Promise.resolve();
    return this.#cleanup;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.cleanup();
  }

  #assertOpen(): void {
    if (this.#cleanup) throw new PersisterClosedError(this.describe());
  }

  /** The error an `insertRecord` throws when the key is taken. */
  protected conflict(key: StepKey, cause?: unknown): PersisterConflictError {
    return new PersisterConflictError(key, { cause });
  }

  /**
   * Decodes a stored record into what `load` returns. Every failure is a
   * {@link DeserializationError} naming the row's partition, app id and
   * sequence id.
   */
  protected toPersistedData(record: StoredStateRecord): PersistedStateData {
    try {
      if (!isPersistStatus(record.status)) throw new DeserializationError(`unknown status ${JSON.stringify(record.status)}`);
      const sequenceId = typeof record.sequenceId === 'string' && !/^\d+$/.test(record.sequenceId) ? Number.NaN : Number(record.sequenceId);
      if (!Number.isSafeInteger(sequenceId) || sequenceId < 0) throw new DeserializationError('the sequence id is not a non-negative integer');
      return {
        partitionKey: record.partitionKey ?? '',
        appId: record.appId,
        sequenceId,
        position: record.position,
        state: decodeState(record.state, this.serdeKwargs),
        createdAt: record.createdAt === null ? new Date(0) : parseTimestamp(record.createdAt),
        status: record.status,
      };
    } catch (error) {
      throw storedStepError(record, error);
    }
  }
}

import type { PruneReport } from './persistence/history.js';

/**
 * Every error Burr raises on purpose is a {@link BurrError} with a stable
 * `code`, so callers can branch on `err.code` or `instanceof`.
 */
export class BurrError extends Error {
  /** Stable, machine-readable error code, e.g. `BURR_PERSISTER_CONFLICT`. */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An operation on {@link State} that its current values do not allow (append to a non-list, increment a non-integer). */
export class StateOperationError extends BurrError {
  constructor(message: string) {
    super('BURR_STATE_OPERATION', message);
  }
}

/** {@link State.get} was asked for a key the state does not hold. */
export class MissingStateKeyError extends BurrError {
  /** The key that was asked for. */
  readonly key: string;

  constructor(key: string, presentKeys: readonly string[]) {
    super('BURR_STATE_KEY_MISSING', `State has no key ${JSON.stringify(key)}; keys: ${presentKeys.join(', ') || '(none)'}`);
    this.key = key;
  }
}

/** A state value could not be serialized; `keyPath` names where it sits, e.g. `["history", 3, "callback"]`. */
export class SerializationError extends BurrError {
  readonly keyPath: ReadonlyArray<string | number>;

  constructor(keyPath: ReadonlyArray<string | number>, reason: string, options?: { cause?: unknown }) {
    super('BURR_SERIALIZATION', `Cannot serialize state at ${formatKeyPath(keyPath)}: ${reason}`, options);
    // A copy: the serializer reuses and unwinds its path array while the error propagates.
    this.keyPath = [...keyPath];
  }
}

/** A stored row of an incremental-storage chain, named by a {@link DeserializationError}. */
export interface ChainRowId {
  /** A snapshot (a whole state) or a delta (what its step changed). */
  kind: 'snapshot' | 'delta';
  /** The sequence id of the step the row holds. */
  sequenceId: number;
  /** The action of the step the row holds (with the sequence id, the row's key). */
  position: string;
}

/** The step whose stored row a {@link DeserializationError} could not read, as its key was stored. */
export interface StoredStepId {
  partitionKey: string;
  appId: string;
  /** The step's sequence id (absent from the error when the stored one is not a sequence id). */
  sequenceId: number;
}

/** Stored state could not be read back (malformed JSON, a serde that threw). */
export class DeserializationError extends BurrError {
  /**
   * The step being read when its row failed (a load's step, or the row a
   * listing met): lets a reader such as the inspector list around it.
   */
  // Declared, as chainRow is.
  declare readonly storedStep?: StoredStepId;

  /**
   * In incremental storage, the row of the loaded step's chain that could
   * not be decoded: the step itself, or a snapshot or delta it is rebuilt
   * from (then every step whose chain goes through that row fails alike).
   */
  // Declared, not a class field: an error without one has no own `chainRow` property at all.
  declare readonly chainRow?: ChainRowId;

  /**
   * @param message - What could not be read, naming the stored step.
   * @param options - `cause`: the error underneath; `chainRow`: the broken row of an incremental chain;
   *   `storedStep`: the step being read.
   */
  constructor(message: string, options?: { cause?: unknown; chainRow?: ChainRowId | undefined; storedStep?: StoredStepId | undefined }) {
    super('BURR_DESERIALIZATION', message, options);
    if (options?.chainRow) this.chainRow = { ...options.chainRow };
    if (options?.storedStep) this.storedStep = { ...options.storedStep };
  }
}

/** An identifier (table name, namespace, key component, app id) that is empty, malformed or unsafe. */
export class InvalidIdentifierError extends BurrError {
  readonly kind: string;
  readonly value: unknown;

  constructor(kind: string, value: unknown, rule: string) {
    super('BURR_INVALID_IDENTIFIER', `Invalid ${kind} ${JSON.stringify(value) ?? String(value)}: ${rule}`);
    this.kind = kind;
    this.value = value;
  }
}

/** Arguments to a persister call that break the contract (negative sequence id, unknown status...). */
export class InvalidPersistArgumentError extends BurrError {
  constructor(message: string) {
    super('BURR_INVALID_PERSIST_ARGUMENT', message);
  }
}

/** A persister was used before `initialize()` created its table, index or collection. */
export class PersisterNotInitializedError extends BurrError {
  constructor(persister: string, detail: string) {
    super('BURR_PERSISTER_NOT_INITIALIZED', `${persister} is not initialized (${detail}); call initialize() first.`);
  }
}

/** A persister was used after `cleanup()`. */
export class PersisterClosedError extends BurrError {
  constructor(persister: string) {
    super('BURR_PERSISTER_CLOSED', `${persister} was cleaned up; create a new persister to use the store again.`);
  }
}

/** The key of a save is taken already; the stored record was left as it was. */
export class PersisterConflictError extends BurrError {
  readonly partitionKey: string;
  readonly appId: string;
  readonly sequenceId: number;
  readonly position: string;

  constructor(key: { partitionKey: string; appId: string; sequenceId: number; position: string }, options?: { cause?: unknown }) {
    super(
      'BURR_PERSISTER_CONFLICT',
      `A state is already saved for partition ${JSON.stringify(key.partitionKey)}, app ${JSON.stringify(key.appId)}, ` +
        `sequence ${key.sequenceId}, position ${JSON.stringify(key.position)}; it was not overwritten.`,
      options,
    );
    this.partitionKey = key.partitionKey;
    this.appId = key.appId;
    this.sequenceId = key.sequenceId;
    this.position = key.position;
  }
}

/**
 * Incremental storage: a removal (a batch of a prune) found a step saved
 * while it ran that is a delta on a step it removes, and removed nothing. The
 * prune looks for such steps again and retries; this reaches the caller only
 * when saves keep landing on the steps it removes. Nothing was lost.
 */
export class ConcurrentDependentError extends BurrError {
  readonly partitionKey: string;
  readonly appId: string;
  readonly fromSequenceId: number;
  readonly toSequenceId: number;

  constructor(removal: { partitionKey: string; appId: string; fromSequenceId: number; toSequenceId: number }, options?: { cause?: unknown }) {
    super(
      'BURR_CONCURRENT_DEPENDENT',
      `Removing sequences ${removal.fromSequenceId}-${removal.toSequenceId} of partition ${JSON.stringify(removal.partitionKey)}, app ` +
        `${JSON.stringify(removal.appId)}: a step saved meanwhile is a delta on one of them, so nothing was removed; run the prune again.`,
      options,
    );
    this.partitionKey = removal.partitionKey;
    this.appId = removal.appId;
    this.fromSequenceId = removal.fromSequenceId;
    this.toSequenceId = removal.toSequenceId;
  }
}

/** An app {@link PruneIncompleteError} could not prune, and the error that stopped it there. */
export interface PruneFailure {
  partitionKey: string;
  appId: string;
  error: BurrError;
}

/**
 * A prune went through every app it targets, but could not prune some of
 * them: one whose stored chain is broken (`DeserializationError`), one where
 * a save kept making a step it removes the base of a delta
 * (`ConcurrentDependentError`), one whose delta could not be rewritten as a
 * snapshot (`StateTooLargeError`). Such an app keeps the steps of the batch
 * that failed and every newer one (a batch goes whole or not at all; its
 * older batches may be gone); the other apps were pruned. `report` counts
 * every step removed.
 */
export class PruneIncompleteError extends BurrError {
  readonly report: PruneReport;
  readonly failures: readonly PruneFailure[];

  constructor(report: PruneReport, failures: readonly PruneFailure[]) {
    const listed = failures
      .slice(0, 3)
      .map(({ partitionKey, appId, error }) => `app ${JSON.stringify(appId)} of partition ${JSON.stringify(partitionKey)}: ${error.name}: ${error.message}`);
    const more = failures.length > 3 ? `; and ${failures.length - 3} more (see failures)` : '';
    super(
      'BURR_PRUNE_INCOMPLETE',
      `Prune could not finish ${failures.length} of ${report.appsScanned} apps (${report.stepsRemoved} steps removed in all): ${listed.join('; ')}${more}`,
      { cause: failures[0]?.error },
    );
    this.report = report;
    this.failures = failures;
  }
}

/** A state is too large for the backend to store (e.g. MongoDB's 16 MB document limit); nothing was written. */
export class StateTooLargeError extends BurrError {
  readonly bytes: number;
  readonly limit: number;

  constructor(bytes: number, limit: number, backend: string) {
    super('BURR_STATE_TOO_LARGE', `Serialized state is ${bytes} bytes; ${backend} stores at most ${limit}. Nothing was written.`);
    this.bytes = bytes;
    this.limit = limit;
  }
}

/** A state value the backend's storage type cannot hold (e.g. NaN or "\u0000" in PostgreSQL JSONB). */
export class UnsupportedValueError extends BurrError {
  /** Where the value sits in the state, when known, e.g. `["stats", "ratio"]`. */
  readonly keyPath: ReadonlyArray<string | number> | undefined;

  constructor(message: string, keyPath?: ReadonlyArray<string | number>) {
    super('BURR_UNSUPPORTED_VALUE', message);
    this.keyPath = keyPath ? [...keyPath] : undefined;
  }
}

/** Why a backend could not serve a call: see {@link PersisterUnavailableError.reason}. */
export type UnavailableReason = 'unreachable' | 'connect-timeout' | 'operation-timeout' | 'disconnected';

/**
 * The backend could not be reached, stopped answering, or dropped the
 * connection. Safe to retry: saves are idempotent, so a save whose reply was
 * lost can be sent again. The message names the backend and host:port, never
 * a password; `cause` is the driver's own error.
 */
export class PersisterUnavailableError extends BurrError {
  /** Backend name, e.g. `"PostgreSQL"`. */
  readonly backend: string;
  /** Where it was looked for, e.g. `"127.0.0.1:5432"`, without credentials. */
  readonly address: string;
  readonly reason: UnavailableReason;

  constructor(backend: string, address: string, reason: UnavailableReason, options?: { cause?: unknown; detail?: string | undefined }) {
    const what: Record<UnavailableReason, string> = {
      unreachable: 'could not be reached',
      'connect-timeout': 'did not accept a connection in time',
      'operation-timeout': 'did not answer in time',
      disconnected: 'closed the connection',
    };
    super('BURR_PERSISTER_UNAVAILABLE', `${backend} at ${address} ${what[reason]}${options?.detail ? ` (${options.detail})` : ''}.`, options);
    this.backend = backend;
    this.address = address;
    this.reason = reason;
  }
}

/** An application graph or builder call that cannot work, found at build time. */
export class ApplicationBuildError extends BurrError {
  constructor(message: string) {
    super('BURR_APPLICATION_BUILD', message);
  }
}

/** A run-time misuse of an application: missing inputs, reserved input names, an action returning the wrong shape. */
export class ApplicationRunError extends BurrError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('BURR_APPLICATION_RUN', message, options);
  }
}

/**
 * An app is stored in one storage mode (`'full'` or `'incremental'`) and a
 * persister in the other mode tried to save it; nothing was written. Open
 * the persister in the app's mode, or convert the app
 * (docs/incremental-storage.md in the repository).
 */
export class StorageModeMismatchError extends BurrError {
  readonly partitionKey: string;
  readonly appId: string;
  /** The mode the app's steps are stored in. */
  readonly storedMode: 'full' | 'incremental';
  /** The mode of the persister that tried to save or load. */
  readonly persisterMode: 'full' | 'incremental';

  /** @param operation - What was refused: a save (nothing was written) or a load (which found no step in its own mode). */
  constructor(persister: string, key: { partitionKey: string; appId: string }, storedMode: 'full' | 'incremental', operation: 'save' | 'load' = 'save') {
    const persisterMode = storedMode === 'full' ? 'incremental' : 'full';
    super(
      'BURR_STORAGE_MODE_MISMATCH',
      `App ${JSON.stringify(key.appId)} in partition ${JSON.stringify(key.partitionKey)} has steps stored in ${storedMode} mode, and ${persister} stores in ${persisterMode} mode; ` +
        `${operation === 'save' ? 'nothing was written' : 'it cannot load them'}. Open the persister with storage: '${storedMode}', or convert the app.`,
    );
    this.partitionKey = key.partitionKey;
    this.appId = key.appId;
    this.storedMode = storedMode;
    this.persisterMode = persisterMode;
  }
}

/** Why {@link StorageConversionError} refused or stopped a conversion. */
export type StorageConversionRefusal =
  /** A persister without storage modes (not a `RecordStatePersister`), or one with no incremental mode (Redis, MongoDB). */
  | 'unsupported-persister'
  /** Both persisters store in the same mode: there is nothing to convert. */
  | 'same-mode'
  /** The persisters are not on the same store and table (another class, table, schema or database). */
  | 'different-stores'
  /** The app has steps in both modes, and those of the target differ from the source's (or the target has steps the source lacks). */
  | 'steps-differ'
  /** New steps of the app kept arriving in the source's mode while it was being converted. */
  | 'app-still-written';

/**
 * `convertStorage` refused to convert, or stopped at an app it cannot
 * convert safely; `reason` says which case. Whatever was converted before
 * stays converted, and nothing of the app named was removed from the source.
 */
export class StorageConversionError extends BurrError {
  readonly reason: StorageConversionRefusal;
  /** The app concerned, for `steps-differ` and `app-still-written`. */
  readonly app: { partitionKey: string; appId: string } | undefined;

  constructor(reason: StorageConversionRefusal, message: string, app?: { partitionKey: string; appId: string }) {
    super('BURR_STORAGE_CONVERSION', message);
    this.reason = reason;
    this.app = app;
  }
}

/**
 * `a.b[3].c` style rendering of a key path, for error messages. A path longer
 * than 12 parts (nesting beyond the depth limit) shows its first 8 and last 3
 * parts around `…(N more)…`.
 */
export function formatKeyPath(keyPath: ReadonlyArray<string | number>): string {
  if (keyPath.length === 0) return '<state>';
  if (keyPath.length > 12) {
    return `${formatKeyPath(keyPath.slice(0, 8))}…(${keyPath.length - 11} more)…${formatKeyPath(['', ...keyPath.slice(-3)]).replace(/^\[""\]/, '')}`;
  }
  let out = '';
  for (const part of keyPath) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(part)}]`;
  }
  return out;
}

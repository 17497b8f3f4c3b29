import { networkFaultReason, type UnavailableReason } from '@burr/core';

/** MongoDB server error codes this package reacts to. */
const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
/** Two processes creating the same collection or index at once; another attempt sees the finished result. */
const INDEX_RACE_CODES: ReadonlySet<number> = new Set([48 /* NamespaceExists */, 276 /* IndexBuildAlreadyInProgress */]);
/** An index of that name or key exists with other options (e.g. another `expireAfterSeconds`). */
const INDEX_CONFLICT_CODES: ReadonlySet<number> = new Set([85 /* IndexOptionsConflict */, 86 /* IndexKeySpecsConflict */]);

/** The user may not run this on that collection (a role scoped to other collections). */
const UNAUTHORIZED = 13;

/** The server does not know the command (e.g. `hello` before MongoDB 4.4.2). */
const COMMAND_NOT_FOUND = 59;
/**
 * A transaction the server will not run: transactions need a replica set or
 * mongos (IllegalOperation), or the transaction is too large or too long for
 * the server (TransactionTooLarge, TransactionExceededLifetimeLimitSeconds,
 * TransactionTooLargeForCache). Nothing was written: it was aborted.
 */
const TRANSACTION_UNUSABLE_CODES: ReadonlySet<number> = new Set([20, 257, 290, 334]);

/** An insert hit a unique index: the step's key is taken. */
export function isDuplicateKeyError(error: unknown): boolean {
  return errorCode(error) === DUPLICATE_KEY;
}

/** The collection does not exist (yet). */
export function isNamespaceNotFoundError(error: unknown): boolean {
  return errorCode(error) === NAMESPACE_NOT_FOUND;
}

/** The server refused the call for lack of a privilege. */
export function isUnauthorizedError(error: unknown): boolean {
  return errorCode(error) === UNAUTHORIZED;
}

/** The server does not know the command it was sent. */
export function isCommandNotFoundError(error: unknown): boolean {
  return errorCode(error) === COMMAND_NOT_FOUND;
}

/** A transaction the server refused or aborted for its size or duration, or because the deployment has none. */
export function isTransactionUnusable(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && TRANSACTION_UNUSABLE_CODES.has(code);
}

/** A concurrent `createIndexes` from another connection got in the way; retrying is safe. */
export function isIndexRaceError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && INDEX_RACE_CODES.has(code);
}

/** Creating an index failed because one with the same name or key but other options exists. */
export function isIndexConflictError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && INDEX_CONFLICT_CODES.has(code);
}

/**
 * The server's error code, read by shape so a client from another copy of the
 * driver works too; `Number()` because the code is a BSON Int32 on a client
 * with `promoteValues: false`.
 */
function errorCode(error: unknown): number | undefined {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  const value = typeof code === 'number' || (typeof code === 'object' && code !== null) ? Number(code) : NaN;
  return Number.isInteger(value) ? value : undefined;
}

/** Server error codes that mean "this server cannot serve now" (shutting down, stepped down), not "this call is wrong". */
const UNAVAILABLE_CODES: ReadonlySet<number> = new Set([
  91 /* ShutdownInProgress */, 189 /* PrimarySteppedDown */, 11600 /* InterruptedAtShutdown */, 11602 /* InterruptedDueToReplStateChange */, 10107 /* NotWritablePrimary */,
  13435 /* NotPrimaryNoSecondaryOk */, 13436 /* NotPrimaryOrSecondary */,
]);

/**
 * The connection fault a MongoDB driver error stands for, or `undefined`.
 * Read by class name, so a client from another copy of the driver works too.
 * A failed server selection says why in its topology description: a
 * connection refused (unreachable), or no error at all when the handshake
 * was still waiting for an answer (connect-timeout).
 */
export function mongoFaultReason(error: unknown): UnavailableReason | undefined {
  if (!(error instanceof Error)) return undefined;
  switch (error.name) {
    case 'MongoServerSelectionError': {
      const serverErrors = [...((error as { reason?: { servers?: Map<string, { error?: unknown }> } }).reason?.servers?.values() ?? [])].map((server) => server.error);
      if (serverErrors.some((inner) => inner instanceof Error && inner.name === 'MongoNetworkTimeoutError')) return 'connect-timeout';
      for (const inner of serverErrors) {
        const reason = networkFaultReason(inner) ?? errnoInMessage(inner);
        if (reason) return reason;
      }
      // No server reported an error: selection ran out of time while a handshake was still waiting for an answer.
      if (serverErrors.every((inner) => inner === undefined || inner === null)) return 'connect-timeout';
      return errnoInMessage(error) ?? 'unreachable';
    }
    case 'MongoNetworkTimeoutError':
    case 'MongoOperationTimeoutError':
      return 'operation-timeout';
    case 'MongoNetworkError':
    case 'MongoTopologyClosedError':
      return 'disconnected';
  }
  const code = errorCode(error);
  return code !== undefined && UNAVAILABLE_CODES.has(code) ? 'unreachable' : undefined;
}

/** Drivers that keep only the text of a socket error: "connect ECONNREFUSED 127.0.0.1:27017". */
function errnoInMessage(error: unknown): UnavailableReason | undefined {
  const message = error instanceof Error ? error.message : '';
  const errno = /\b(E[A-Z]{3,}|EAI_[A-Z]+)\b/.exec(message)?.[1];
  return errno ? networkFaultReason({ code: errno, syscall: /\bconnect\b/.test(message) ? 'connect' : undefined }) : undefined;
}

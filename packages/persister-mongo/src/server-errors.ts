/** MongoDB server error codes this package reacts to. */
const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
/** Two processes creating the same collection or index at once; another attempt sees the finished result. */
const INDEX_RACE_CODES: ReadonlySet<number> = new Set([48 /* NamespaceExists */, 276 /* IndexBuildAlreadyInProgress */]);

/** An insert hit a unique index: the step's key is taken. */
export function isDuplicateKeyError(error: unknown): boolean {
  return errorCode(error) === DUPLICATE_KEY;
}

/** The collection does not exist (yet). */
export function isNamespaceNotFoundError(error: unknown): boolean {
  return errorCode(error) === NAMESPACE_NOT_FOUND;
}

/** A concurrent `createIndexes` from another connection got in the way; retrying is safe. */
export function isIndexRaceError(error: unknown): boolean {
  const code = errorCode(error);
  return code !== undefined && INDEX_RACE_CODES.has(code);
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

/** The fields of a `LibsqlError` this package reads (duck-typed: local and remote clients build them differently). */
interface LibsqlErrorLike {
  code?: unknown;
  extendedCode?: unknown;
  message?: unknown;
}

/**
 * Whether `error` is SQLite's primary-key violation. Local clients report the
 * extended code `SQLITE_CONSTRAINT_PRIMARYKEY`; servers that send only the
 * primary code `SQLITE_CONSTRAINT` are recognized by SQLite's message, so a
 * NOT NULL or CHECK failure is never mistaken for a conflict.
 */
export function isPrimaryKeyViolation(error: unknown): boolean {
  if (error === null || typeof error !== 'object') return false;
  const { code, extendedCode, message } = error as LibsqlErrorLike;
  if (code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || extendedCode === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  return code === 'SQLITE_CONSTRAINT' && extendedCode === undefined && typeof message === 'string' && /UNIQUE constraint failed/.test(message);
}

/** Whether `error` says the table does not exist (`initialize()` never ran). */
export function isMissingTable(error: unknown): boolean {
  return error instanceof Error && /no such table/.test(error.message);
}

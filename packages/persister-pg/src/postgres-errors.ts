/** SQLSTATE codes this package reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_UNDEFINED_TABLE = '42P01';
export const PG_INVALID_SCHEMA_NAME = '3F000';

/**
 * The SQLSTATE of a server error, or `undefined` for anything else (a closed
 * connection, a timeout). Duck-typed, so an error from another copy of
 * postgres.js (ESM and CommonJS side by side) is recognized too.
 */
export function sqlState(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'PostgresError') return undefined;
  const { code } = error as Error & { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

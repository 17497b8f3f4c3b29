import type { UnavailableReason } from '@burr/core';

/** SQLSTATE codes this package reacts to. */
export const PG_UNIQUE_VIOLATION = '23505';
export const PG_UNDEFINED_TABLE = '42P01';
export const PG_UNDEFINED_COLUMN = '42703';
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

/** postgres.js's own connection error codes (`Error` with `code`, not a `PostgresError`). */
const CLIENT_FAULTS: Readonly<Record<string, UnavailableReason>> = {
  CONNECT_TIMEOUT: 'connect-timeout',
  CONNECTION_CLOSED: 'disconnected',
  CONNECTION_DESTROYED: 'disconnected',
};

/** Server errors that mean "this connection is gone or cannot be had", not "this statement failed". */
const SERVER_FAULTS: Readonly<Record<string, UnavailableReason>> = {
  '57P01': 'disconnected', // admin_shutdown: pg_terminate_backend, server stopping
  '57P02': 'disconnected', // crash_shutdown
  '57P03': 'unreachable', // cannot_connect_now: starting up or in recovery
  '53300': 'unreachable', // too_many_connections
};

/**
 * The connection fault a postgres.js error stands for, or `undefined`; node
 * errno codes (ECONNREFUSED...) are left to core's `networkFaultReason`.
 */
export function postgresFaultReason(error: unknown): UnavailableReason | undefined {
  const state = sqlState(error);
  if (state !== undefined) return SERVER_FAULTS[state] ?? (state.startsWith('08') ? 'disconnected' : undefined);
  if (!(error instanceof Error)) return undefined;
  const { code } = error as Error & { code?: unknown };
  return typeof code === 'string' ? CLIENT_FAULTS[code] : undefined;
}

import type { UnavailableReason } from '@burr/core';

/** Server error codes (mysql2's `code`, the symbolic name of the server's errno) this package reacts to. */
export const MYSQL_DUPLICATE_KEY = 'ER_DUP_ENTRY';
export const MYSQL_NO_SUCH_TABLE = 'ER_NO_SUCH_TABLE';
/** A concurrent initialize() created the index first. */
export const MYSQL_DUPLICATE_INDEX = 'ER_DUP_KEYNAME';
/** A concurrent initialize() created the app index trigger first. */
export const MYSQL_DUPLICATE_TRIGGER = 'ER_TRG_ALREADY_EXISTS';
/** InnoDB chose this transaction as a deadlock's victim and rolled it back whole. */
export const MYSQL_DEADLOCK = 'ER_LOCK_DEADLOCK';

/** mysql2's `code` of an error, or `undefined`. Duck-typed, so errors from another copy of mysql2 count too. */
export function mysqlCode(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const { code } = error as Error & { code?: unknown };
  return typeof code === 'string' ? code : undefined;
}

/**
 * Errors that mean "this connection is gone or cannot be had", not "this
 * statement failed". Node errno codes (ECONNREFUSED...) are left to core's
 * `networkFaultReason`.
 */
const FAULTS: Readonly<Record<string, UnavailableReason>> = {
  PROTOCOL_CONNECTION_LOST: 'disconnected', // the server closed the socket
  PROTOCOL_SEQUENCE_TIMEOUT: 'operation-timeout',
  ER_CONNECTION_KILLED: 'disconnected', // MariaDB 1927: KILL <id> from another session
  ER_SERVER_SHUTDOWN: 'disconnected', // 1053
  ER_CLIENT_INTERACTION_TIMEOUT: 'disconnected', // MySQL 4031: wait_timeout closed an idle connection
  ER_CON_COUNT_ERROR: 'unreachable', // 1040: too many connections
  ER_SERVER_ISNT_AVAILABLE: 'unreachable',
};

/** The connection fault a mysql2 error stands for, or `undefined` when it is a statement's own error. */
export function mysqlFaultReason(error: unknown): UnavailableReason | undefined {
  const code = mysqlCode(error);
  if (code !== undefined && FAULTS[code]) return FAULTS[code];
  // mysql2 refuses new commands on a connection that has died, with no code but `fatal`.
  if (error instanceof Error && (error as Error & { fatal?: unknown }).fatal === true && code === undefined) return 'disconnected';
  return undefined;
}

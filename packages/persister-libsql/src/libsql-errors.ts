import { networkFaultReason, type UnavailableReason } from '@burr/core';

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

/**
 * The connection fault a `@libsql/client` error stands for, or `undefined`.
 * Refused and reset connections surface as `fetch failed` or a WebSocket
 * error whose `cause` chain holds the Node errno, which core's
 * `networkFaultReason` reads; this adds the request deadline (an aborted
 * `fetch`) and closed streams.
 */
export function libsqlFaultReason(error: unknown): UnavailableReason | undefined {
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 6; depth++) {
    const { name, code, cause } = current as { name?: unknown; code?: unknown; cause?: unknown };
    if (name === 'TimeoutError') return 'operation-timeout';
    if (code === 'HRANA_WEBSOCKET_ERROR' || code === 'HRANA_CLOSED_ERROR' || code === 'STREAM_CLOSED') {
      // The WebSocket error keeps the errno only in its text: "connect ECONNREFUSED 127.0.0.1:8080".
      const message = String((current as { message?: unknown }).message ?? '');
      const errno = /\b(E[A-Z]{3,}|EAI_[A-Z]+)\b/.exec(message)?.[1];
      const fromErrno = errno ? networkFaultReason({ code: errno, syscall: /\bconnect\b/.test(message) ? 'connect' : undefined }) : undefined;
      return fromErrno ?? 'disconnected';
    }
    current = cause;
  }
  return undefined;
}

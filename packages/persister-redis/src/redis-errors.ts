import type { UnavailableReason } from '@burr/core';

/**
 * node-redis's own connection errors, by class name (read from the
 * constructor, so a client from another copy of the driver is recognized
 * too). Node errno codes (ECONNREFUSED...) are left to core's
 * `networkFaultReason`.
 */
const CLIENT_FAULTS: Readonly<Record<string, UnavailableReason>> = {
  ConnectionTimeoutError: 'connect-timeout',
  SocketTimeoutError: 'operation-timeout',
  SocketClosedUnexpectedlyError: 'disconnected',
  ClientOfflineError: 'disconnected',
  DisconnectsClientError: 'disconnected',
  ReconnectStrategyError: 'unreachable',
};

/** The connection fault a node-redis error stands for, or `undefined` for anything else (a reply error, a script error). */
export function redisFaultReason(error: unknown): UnavailableReason | undefined {
  if (!(error instanceof Error)) return undefined;
  const reason = CLIENT_FAULTS[error.constructor.name];
  if (reason) return reason;
  // A server that is loading its dataset or shutting down answers, but not with data.
  if (/^(LOADING|BUSY|MASTERDOWN|TRYAGAIN)\b/.test(error.message)) return 'unreachable';
  return undefined;
}

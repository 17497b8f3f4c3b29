import { InvalidPersistArgumentError } from '@burr/core';

/** `ttlSeconds` checked: `undefined` (no expiry) or a positive integer whose milliseconds are a safe integer. */
export function readTtlSeconds(ttlSeconds: unknown): number | undefined {
  if (ttlSeconds === undefined) return undefined;
  if (typeof ttlSeconds !== 'number' || !Number.isSafeInteger(ttlSeconds * 1000) || !Number.isInteger(ttlSeconds) || ttlSeconds < 1) {
    throw new InvalidPersistArgumentError(`RedisPersister: ttlSeconds must be a positive whole number of seconds, got ${String(ttlSeconds)}`);
  }
  return ttlSeconds;
}

import type { IndexDescription } from 'mongodb';
import { InvalidPersistArgumentError } from '@burr/core';
import { bsonNumber } from './documents.js';

/** The largest `expireAfterSeconds` MongoDB accepts (a 32-bit signed integer). */
export const MAX_TTL_SECONDS = 2_147_483_647;

/** Name of the TTL index `initialize()` creates when `ttlSeconds` is set. */
export const TTL_INDEX_NAME = 'burr_saved_at_ttl';

/** The field the TTL index reads: each step's save time as a BSON Date (see `BurrStateDocument.saved_at`). */
export const TTL_FIELD = 'saved_at';

/** Checks the `ttlSeconds` option: `undefined` (no expiry) or a whole number of seconds from 1 to {@link MAX_TTL_SECONDS}. */
export function readTtlSeconds(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TTL_SECONDS) {
    throw new InvalidPersistArgumentError(
      `MongoDBPersister: ttlSeconds must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}, got ${typeof value === 'number' ? String(value) : typeof value}`,
    );
  }
  return value;
}

/** The TTL index: MongoDB removes a step `seconds` after its `saved_at`. */
export function ttlIndex(seconds: number): IndexDescription {
  return { name: TTL_INDEX_NAME, key: { [TTL_FIELD]: 1 }, expireAfterSeconds: seconds };
}

/** An index on `saved_at` alone, as `listIndexes` describes it. */
export interface SavedAtIndex {
  name: string;
  /** Its `expireAfterSeconds`, or `undefined` for an index that expires nothing. */
  expireAfterSeconds: number | undefined;
}

/** The index on exactly `{ saved_at: 1 }` among `indexes` (from `listIndexes`), under any name, or `undefined`. */
export function findSavedAtIndex(indexes: ReadonlyArray<{ name?: unknown; key?: unknown; expireAfterSeconds?: unknown }>): SavedAtIndex | undefined {
  for (const index of indexes) {
    if (typeof index.name !== 'string' || typeof index.key !== 'object' || index.key === null) continue;
    const fields = Object.entries(index.key);
    if (fields.length === 1 && fields[0]?.[0] === TTL_FIELD && bsonNumber(fields[0][1]) === 1) {
      return { name: index.name, expireAfterSeconds: bsonNumber(index.expireAfterSeconds) };
    }
  }
  return undefined;
}

/** The `collMod` command that sets an existing index's `expireAfterSeconds` (how a changed `ttlSeconds` is applied). */
export function ttlCollMod(collectionName: string, indexName: string, seconds: number): { collMod: string; index: { name: string; expireAfterSeconds: number } } {
  return { collMod: collectionName, index: { name: indexName, expireAfterSeconds: seconds } };
}

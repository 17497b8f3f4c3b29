import type { CompactReport } from '@burr/core';
import { bsonNumber } from './documents.js';

/** `$collStats` with storage statistics: one document per shard (one on a replica set or standalone). */
export const COLL_STATS_PIPELINE = [{ $collStats: { storageStats: {} } }] as const;

/** What the collection occupies on disk, summed over shards. */
export interface CollectionStorage {
  /** Bytes allocated to the collection's documents (`storageStats.storageSize`; indexes not included). */
  storageSize: number;
  /** Of those, bytes free for reuse by new documents (`storageStats.freeStorageSize`), when the server reports it. */
  freeStorageSize: number | undefined;
}

/** Sums the `storageStats` of a `$collStats` reply; `null` when it holds none (no such collection, or no stats). */
export function readCollectionStorage(replies: ReadonlyArray<Record<string, unknown>>): CollectionStorage | null {
  let storageSize = 0;
  let freeStorageSize: number | undefined;
  let measured = false;
  for (const reply of replies) {
    const stats = reply.storageStats as Record<string, unknown> | undefined;
    const size = bsonNumber(stats?.storageSize);
    if (size === undefined) continue;
    measured = true;
    storageSize += size;
    const free = bsonNumber(stats?.freeStorageSize);
    if (free !== undefined) freeStorageSize = (freeStorageSize ?? 0) + free;
  }
  return measured ? { storageSize, freeStorageSize } : null;
}

/**
 * The report of `compact()`. Nothing is run: MongoDB's `compact` command is
 * I/O-heavy, compacts only the node it runs on, and is refused on a replica
 * set primary unless forced, so it is an operator's decision; and WiredTiger
 * reuses the space of removed documents for new ones anyway. The advice says
 * how much is free and how to run it.
 */
export function compactReport(dbName: string, collectionName: string, storage: CollectionStorage | null): CompactReport {
  const bytes = storage?.storageSize ?? null;
  return { bytesBefore: bytes, bytesAfter: bytes, performed: [], advice: compactAdvice(dbName, collectionName, storage) };
}

function compactAdvice(dbName: string, collectionName: string, storage: CollectionStorage | null): string[] {
  const namespace = `${dbName}.${collectionName}`;
  if (storage === null) return [`Nothing to compact: ${namespace} does not exist or reports no storage statistics.`];
  const free =
    storage.freeStorageSize === undefined
      ? 'The server does not report how much of it is free.'
      : `${storage.freeStorageSize} of its ${storage.storageSize} bytes are free for reuse.`;
  return [
    `Nothing was run. WiredTiger reuses the space of removed steps for new ones, so after a prune ${namespace} stops growing without compaction. ${free}`,
    `To give free space back to the operating system, run db.getSiblingDB(${JSON.stringify(dbName)}).runCommand({ compact: ${JSON.stringify(collectionName)} }) ` +
      'as a user with the compact privilege (the dbAdmin role has it). Since MongoDB 4.4 it does not block reads or writes, but it is I/O-heavy and ' +
      'compacts only the node it runs on: on a replica set run it on each secondary, then on the former primary after stepping it down ' +
      '(a primary refuses it unless given force: true). MongoDB 8.0 and later estimate the gain first with dryRun: true. Atlas M0, M2, M5 and Flex clusters do not support it.',
  ];
}

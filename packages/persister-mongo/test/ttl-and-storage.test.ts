// Needs no server: the ttlSeconds option (checked before any client exists), the TTL index and collMod as sent, and
// the compact report built from $collStats replies (one per shard). Whether MongoDB expires steps is not tested here:
// its TTL monitor runs every 60 s.
import { Int32, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { InvalidPersistArgumentError, type StateRecord } from '@burr/core';
import { MongoDBPersister, toDocument } from '../src/index.js';
import { compactReport, readCollectionStorage } from '../src/storage.js';
import { findSavedAtIndex, MAX_TTL_SECONDS, readTtlSeconds, TTL_INDEX_NAME, ttlCollMod, ttlIndex } from '../src/ttl.js';

describe('ttlSeconds', () => {
  it('accepts whole seconds from 1 to 2^31-1', () => {
    expect(readTtlSeconds(undefined)).toBeUndefined();
    expect(readTtlSeconds(1)).toBe(1);
    expect(readTtlSeconds(MAX_TTL_SECONDS)).toBe(2_147_483_647);
  });

  it('refuses anything else with InvalidPersistArgumentError naming the option and the value', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_TTL_SECONDS + 1, '60', null]) {
      expect(() => readTtlSeconds(bad), String(bad)).toThrow(InvalidPersistArgumentError);
    }
    expect(() => readTtlSeconds(0)).toThrow(/ttlSeconds must be a whole number of seconds from 1 to 2147483647, got 0/);
    expect(() => readTtlSeconds('60')).toThrow(/got string/);
  });

  it('is checked by the constructor, fromValues and fromConfig before any I/O', async () => {
    expect(() => MongoDBPersister.fromValues({ url: 'mongodb://127.0.0.1:1', ttlSeconds: 0 })).toThrow(InvalidPersistArgumentError);
    expect(() => MongoDBPersister.fromConfig({ url: 'mongodb://127.0.0.1:1', ttlSeconds: 2.5 })).toThrow(/ttlSeconds/);
    expect(() => MongoDBPersister.fromConfig({ url: 'mongodb://127.0.0.1:1', ttlSeconds: '60' })).toThrow(InvalidPersistArgumentError);
    await using persister = MongoDBPersister.fromValues({ url: 'mongodb://127.0.0.1:1', ttlSeconds: 86_400 });
    expect(persister.ttlSeconds).toBe(86_400);
    expect(() => new MongoDBPersister(persister.client, { ttlSeconds: -5 })).toThrow(InvalidPersistArgumentError);
    await using without = MongoDBPersister.fromValues({ url: 'mongodb://127.0.0.1:1' });
    expect(without.ttlSeconds).toBeUndefined();
  });

  it('every document carries saved_at, the save time as a Date, for the TTL index', () => {
    const record: StateRecord = {
      partitionKey: 'p',
      appId: 'a',
      sequenceId: 0,
      position: 'x',
      status: 'completed',
      state: '{}',
      createdAt: new Date('2026-11-22T01:57:00.123Z'),
      createdAtMicros: 456,
    };
    expect(toDocument(record).saved_at).toEqual(new Date('2026-11-22T01:57:00.123Z'));
  });

  it('the TTL index expires on saved_at; a changed ttlSeconds is a collMod of the index found', () => {
    expect(ttlIndex(3600)).toEqual({ name: TTL_INDEX_NAME, key: { saved_at: 1 }, expireAfterSeconds: 3600 });
    expect(ttlCollMod('mystates', 'my_ttl', 60)).toEqual({ collMod: 'mystates', index: { name: 'my_ttl', expireAfterSeconds: 60 } });
  });

  it('finds the index on exactly { saved_at: 1 } under any name, with its expireAfterSeconds as the server reports it', () => {
    const others = [
      { name: '_id_', key: { _id: 1 } },
      { name: 'burr_step_key', key: { partition_key: 1, app_id: 1, sequence_id: 1, position: 1 }, unique: true },
    ];
    expect(findSavedAtIndex(others)).toBeUndefined();
    expect(findSavedAtIndex([...others, { name: 'mine', key: { saved_at: new Int32(1) }, expireAfterSeconds: new Int32(60) }])).toEqual({ name: 'mine', expireAfterSeconds: 60 });
    expect(findSavedAtIndex([{ name: 'plain', key: { saved_at: 1 } }])).toEqual({ name: 'plain', expireAfterSeconds: undefined });
    expect(
      findSavedAtIndex([
        { name: 'desc', key: { saved_at: -1 } },
        { name: 'compound', key: { saved_at: 1, app_id: 1 } },
      ]),
    ).toBeUndefined();
  });
});

describe('compact report', () => {
  it('sums storageSize and freeStorageSize over the shards $collStats reports, numbers in any BSON form', () => {
    expect(
      readCollectionStorage([
        { ns: 'db.c', shard: 's0', storageStats: { storageSize: Long.fromNumber(40960), freeStorageSize: new Int32(8192) } },
        { ns: 'db.c', shard: 's1', storageStats: { storageSize: 20480, freeStorageSize: 0 } },
      ]),
    ).toEqual({ storageSize: 61440, freeStorageSize: 8192 });
    expect(readCollectionStorage([{ storageStats: { storageSize: 4096 } }])).toEqual({ storageSize: 4096, freeStorageSize: undefined });
    expect(readCollectionStorage([])).toBeNull();
    expect(readCollectionStorage([{ ns: 'db.c' }])).toBeNull();
  });

  it('runs nothing, reports the same storageSize before and after, and advises how to run compact', () => {
    const report = compactReport('burr', 'steps', { storageSize: 61440, freeStorageSize: 8192 });
    expect(report).toMatchObject({ bytesBefore: 61440, bytesAfter: 61440, performed: [] });
    expect(report.advice).toHaveLength(2);
    expect(report.advice[0]).toContain('8192 of its 61440 bytes are free for reuse');
    expect(report.advice[1]).toContain('db.getSiblingDB("burr").runCommand({ compact: "steps" })');
    expect(report.advice[1]).toMatch(/secondary.*primary.*force: true/);
  });

  it('reports null sizes when the collection does not exist', () => {
    expect(compactReport('burr', 'steps', null)).toEqual({
      bytesBefore: null,
      bytesAfter: null,
      performed: [],
      advice: ['Nothing to compact: burr.steps does not exist or reports no storage statistics.'],
    });
  });
});

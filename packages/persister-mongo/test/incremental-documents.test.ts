// Needs no server: incremental storage's documents, filters and updates as the plain objects sent to MongoDB, and
// what is read back from them after a trip through BSON. Whether a server answers them as intended is for the
// conformance suite (both storage modes), which needs MongoDB.
import { BSON, Int32, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DeserializationError, type IncrementalRecord, type StepRemoval } from '@burr/core';
import { stepRemovalFilter } from '../src/history-queries.js';
import { baseFilter, fromChainDocument, insertedDeltaFilter, rewriteAsSnapshotUpdate, stepsBetween, toIncrementalDocument, toStepLink } from '../src/incremental-documents.js';

const savedAt = { createdAt: new Date('2026-11-22T01:57:00.123Z'), createdAtMicros: 456 };
const snapshot: IncrementalRecord = {
  partitionKey: '',
  appId: 'chat-1',
  sequenceId: 4,
  position: 'respond',
  status: 'completed',
  state: '{"messages":[],"__SEQUENCE_ID":4}',
  ...savedAt,
  base: null,
};
const delta: IncrementalRecord = {
  ...snapshot,
  sequenceId: 5,
  state: '{"+messages":[{"role":"user"}],"=__SEQUENCE_ID":5}',
  base: { sequenceId: 4, position: 'respond', createdAt: new Date('2026-11-22T01:56:59Z'), createdAtMicros: 0 },
};

function throughBson(doc: Record<string, unknown>, options?: BSON.DeserializeOptions): Record<string, unknown> {
  return BSON.deserialize(BSON.serialize(doc), options);
}

describe('toIncrementalDocument', () => {
  it('writes a snapshot as a full-mode document without saved_at (no TTL can expire it) and without base fields', () => {
    expect(toIncrementalDocument(snapshot)).toEqual({
      partition_key: null,
      app_id: 'chat-1',
      sequence_id: 4,
      position: 'respond',
      state: snapshot.state,
      status: 'completed',
      created_at: '2026-11-22T01:57:00.123456+00:00',
    });
  });

  it('writes a delta with the key of its base, base_sequence_id a BSON int32 like sequence_id', () => {
    const document = toIncrementalDocument(delta);
    expect(document).toMatchObject({ sequence_id: 5, base_sequence_id: 4, base_position: 'respond', state: delta.state });
    expect('saved_at' in document).toBe(false);
    const raw = throughBson({ ...document }, { promoteValues: false });
    expect([raw.sequence_id, raw.base_sequence_id].map((value) => value instanceof Int32)).toEqual([true, true]);
  });
});

describe('filters and updates', () => {
  it("names a delta's base by its whole key and the save time it had, as stored text with six fraction digits", () => {
    expect(baseFilter('', 'chat-1', delta.base!)).toEqual({
      partition_key: { $in: ['', null] },
      app_id: { $eq: 'chat-1' },
      sequence_id: { $eq: 4 },
      position: { $eq: 'respond' },
      created_at: { $eq: '2026-11-22T01:56:59.000000+00:00' },
    });
  });

  it('deletes a delta whose base is gone by its whole identity (key, save time, base), never by an _id it may not know', () => {
    expect(insertedDeltaFilter(delta)).toEqual({
      partition_key: { $in: ['', null] },
      app_id: { $eq: 'chat-1' },
      sequence_id: { $eq: 5 },
      position: { $eq: 'respond' },
      created_at: { $eq: '2026-11-22T01:57:00.123456+00:00' },
      base_sequence_id: { $eq: 4 },
      base_position: { $eq: 'respond' },
    });
  });

  it("reads an app's steps between two sequence ids, each bound optional", () => {
    expect(stepsBetween('p', 'a', 3, 9)).toEqual({ partition_key: { $eq: 'p' }, app_id: { $eq: 'a' }, sequence_id: { $gte: 3, $lte: 9 } });
    expect(stepsBetween('p', 'a', null, 9).sequence_id).toEqual({ $lte: 9 });
    expect(stepsBetween('p', 'a', 3, null).sequence_id).toEqual({ $gte: 3 });
    expect(stepsBetween('p', 'a', null, null)).toEqual({ partition_key: { $eq: 'p' }, app_id: { $eq: 'a' } });
  });

  it('rewrites a delta as a snapshot only while it names the same base and has the same save time, dropping both base fields', () => {
    const row = { partitionKey: 'p', appId: 'a', sequenceId: 7, position: 'x', createdAt: new Date('2026-12-03T10:00:00.123Z'), createdAtMicros: 456 };
    const { filter, update } = rewriteAsSnapshotUpdate(row, { sequenceId: 6, position: 'y' }, '{"a":1}');
    expect(filter).toEqual({
      partition_key: { $eq: 'p' },
      app_id: { $eq: 'a' },
      sequence_id: { $eq: 7 },
      position: { $eq: 'x' },
      created_at: { $eq: '2026-12-03T10:00:00.123456+00:00' },
      base_sequence_id: { $eq: 6 },
      base_position: { $eq: 'y' },
    });
    expect(update).toEqual({ $set: { state: '{"a":1}' }, $unset: { base_sequence_id: '', base_position: '' } });
  });
});

describe('reading documents back', () => {
  it('reads a chain document with BSON numbers (Int32, Long) as the engine expects; a snapshot has no base', () => {
    const raw = throughBson({ ...toIncrementalDocument(delta), base_sequence_id: Long.fromNumber(4) }, { promoteValues: false });
    expect(fromChainDocument(raw)).toMatchObject({ position: 'respond', status: 'completed', baseSequenceId: 4, basePosition: 'respond', state: delta.state });
    expect(Number(fromChainDocument(raw).sequenceId)).toBe(5);
    const stored = fromChainDocument(throughBson({ ...toIncrementalDocument(snapshot) }));
    expect([stored.baseSequenceId, stored.basePosition, stored.createdAt]).toEqual([null, null, '2026-11-22T01:57:00.123456+00:00']);
  });

  it('refuses a base that is half there or not a number, naming the field', () => {
    expect(() => fromChainDocument({ ...toIncrementalDocument(delta), base_position: undefined })).toThrow(DeserializationError);
    expect(() => fromChainDocument({ ...toIncrementalDocument(delta), base_sequence_id: 'four' })).toThrow(/sequence_id is a string/);
  });

  it("lets a step go by the same cutoff as prune's delete filter: created_at text below it", () => {
    const removal: StepRemoval = {
      partitionKey: 'p',
      appId: 'a',
      fromSequenceId: 0,
      toSequenceId: 10,
      createdBefore: { createdAt: new Date('2026-11-22T01:57:00Z'), createdAtMicros: 0 },
    };
    const cutoff = (stepRemovalFilter(removal) as { created_at: { $lt: string } }).created_at.$lt;
    const link = (createdAt: unknown) => toStepLink({ sequence_id: 3, position: 'x', created_at: createdAt }, removal).savedBeforeCutoff;
    expect(cutoff).toBe('2026-11-22T01:57:00+00:00');
    // Python's whole-second form and ours with a fraction, on both sides of the cutoff; a time that is not text never goes.
    expect([link('2026-11-22T01:56:59+00:00'), link('2026-11-22T01:56:59.999999+00:00'), link('2026-11-22T01:57:00.000000+00:00'), link(new Date(0))]).toEqual([
      true,
      true,
      false,
      false,
    ]);
    expect(toStepLink({ sequence_id: 3, position: 'x', created_at: new Date(0) }, { ...removal, createdBefore: undefined }).savedBeforeCutoff).toBe(true);
    expect(toStepLink({ sequence_id: 4, position: 'x', base_sequence_id: 3, base_position: 'y' }, removal).base).toEqual({ sequenceId: 3, position: 'y' });
  });
});

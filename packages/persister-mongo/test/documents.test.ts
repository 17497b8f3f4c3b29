// Needs no server: the mapping between steps and documents, the size limit,
// and argument checks that must reject before any I/O.
import { BSON, Int32, Long, ObjectId } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { decodeState, DeserializationError, InvalidPersistArgumentError, parseTimestamp, StateTooLargeError, type StateRecord } from '@burr/core';
import { documentBytes, fromDocument, MAX_DOCUMENT_BYTES, toDocument } from '../src/index.js';
import { assertDocumentFits, partitionFilter, stepFilter, stepSort } from '../src/documents.js';
import { hasStepKeyIndex, STEP_KEY_INDEX } from '../src/indexes.js';

const record: StateRecord = {
  partitionKey: 'alice',
  appId: 'chat-1',
  sequenceId: 4,
  position: 'respond',
  status: 'completed',
  state: '{"count":5,"__SEQUENCE_ID":4,"__PRIOR_STEP":"respond"}',
  createdAt: new Date('2026-11-22T01:57:00.123Z'),
  createdAtMicros: 456,
};

/** A document exactly as Python Burr 0.40's MongoDBBasePersister.save() writes it (json.dumps spacing, isoformat time). */
const pythonDocument = {
  _id: new ObjectId('6740e5c4a1b2c3d4e5f60718'),
  partition_key: null,
  app_id: 'py-app',
  sequence_id: new Int32(2),
  position: 'counter',
  state: '{"count": 3, "ratio": NaN, "__SEQUENCE_ID": 2, "__PRIOR_STEP": "counter"}',
  status: 'failed',
  created_at: '2026-11-22T01:57:00.123456+00:00',
};

/** What the driver hands back for `doc` after a trip through BSON. */
function throughBson(doc: Record<string, unknown>, options?: BSON.DeserializeOptions): Record<string, unknown> {
  return BSON.deserialize(BSON.serialize(doc), options);
}

describe('toDocument / fromDocument', () => {
  it("writes Python Burr's field names and types", () => {
    expect(toDocument(record)).toEqual({
      partition_key: 'alice',
      app_id: 'chat-1',
      sequence_id: 4,
      position: 'respond',
      state: '{"count":5,"__SEQUENCE_ID":4,"__PRIOR_STEP":"respond"}',
      status: 'completed',
      created_at: '2026-11-22T01:57:00.123456+00:00',
      saved_at: new Date('2026-11-22T01:57:00.123Z'),
    });
  });

  it('stores "no partition" as null, the way Python stores partition_key=None', () => {
    expect(toDocument({ ...record, partitionKey: '' }).partition_key).toBeNull();
  });

  it('stores sequence_id as a BSON int32 (what pymongo writes for a Python int) and created_at as a string', () => {
    const raw = throughBson({ ...toDocument(record) }, { promoteValues: false });
    expect(raw.sequence_id).toBeInstanceOf(Int32);
    expect(typeof raw.created_at).toBe('string');
    expect(raw.saved_at).toBeInstanceOf(Date);
    expect(raw.partition_key).toBe('alice');
  });

  it('reads back what it wrote', () => {
    for (const partitionKey of ['alice', '']) {
      const stored = fromDocument(throughBson({ _id: new ObjectId(), ...toDocument({ ...record, partitionKey }) }));
      expect(stored).toEqual({
        partitionKey,
        appId: 'chat-1',
        sequenceId: 4,
        position: 'respond',
        status: 'completed',
        state: record.state,
        createdAt: '2026-11-22T01:57:00.123456+00:00',
      });
      expect(parseTimestamp(stored.createdAt as string)).toEqual(record.createdAt);
    }
  });

  it('reads a document Python Burr wrote: null partition, NaN token, microsecond isoformat', () => {
    const stored = fromDocument(throughBson(pythonDocument));
    expect(stored.partitionKey).toBe('');
    expect(stored.appId).toBe('py-app');
    expect(stored.sequenceId).toBe(2);
    expect(stored.position).toBe('counter');
    expect(stored.status).toBe('failed');
    expect(parseTimestamp(stored.createdAt as string).toISOString()).toBe('2026-11-22T01:57:00.123Z');
    const state = decodeState(stored.state);
    expect(state.keys()).toEqual(['count', 'ratio', '__SEQUENCE_ID', '__PRIOR_STEP']);
    expect(state.get('count')).toBe(3);
    expect(Number.isNaN(state.get('ratio'))).toBe(true);
  });

  it('reads sequence ids however the client was told to return numbers (Int32, Long, bigint)', () => {
    expect(fromDocument(throughBson(pythonDocument, { promoteValues: false })).sequenceId).toBe(2);
    const long = { ...pythonDocument, sequence_id: Long.fromNumber(2 ** 40) };
    expect(Number(fromDocument(throughBson(long, { promoteLongs: false })).sequenceId)).toBe(2 ** 40);
    expect(Number(fromDocument(throughBson(long, { useBigInt64: true })).sequenceId)).toBe(2 ** 40);
  });

  it('reads a Python timestamp without a fraction (isoformat drops a zero microsecond)', () => {
    const stored = fromDocument({ ...pythonDocument, created_at: '2026-11-22T01:57:00+00:00' });
    expect(parseTimestamp(stored.createdAt as string).toISOString()).toBe('2026-11-22T01:57:00.000Z');
  });

  it('refuses a document that is not a Burr step, naming the field', () => {
    expect(() => fromDocument({ ...pythonDocument, state: { count: 3 } })).toThrow(DeserializationError);
    expect(() => fromDocument({ ...pythonDocument, state: { count: 3 } })).toThrow(/state is an object/);
    expect(() => fromDocument({ ...pythonDocument, sequence_id: '2' })).toThrow(/sequence_id is a string/);
    expect(() => fromDocument({ ...pythonDocument, app_id: undefined })).toThrow(/app_id is missing/);
    expect(() => fromDocument({ ...pythonDocument, partition_key: 7 })).toThrow(/partition_key is a number/);
  });
});

describe('document size', () => {
  const withState = (state: string) => toDocument({ ...record, state });

  it('counts exactly the bytes the server receives, _id included', () => {
    const document = withState('{"text":"héllo 中文 😀"}');
    expect(documentBytes(document)).toBe(BSON.serialize({ _id: new ObjectId(), ...document }).byteLength);
  });

  it('accepts a document of exactly 16 MiB and refuses one byte more with StateTooLargeError', () => {
    const base = documentBytes(withState(''));
    const fits = withState('x'.repeat(MAX_DOCUMENT_BYTES - base));
    expect(documentBytes(fits)).toBe(MAX_DOCUMENT_BYTES);
    expect(() => assertDocumentFits(fits)).not.toThrow();
    const tooLarge = withState(`${'x'.repeat(MAX_DOCUMENT_BYTES - base - 1)}é`);
    const error = (() => {
      try {
        assertDocumentFits(tooLarge);
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(StateTooLargeError);
    expect(error).toMatchObject({ code: 'BURR_STATE_TOO_LARGE', bytes: MAX_DOCUMENT_BYTES + 1, limit: MAX_DOCUMENT_BYTES });
  });
});

describe('filters', () => {
  it('matches values literally under $eq, even ones that look like operators', () => {
    expect(stepFilter({ partitionKey: '$where', appId: '$ne', sequenceId: 3 })).toEqual({
      partition_key: { $eq: '$where' },
      app_id: { $eq: '$ne' },
      sequence_id: { $eq: 3 },
    });
  });

  it("matches the empty partition as '', null or missing (Python's partition_key=None)", () => {
    expect(partitionFilter('')).toEqual({ partition_key: { $in: ['', null] } });
    expect(stepFilter({ partitionKey: '', appId: 'a', sequenceId: null })).toEqual({ partition_key: { $in: ['', null] }, app_id: { $eq: 'a' } });
  });

  it('refuses to build a filter from an object', () => {
    const injected = { $ne: null } as unknown as string;
    expect(() => stepFilter({ partitionKey: '', appId: injected, sequenceId: null })).toThrow(InvalidPersistArgumentError);
    expect(() => partitionFilter(injected)).toThrow(InvalidPersistArgumentError);
  });

  it('sorts latest = highest sequence id then greatest position; by id = least position', () => {
    expect(stepSort({ partitionKey: '', appId: 'a', sequenceId: null })).toEqual({ sequence_id: -1, position: -1 });
    expect(stepSort({ partitionKey: '', appId: 'a', sequenceId: 2 })).toEqual({ sequence_id: 1, position: 1 });
  });
});

describe('step-key index detection', () => {
  it('finds the unique index under any name, and not a non-unique or partial one', () => {
    expect(hasStepKeyIndex([{ key: { _id: 1 } }, { key: { ...STEP_KEY_INDEX.key }, unique: true }])).toBe(true);
    expect(hasStepKeyIndex([{ key: { ...STEP_KEY_INDEX.key } }])).toBe(false);
    expect(hasStepKeyIndex([{ key: { partition_key: 1, app_id: 1, sequence_id: 1 }, unique: true }])).toBe(false);
    expect(hasStepKeyIndex([])).toBe(false);
  });
});

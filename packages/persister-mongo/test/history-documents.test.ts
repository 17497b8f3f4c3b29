// Needs no server: history query results as the driver hands them back (after a trip through BSON, also with
// promoteValues: false), read into the core's summaries; documents that are not Burr steps are refused by field.
import { BSON, Int32, Long } from 'mongodb';
import { describe, expect, it } from 'vitest';
import { DeserializationError } from '@burr/core';
import { fromAppSeekDocument, fromAppSummaryDocument, fromStepSummaryDocument } from '../src/history-documents.js';

function throughBson(doc: Record<string, unknown>, options?: BSON.DeserializeOptions): Record<string, unknown> {
  return BSON.deserialize(BSON.serialize(doc), options);
}

const stepRow = { sequence_id: new Int32(4), position: 'respond', status: 'completed', created_at: '2026-11-22T01:57:00.123456+00:00', size_bytes: new Int32(57) };

describe('fromStepSummaryDocument', () => {
  it('reads a row without state, whatever the client does with numbers', () => {
    for (const options of [undefined, { promoteValues: false }, { promoteLongs: false }]) {
      const summary = fromStepSummaryDocument(throughBson(stepRow, options), 'alice', 'chat-1');
      expect({ ...summary, sequenceId: Number(summary.sequenceId) }).toEqual({
        sequenceId: 4,
        position: 'respond',
        status: 'completed',
        createdAt: '2026-11-22T01:57:00.123456+00:00',
        sizeBytes: 57,
        isDelta: false,
      });
      expect(summary).not.toHaveProperty('state');
    }
  });

  it('says a delta of incremental storage by its base, whatever the client does with numbers', () => {
    for (const options of [undefined, { promoteValues: false }]) {
      expect(fromStepSummaryDocument(throughBson({ ...stepRow, base_sequence_id: new Int32(3) }, options), 'alice', 'chat-1').isDelta).toBe(true);
      expect(fromStepSummaryDocument(throughBson({ ...stepRow, base_sequence_id: null }, options), 'alice', 'chat-1').isDelta).toBe(false);
    }
  });

  it('passes the state text on when the row has it, and reads a Long size', () => {
    const summary = fromStepSummaryDocument(throughBson({ ...stepRow, size_bytes: Long.fromNumber(11), state: '{"n":"é"}' }, { promoteLongs: false }), '', 'a');
    expect(summary.state).toBe('{"n":"é"}');
    expect(summary.sizeBytes).toBe(11);
  });

  it('refuses a step whose state is not text (size null), naming partition, app and sequence id', () => {
    const read = () => fromStepSummaryDocument({ ...stepRow, size_bytes: null }, 'alice', 'chat-1');
    expect(read).toThrow(DeserializationError);
    expect(read).toThrow(/partition "alice", app "chat-1", sequence "4".*state is not text/);
    expect(() => fromStepSummaryDocument({ ...stepRow, position: 3 }, 'alice', 'chat-1')).toThrow(/position is a number/);
    expect(() => fromStepSummaryDocument({ ...stepRow, created_at: 5 }, 'alice', 'chat-1')).toThrow(/created_at is a number/);
    expect(() => fromStepSummaryDocument({ ...stepRow, sequence_id: '4' }, 'alice', 'chat-1')).toThrow(/sequence_id is a string/);
  });

  it('reads a missing created_at as null', () => {
    const { created_at: _, ...withoutTime } = stepRow;
    expect(fromStepSummaryDocument(withoutTime, 'alice', 'chat-1').createdAt).toBeNull();
  });
});

describe('fromAppSummaryDocument', () => {
  const appRow = {
    _id: 'chat-1',
    last_sequence_id: new Int32(12),
    last_position: 'respond',
    last_status: 'failed',
    last_saved_at: '2026-11-22T01:57:00+00:00',
    saved_at_key: '2026-11-22T01:57:00+00:00',
  };

  it('reads the group row: latest step, last save time, and the key the cursor keeps', () => {
    expect(fromAppSummaryDocument(throughBson(appRow, { promoteValues: false }), 'tenant')).toEqual({
      appId: 'chat-1',
      lastSequenceId: 12,
      lastPosition: 'respond',
      lastStatus: 'failed',
      lastSavedAt: '2026-11-22T01:57:00+00:00',
      savedAtKey: '2026-11-22T01:57:00+00:00',
    });
  });

  it('an app with no text created_at has no last save time and sorts on the empty key', () => {
    expect(fromAppSummaryDocument({ ...appRow, last_saved_at: null, saved_at_key: '' }, 'tenant')).toMatchObject({ lastSavedAt: null, savedAtKey: '' });
  });

  it('refuses a group whose latest step is not a Burr step', () => {
    expect(() => fromAppSummaryDocument({ ...appRow, last_sequence_id: null }, 'tenant')).toThrow(/app "chat-1".*sequence_id is null/);
    expect(() => fromAppSummaryDocument({ ...appRow, last_status: undefined }, 'tenant')).toThrow(/status is missing/);
  });
});

describe('fromAppSeekDocument', () => {
  it("reads null and missing partitions as '' (Python's None)", () => {
    expect(fromAppSeekDocument({ partition_key: null, app_id: 'a' })).toEqual({ partitionKey: '', appId: 'a' });
    expect(fromAppSeekDocument({ app_id: 'a' })).toEqual({ partitionKey: '', appId: 'a' });
    expect(fromAppSeekDocument({ partition_key: 'p', app_id: 'a' })).toEqual({ partitionKey: 'p', appId: 'a' });
    expect(() => fromAppSeekDocument({ partition_key: 3, app_id: 'a' })).toThrow(DeserializationError);
  });
});

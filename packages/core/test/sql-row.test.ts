import { describe, expect, it } from 'vitest';
import { DeserializationError, storedRecordFromSqlRow } from '@burr/core';

const row = {
  partition_key: '',
  app_id: 'app',
  sequence_id: 2,
  position: 'counter',
  status: 'completed',
  state: '{"count": 3}',
  created_at: '2026-11-22 01:57:00',
};

describe('storedRecordFromSqlRow', () => {
  it('maps the Burr columns to a stored record', () => {
    expect(storedRecordFromSqlRow(row)).toEqual({
      partitionKey: '',
      appId: 'app',
      sequenceId: 2,
      position: 'counter',
      status: 'completed',
      state: '{"count": 3}',
      createdAt: '2026-11-22 01:57:00',
    });
  });

  it('accepts what drivers return: null partition, bigint or text ids, Date or null times', () => {
    const record = storedRecordFromSqlRow({ ...row, partition_key: null, sequence_id: 7n, created_at: null });
    expect(record.partitionKey).toBeNull();
    expect(record.sequenceId).toBe(7n);
    expect(record.createdAt).toBeNull();
    expect(storedRecordFromSqlRow({ ...row, sequence_id: '12', created_at: new Date(0) }).sequenceId).toBe('12');
  });

  it('names the column when a hand-written row has the wrong type', () => {
    expect(() => storedRecordFromSqlRow({ ...row, state: new Uint8Array([123, 125]) })).toThrow(DeserializationError);
    expect(() => storedRecordFromSqlRow({ ...row, state: 5 })).toThrow(/unexpected state \(5\) for app "app"/);
    expect(() => storedRecordFromSqlRow({ ...row, sequence_id: 1.5 })).toThrow(/sequence_id/);
    expect(() => storedRecordFromSqlRow({ ...row, app_id: null })).toThrow(/app_id/);
  });
});

// The reader of a segment of packed deltas (Redis's lists, the SQL persisters' segment rows): heads as each backend
// writes them (compact JSON, JSON with spaces as PostgreSQL's json_build_array and MySQL's JSON_ARRAY write it,
// escaped strings), base positions filled from the record before, ranges and details.
import { DeserializationError, packedRecords, type StoredIncrementalRecord } from '@burr/core';
import { describe, expect, it } from 'vitest';

const record = (head: unknown[] | string, delta: string) => `\n${typeof head === 'string' ? head : JSON.stringify(head)}\n${delta}`;

function read(segment: string, above = Number.NEGATIVE_INFINITY, upTo = Number.POSITIVE_INFINITY, detailsFrom?: number): StoredIncrementalRecord[] {
  const into: StoredIncrementalRecord[] = [];
  packedRecords(segment, above, upTo, into, detailsFrom);
  return into;
}

describe('packedRecords', () => {
  const segment =
    record([10, 'respond', '2026-12-04 07:00:00.000001', 'completed', 9, 'ask'], '{"+messages":[1]}') +
    record([11, 'respond', '2026-12-04 07:00:00.000002'], '{"+messages":[2]}') +
    record([12, 'respond', '2026-12-04 07:00:00.000003', 'failed'], '{"=__PRIOR_STEP":"ask"}') +
    record([14, 'ask', '2026-12-04 07:00:00.000004', 'completed', 12, 'respond'], '{"+messages":[4]}');

  it('reads every kind of head, and fills a compact head’s base position from the record before it', () => {
    expect(read(segment)).toEqual([
      { sequenceId: 10, position: 'respond', status: 'completed', createdAt: '2026-12-04 07:00:00.000001', baseSequenceId: 9, basePosition: 'ask', state: '{"+messages":[1]}' },
      {
        sequenceId: 11,
        position: 'respond',
        status: 'completed',
        createdAt: '2026-12-04 07:00:00.000002',
        baseSequenceId: 10,
        basePosition: 'respond',
        state: '{"+messages":[2]}',
      },
      {
        sequenceId: 12,
        position: 'respond',
        status: 'failed',
        createdAt: '2026-12-04 07:00:00.000003',
        baseSequenceId: 11,
        basePosition: 'respond',
        state: '{"=__PRIOR_STEP":"ask"}',
      },
      { sequenceId: 14, position: 'ask', status: 'completed', createdAt: '2026-12-04 07:00:00.000004', baseSequenceId: 12, basePosition: 'respond', state: '{"+messages":[4]}' },
    ]);
  });

  it('reads heads written with spaces (PostgreSQL, MySQL) and with escapes exactly as JSON.parse does', () => {
    const position = 'say "hi" \\ naïve — 🙂';
    const spaced =
      record(`[5, ${JSON.stringify(position)}, "2026-12-04 07:00:00.000001", "completed", 4, "start"]`, '{"=a":1}') +
      record(`[6, ${JSON.stringify(position)}, "2026-12-04 07:00:00.000002"]`, '{"=a":2}') +
      record('[7, "plain", "2026-12-04 07:00:00.000003"]', '{"=a":3}');
    const steps = read(spaced);
    expect(steps.map((step) => [step.sequenceId, step.position, step.basePosition, step.createdAt])).toEqual([
      [5, position, 'start', '2026-12-04 07:00:00.000001'],
      [6, position, position, '2026-12-04 07:00:00.000002'],
      [7, 'plain', position, '2026-12-04 07:00:00.000003'],
    ]);
  });

  it('keeps the records above `above` and up to `upTo`, still filling the first one’s base from the record before the range', () => {
    const steps = read(segment, 10, 12);
    expect(steps.map((step) => [step.sequenceId, step.basePosition])).toEqual([
      [11, 'respond'],
      [12, 'respond'],
    ]);
  });

  it('gives status and save time only from `detailsFrom` on', () => {
    const steps = read(segment, Number.NEGATIVE_INFINITY, 14, 14);
    expect(steps.map((step) => [step.sequenceId, step.status, step.createdAt])).toEqual([
      [10, null, null],
      [11, null, null],
      [12, null, null],
      [14, 'completed', '2026-12-04 07:00:00.000004'],
    ]);
  });

  it('leaves a compact head’s base position to the caller when the record before it is not its base (a segment’s first record in Redis)', () => {
    const steps = read(record([20, 'respond', '2026-12-04 07:00:00.000001'], '{}'));
    expect(steps[0]).toMatchObject({ sequenceId: 20, baseSequenceId: 19, basePosition: null });
  });

  it('refuses a broken head with DeserializationError', () => {
    expect(() => read(record('[1, "a"', '{}'))).toThrow(DeserializationError);
    expect(() => read(record([1, 2, 'x'], '{}'))).toThrow(DeserializationError);
    expect(() => read('\n[1,"a","t"]')).toThrow(DeserializationError);
  });
});

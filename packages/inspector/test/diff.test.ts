import { describe, expect, it } from 'vitest';
import { deepEqual, diffStates } from '../src/diff.js';

describe('diffStates', () => {
  it('names added, removed and changed keys, nested ones by their path', () => {
    const diff = diffStates({ a: 1, b: { c: 'x', d: [1] }, gone: true }, { a: 2, b: { c: 'y', d: [1], e: null }, fresh: 'new' });
    expect(diff.entries).toEqual([
      { kind: 'changed', path: ['a'], before: 1, after: 2 },
      { kind: 'changed', path: ['b', 'c'], before: 'x', after: 'y' },
      { kind: 'added', path: ['b', 'e'], after: null },
      { kind: 'removed', path: ['gone'], before: true },
      { kind: 'added', path: ['fresh'], after: 'new' },
    ]);
  });

  it('shows a growing list as the items appended, a shrinking one as the items gone from its end', () => {
    const history = [{ role: 'user', content: 'hi' }];
    expect(diffStates({ history }, { history: [...history, { role: 'assistant', content: 'hello' }] }).entries).toEqual([
      { kind: 'appended', path: ['history'], fromIndex: 1, items: [{ role: 'assistant', content: 'hello' }] },
    ]);
    expect(diffStates({ list: [1, 2, 3] }, { list: [1] }).entries).toEqual([{ kind: 'truncated', path: ['list'], fromIndex: 1, items: [2, 3] }]);
    // An edited item is a change at its index, and what follows is still appended.
    expect(diffStates({ list: ['a', 'b'] }, { list: ['a', 'B', 'c'] }).entries).toEqual([
      { kind: 'changed', path: ['list', 1], before: 'b', after: 'B' },
      { kind: 'appended', path: ['list'], fromIndex: 2, items: ['c'] },
    ]);
  });

  it('compares tagged values whole and leaves hidden __ keys out unless asked', () => {
    const before = { at: { __burr_serde__: 'date', value: '2025-01-01T00:00:00.000Z' }, __SEQUENCE_ID: 1 };
    const after = { at: { __burr_serde__: 'date', value: '2025-01-02T00:00:00.000Z' }, __SEQUENCE_ID: 2 };
    const diff = diffStates(before, after);
    expect(diff.entries).toEqual([{ kind: 'changed', path: ['at'], before: before.at, after: after.at }]);
    expect(diff.hiddenKeysSkipped).toBe(true);
    expect(diffStates(before, after, { includeHidden: true }).entries.map((entry) => entry.path)).toEqual([['at'], ['__SEQUENCE_ID']]);
  });

  it('keeps maxEntries entries and counts the rest', () => {
    const before = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`k${index}`, index]));
    const after = Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`k${index}`, index + 1]));
    const diff = diffStates(before, after, { maxEntries: 10 });
    expect(diff.entries).toHaveLength(10);
    expect(diff.omitted).toBe(20);
  });

  it('treats NaN as equal to NaN, -0 as unlike 0, and bigints by value', () => {
    expect(deepEqual(Number.NaN, Number.NaN)).toBe(true);
    expect(deepEqual(-0, 0)).toBe(false);
    expect(deepEqual(2n ** 70n, 2n ** 70n)).toBe(true);
    expect(deepEqual(1n, 1)).toBe(false);
    expect(deepEqual({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(deepEqual({ a: 1 }, { b: 1 })).toBe(false);
  });
});

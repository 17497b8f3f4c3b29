import { describe, expect, it } from 'vitest';
import { BurrError, MissingStateKeyError, State, StateOperationError, decodeState, encodeState } from '@burr/core';

describe('State.get', () => {
  it('returns the value at a key', () => {
    expect(new State({ count: 2 }).get('count')).toBe(2);
  });

  it('throws a typed error naming the missing key and the keys there are', () => {
    const state = new State<Record<string, unknown>>({ a: 1, b: 2 });
    let caught: unknown;
    try {
      state.get('missing');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MissingStateKeyError);
    expect(caught).toBeInstanceOf(BurrError);
    const error = caught as MissingStateKeyError;
    expect(error.code).toBe('BURR_STATE_KEY_MISSING');
    expect(error.key).toBe('missing');
    expect(error.message).toContain('"missing"');
    expect(error.message).toContain('a, b');
  });

  it('tells a key holding undefined from a missing one', () => {
    const state = new State<Record<string, unknown>>({ present: undefined });
    expect(state.has('present')).toBe(true);
    expect(state.get('present')).toBeUndefined();
    expect(state.has('absent')).toBe(false);
  });
});

describe('State.update', () => {
  it('sets keys, keeps existing keys in place and puts new keys last', () => {
    const state = new State({ a: 1, b: 2 }).update({ b: 20, c: 3 });
    expect(state.keys()).toEqual(['a', 'b', 'c']);
    expect(state.getAll()).toEqual({ a: 1, b: 20, c: 3 });
  });
});

describe('State.append and State.extend', () => {
  it('appends one value to a list', () => {
    const state = new State({ history: ['a'] }).append({ history: 'b' });
    expect(state.get('history')).toEqual(['a', 'b']);
  });

  it('appends a list as a single element', () => {
    const state = new State<Record<string, unknown>>({ rows: [[1]] }).append({ rows: [2, 3] });
    expect(state.get('rows')).toEqual([[1], [2, 3]]);
  });

  it('starts a missing key as an empty list', () => {
    const state = new State<Record<string, unknown>>({}).append({ history: 'first' }).extend({ more: ['x', 'y'] });
    expect(state.get('history')).toEqual(['first']);
    expect(state.get('more')).toEqual(['x', 'y']);
  });

  it('extends from any iterable', () => {
    const state = new State({ items: [1] as number[] }).extend({ items: new Set([2, 3]) });
    expect(state.get('items')).toEqual([1, 2, 3]);
  });

  it('refuses to append to or extend a value that is not a list', () => {
    const state = new State<Record<string, unknown>>({ text: 'abc', count: 1, nothing: null });
    expect(() => state.append({ text: 'd' })).toThrow(StateOperationError);
    expect(() => state.append({ nothing: 1 })).toThrow(/"nothing".*null.*not a list/);
    expect(() => state.extend({ count: [2] })).toThrow(StateOperationError);
    expect(() => state.extend({ count: [2] })).toThrow(/Cannot extend "count"/);
  });

  it('leaves the original state and its lists unchanged', () => {
    const history = ['a'];
    const original = new State({ history });
    const next = original.append({ history: 'b' }).extend({ history: ['c'] });
    expect(original.get('history')).toEqual(['a']);
    expect(history).toEqual(['a']);
    expect(next.get('history')).toEqual(['a', 'b', 'c']);
    expect(next.get('history')).not.toBe(history);
  });
});

describe('State.increment', () => {
  it('adds to integers, starting a missing key at 0', () => {
    const state = new State<Record<string, unknown>>({ count: 1 }).increment({ count: 2, fresh: 5 });
    expect(state.get('count')).toBe(3);
    expect(state.get('fresh')).toBe(5);
  });

  it('accepts negative steps', () => {
    expect(new State({ count: 1 }).increment({ count: -3 }).get('count')).toBe(-2);
  });

  it('adds bigints to bigints, starting a missing key at 0n', () => {
    const big = 2n ** 70n;
    const state = new State<Record<string, unknown>>({ big }).increment({ big: 1n, freshBig: 7n });
    expect(state.get('big')).toBe(big + 1n);
    expect(state.get('freshBig')).toBe(7n);
  });

  it('refuses non-integers and mixed number kinds', () => {
    const state = new State<Record<string, unknown>>({ ratio: 0.5, count: 1, big: 1n, text: '1' });
    expect(() => state.increment({ ratio: 1 })).toThrow(StateOperationError);
    expect(() => state.increment({ count: 0.5 })).toThrow(StateOperationError);
    expect(() => state.increment({ text: 1 })).toThrow(/Cannot increment "text"/);
    expect(() => state.increment({ big: 1 })).toThrow(StateOperationError);
    expect(() => state.increment({ count: 1n })).toThrow(StateOperationError);
    expect(() => state.increment({ count: Number.NaN })).toThrow(StateOperationError);
  });

  it('refuses a sum that a number can no longer hold exactly', () => {
    const state = new State({ count: Number.MAX_SAFE_INTEGER });
    expect(() => state.increment({ count: 1 })).toThrow(StateOperationError);
    expect(() => state.increment({ count: 1 })).toThrow(/bigint/);
    expect(state.increment({ count: -1 }).get('count')).toBe(Number.MAX_SAFE_INTEGER - 1);
  });

  it('leaves the original state unchanged', () => {
    const original = new State({ count: 1 });
    original.increment({ count: 1 });
    expect(original.get('count')).toBe(1);
  });
});

describe('State.wipe', () => {
  const state = new State({ a: 1, b: 2, c: 3 });

  it('keeps only the listed keys, in the state order', () => {
    const kept = state.wipe({ keep: ['c', 'a'] });
    expect(kept.keys()).toEqual(['a', 'c']);
    expect(kept.getAll()).toEqual({ a: 1, c: 3 });
  });

  it('deletes the listed keys and ignores absent ones', () => {
    const wiped = state.wipe({ delete: ['b'] });
    expect(wiped.getAll()).toEqual({ a: 1, c: 3 });
    expect(new State<Record<string, unknown>>({ a: 1 }).wipe({ delete: ['zzz'] }).getAll()).toEqual({ a: 1 });
  });

  it('takes exactly one of keep or delete', () => {
    const loose = state as unknown as State & { wipe(options: object): State };
    expect(() => loose.wipe({})).toThrow(StateOperationError);
    expect(() => loose.wipe({ keep: ['a'], delete: ['b'] })).toThrow(/exactly one of/);
  });

  it('treats an empty keep list as "keep nothing"', () => {
    expect(state.wipe({ keep: [] }).keys()).toEqual([]);
  });

  it('leaves the original state unchanged', () => {
    state.wipe({ delete: ['a', 'b', 'c'] });
    expect(state.keys()).toEqual(['a', 'b', 'c']);
  });
});

describe('State.merge, subset, keys, getAll', () => {
  it('merge sets every key of the other state over this one', () => {
    const left = new State({ a: 1, b: 2 });
    const right = new State({ b: 20, c: 30 });
    const merged = left.merge(right);
    expect(merged.keys()).toEqual(['a', 'b', 'c']);
    expect(merged.getAll()).toEqual({ a: 1, b: 20, c: 30 });
    expect(left.getAll()).toEqual({ a: 1, b: 2 });
    expect(right.getAll()).toEqual({ b: 20, c: 30 });
  });

  it('subset keeps the given keys in state order and ignores absent ones', () => {
    const state = new State<Record<string, unknown>>({ a: 1, b: 2, c: 3 });
    const sub = state.subset('c', 'a', 'nope');
    expect(sub.keys()).toEqual(['a', 'c']);
    expect(state.keys()).toEqual(['a', 'b', 'c']);
  });

  it('getAll returns a copy: changing it does not change the state', () => {
    const state = new State<Record<string, unknown>>({ a: 1 });
    const all = state.getAll();
    all.a = 99;
    all.extra = true;
    expect(state.getAll()).toEqual({ a: 1 });
    expect(state.keys()).toEqual(['a']);
  });

  it('a state built from entries keeps their order, integer-like keys included', () => {
    const state = new State([
      ['b', 1],
      ['5', 2],
      ['a', 3],
    ]);
    expect(state.keys()).toEqual(['b', '5', 'a']);
  });
});

describe('key order through encodeState/decodeState', () => {
  it('keeps insertion order, integer-like keys ("5", "0") included', () => {
    const state = new State<Record<string, unknown>>({ z: 1 }).update({ '5': 'five' }).update({ a: 2 }).update({ '0': 'zero' }).update({ __SEQUENCE_ID: 3 });
    expect(state.keys()).toEqual(['z', '5', 'a', '0', '__SEQUENCE_ID']);
    const json = encodeState(state);
    expect(json).toBe('{"z":1,"5":"five","a":2,"0":"zero","__SEQUENCE_ID":3}');
    const back = decodeState(json);
    expect(back.keys()).toEqual(['z', '5', 'a', '0', '__SEQUENCE_ID']);
    expect(back.get('5')).toBe('five');
  });

  it('keeps the order of a document written by Python, with whitespace and a Python token', () => {
    const back = decodeState('{"b": NaN, "10": 1, "a": [1, 2]}');
    expect(back.keys()).toEqual(['b', '10', 'a']);
    expect(back.get('b')).toBeNaN();
  });
});

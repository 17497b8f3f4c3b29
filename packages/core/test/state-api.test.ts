import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { MissingStateKeyError, PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State } from '@burr/core';

type Chat = { count: number; history: string[]; question?: string };

describe('State.get with a fallback', () => {
  const state = new State<Chat>({ count: 2, history: ['hi'] });

  it('gives the value when the key is present, the fallback when it is absent', () => {
    expect(state.get('count', 0)).toBe(2);
    expect(state.get('question', 'none')).toBe('none');
    expect(state.update({ question: 'why?' }).get('question', 'none')).toBe('why?');
  });

  it('gives the fallback for a key holding undefined (what its type promises), and a falsy value as it is', () => {
    const loose = new State<Record<string, unknown>>({ gone: undefined, zero: 0, empty: '', nothing: null });
    expect(loose.get('gone', 'fallback')).toBe('fallback');
    expect(loose.get('zero', 1)).toBe(0);
    expect(loose.get('empty', 'x')).toBe('');
    expect(loose.get('nothing', 'x')).toBeNull();
  });

  it('still throws without a fallback', () => {
    expect(() => state.get('question')).toThrow(MissingStateKeyError);
  });

  it('reads the hidden keys of any state, typed', () => {
    const stepped = new State<Chat>([
      ['count', 1],
      [SEQUENCE_ID_KEY, 4],
      [PRIOR_STEP_KEY, 'ask'],
    ]);
    const sequenceId: number = stepped.get(SEQUENCE_ID_KEY);
    const prior: string = stepped.get(PRIOR_STEP_KEY);
    expect([sequenceId, prior]).toEqual([4, 'ask']);
    expect(state.get(PRIOR_STEP_KEY, null)).toBeNull();
  });
});

describe('State as a collection', () => {
  const state = new State({ b: 1, a: [2], c: { d: 3 } });

  it('has size, keys, entries and iteration in insertion order', () => {
    expect(state.size).toBe(3);
    expect(state.has('a')).toBe(true);
    expect(state.has('z')).toBe(false);
    expect(state.keys()).toEqual(['b', 'a', 'c']);
    expect([...state.entries()]).toEqual([
      ['b', 1],
      ['a', [2]],
      ['c', { d: 3 }],
    ]);
    expect([...state]).toEqual([...state.entries()]);
    expect(new Map(state).get('b')).toBe(1);
    expect(Object.fromEntries(state)).toEqual(state.getAll());
  });

  it('copies another state given to its constructor (it is iterable)', () => {
    const copy = new State(state);
    expect(copy.getAll()).toEqual(state.getAll());
    expect(copy).not.toBe(state);
  });

  it('JSON.stringify writes its keys and values, not {}', () => {
    expect(JSON.stringify(state)).toBe('{"b":1,"a":[2],"c":{"d":3}}');
    expect(JSON.stringify({ state })).toBe('{"state":{"b":1,"a":[2],"c":{"d":3}}}');
    expect(state.toJSON()).toEqual({ b: 1, a: [2], c: { d: 3 } });
  });

  it('console.log / util.inspect show its content', () => {
    expect(inspect(state)).toBe('State { b: 1, a: [ 2 ], c: { d: 3 } }');
    expect(inspect(new State())).toBe('State {}');
    expect(inspect({ nested: { deeper: state } }, { depth: 1 })).toBe('{ nested: { deeper: [State] } }');
    expect(inspect(new State({ list: [[[1]]] }), { depth: 1 })).toBe('State { list: [ [Array] ] }');
  });
});

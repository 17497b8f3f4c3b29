import { describe, expect, it } from 'vitest';
import { decodeState, encodeState, SerializationError, State } from '../src/index.js';

// encodeState and decodeState take native JSON paths when they can; these pin
// down that the shortcuts give the same answers as the careful paths.
describe('codec fast paths', () => {
  it('keeps a top-level "__proto__" key as data', () => {
    const text = encodeState(
      new State([
        ['__proto__', { a: 1 }],
        ['b', 2],
      ]),
    );
    expect(text).toBe('{"__proto__":{"a":1},"b":2}');
    const state = decodeState(text);
    expect(state.keys()).toEqual(['__proto__', 'b']);
    expect(state.get('__proto__')).toEqual({ a: 1 });
  });

  it('still reports a cycle by its key path (the fast check overflows, the full walk names it)', () => {
    const cyclic: { x: unknown[] } = { x: [1] };
    cyclic.x.push(cyclic);
    expect(() => encodeState(new State({ deep: { cyclic } }))).toThrow(SerializationError);
    expect(() => encodeState(new State({ deep: { cyclic } }))).toThrow(/deep\.cyclic\.x\[1\]: circular reference/);
  });

  it('re-parses exactly when JSON.parse rounded an integer beyond 2^53, and keeps big floats floats', () => {
    const state = decodeState('{"id": 9007199254740993, "f": 1e+22, "s": "9007199254740993"}');
    expect(state.get('id')).toBe(9007199254740993n);
    expect(state.get('f')).toBe(1e22);
    expect(state.get('s')).toBe('9007199254740993');
  });

  it('writes the same text whether or not a value needs the careful path', () => {
    expect(encodeState(new State({ a: [1, 'x', null, true], b: { c: 0.5 } }))).toBe('{"a":[1,"x",null,true],"b":{"c":0.5}}');
    expect(encodeState(new State({ a: [1, 'x', null, true], b: { c: NaN } }))).toBe('{"a":[1,"x",null,true],"b":{"c":NaN}}');
  });
});

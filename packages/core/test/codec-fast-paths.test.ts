import { describe, expect, it } from 'vitest';
import { decodeState, DeserializationError, encodeState, parsePythonJson, SERDE_KEY, SerializationError, State, type ParsedJsonFacts } from '../src/index.js';

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

  it('keeps top-level keys that Object.prototype has, even with a setter someone defined there', () => {
    expect(encodeState(new State({ constructor: 'c', toString: 't', a: 1 }))).toBe('{"constructor":"c","toString":"t","a":1}');
    let setterCalls = 0;
    Object.defineProperty(Object.prototype, 'burrTrap', { set: () => setterCalls++, configurable: true });
    try {
      expect(encodeState(new State({ burrTrap: 1, a: 2 }))).toBe('{"burrTrap":1,"a":2}');
      expect(setterCalls).toBe(0);
    } finally {
      delete (Object.prototype as { burrTrap?: unknown }).burrTrap;
    }
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

  it("parses Python's tokens only where JSON.parse refuses the text, and reports malformed text either way", () => {
    expect(parsePythonJson('{"s": "NaN and Infinity, as words"}')).toEqual({ s: 'NaN and Infinity, as words' });
    const tokens = parsePythonJson('{"a": NaN, "b": -Infinity, "c": [Infinity]}') as { a: number; b: number; c: number[] };
    expect(tokens.a).toBeNaN();
    expect(tokens.b).toBe(-Infinity);
    expect(tokens.c).toEqual([Infinity]);
    expect(() => parsePythonJson('{"a": 1,}')).toThrow(DeserializationError);
    expect(() => parsePythonJson('{"a": NaN,}')).toThrow(DeserializationError);
  });

  it('tells whether an object holds the tag key, whichever way the text was parsed', () => {
    const expectTagged = (text: string, expected: boolean): void => {
      // Starts as the wrong answer: the parse must set it.
      const facts: ParsedJsonFacts = { tagged: !expected };
      parsePythonJson(text, facts);
      expect(facts.tagged, text).toBe(expected);
    };
    const date = `{"${SERDE_KEY}": "date", "value": "2026-12-01T00:00:00.000Z"}`;
    expectTagged(`{"+when": [${date}]}`, true);
    expectTagged(`{"=x": {"deep": [[${date}]]}}`, true);
    // The tag key spelt with an escape is still the tag key.
    expectTagged('{"=x": {"\\u005f_burr_serde__": "date", "value": "2026-12-01T00:00:00.000Z"}}', true);
    // The tag's text inside a string is not a tagged value.
    expectTagged(`{"+chat": [{"content": "\\"${SERDE_KEY}\\" is the tag key"}]}`, false);
    expectTagged('{"=n": 5}', false);
    // Through the hand-written parser: Python's tokens, an integer beyond 2^53.
    expectTagged(`{"=x": NaN, "+when": [${date}]}`, true);
    expectTagged(`{"=x": 9007199254740993, "+when": [${date}]}`, true);
    expectTagged('{"=x": 9007199254740993}', false);
  });
});

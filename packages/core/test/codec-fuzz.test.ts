import { deepStrictEqual } from 'node:assert/strict';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BurrError, MAX_NESTING_DEPTH, SERDE_KEY, SerializationError, State, decodeState, encodeState } from '@burr/core';
import { jsonLike, stateValues, text } from './state-arbitraries.js';

describe('codec fuzz: encodeState/decodeState', () => {
  it('round-trips 10,000 random JSON-like states exactly (lone surrogates, big integers, NaN, -0, nesting)', () => {
    fc.assert(
      fc.property(stateValues, (values) => {
        const state = new State(values);
        const back = decodeState(encodeState(state));
        expect(back.keys()).toEqual(state.keys());
        deepStrictEqual(back.getAll(), state.getAll());
      }),
      { numRuns: 10_000 },
    );
  });

  /** Something the encoder must refuse, wherever it sits. */
  const refusable = fc.constantFrom<[string, () => unknown]>(
    ['undefined in an array', () => [1, undefined]],
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test.
    ['a hole', () => [1, , 2]],
    ['a symbol key', () => ({ [Symbol('s')]: 1 })],
    ['a function', () => () => 1],
    ['a symbol', () => Symbol('v')],
    ['a class instance', () => new (class Opaque {})()],
    ['an invalid Date', () => new Date(Number.NaN)],
    ['the reserved key', () => ({ [SERDE_KEY]: 'date', value: 'x' })],
    [
      'a cycle',
      () => {
        const loop: unknown[] = [];
        loop.push(loop);
        return loop;
      },
    ],
    [
      'nesting beyond the limit',
      () => {
        let deep: unknown = 1;
        for (let i = 0; i < MAX_NESTING_DEPTH + 5; i++) deep = [deep];
        return deep;
      },
    ],
  );

  /** Puts `bad` somewhere inside `host`: under a key, in an array, in a Map value. */
  const withRefusable = fc.tuple(jsonLike, refusable, fc.nat({ max: 3 }), text).map(([host, [label, make], where, key]) => {
    const bad = make();
    const wrapped = [() => bad, () => [host, bad], () => ({ [key]: host, inner: { bad } }), () => new Map([[key, bad]])][where]!();
    return { label, values: { [key || 'k']: wrapped } };
  });

  it('refuses every value it cannot store exactly with a SerializationError naming a path, never a RangeError or TypeError', () => {
    fc.assert(
      fc.property(withRefusable, ({ label, values }) => {
        let caught: unknown;
        try {
          encodeState(new State(values));
        } catch (error) {
          caught = error;
        }
        expect(caught, `${label} was accepted`).toBeInstanceOf(BurrError);
        expect(caught, label).toBeInstanceOf(SerializationError);
        expect((caught as SerializationError).keyPath.length).toBeGreaterThan(0);
      }),
      { numRuns: 2_000 },
    );
  });

  it('on arbitrary JS values (boxed values, typed arrays, sparse arrays, null prototypes...) either encodes stably or throws a BurrError', () => {
    const anything = fc.anything({
      maxDepth: 4,
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      withUnicodeString: true,
    });
    fc.assert(
      fc.property(fc.dictionary(fc.string(), anything, { maxKeys: 4 }), (values) => {
        let json: string;
        try {
          json = encodeState(new State(values));
        } catch (error) {
          expect(error).toBeInstanceOf(BurrError);
          return;
        }
        expect(encodeState(decodeState(json))).toBe(json);
      }),
      { numRuns: 3_000 },
    );
  });
});

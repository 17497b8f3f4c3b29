import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SERDE_KEY, State, decodeState, encodeState } from '@burr/core';

/**
 * Where `expected` and `actual` first differ, or null. Stricter than
 * `toEqual`: numbers compare with Object.is (NaN equals NaN, -0 differs from
 * 0), and the order of object keys, Map entries and Set members must match.
 */
function firstDifference(expected: unknown, actual: unknown, path = '$'): string | null {
  if (typeof expected !== 'object' || expected === null) {
    return Object.is(expected, actual) ? null : `${path}: expected ${show(expected)}, got ${show(actual)}`;
  }
  if (typeof actual !== 'object' || actual === null) return `${path}: expected an object, got ${show(actual)}`;
  if (expected instanceof Date) {
    return actual instanceof Date && Object.is(actual.getTime(), expected.getTime()) ? null : `${path}: expected ${expected.toISOString()}, got ${show(actual)}`;
  }
  if (expected instanceof Uint8Array) {
    const same = actual instanceof Uint8Array && actual.length === expected.length && expected.every((byte, i) => actual[i] === byte);
    return same ? null : `${path}: bytes differ`;
  }
  if (expected instanceof Map || expected instanceof Set) {
    const kind = expected instanceof Map ? Map : Set;
    if (!(actual instanceof kind)) return `${path}: expected a ${kind.name}, got ${show(actual)}`;
    return firstDifference([...expected.entries()], [...(actual as Map<unknown, unknown> | Set<unknown>).entries()], `${path}<${kind.name}>`);
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return `${path}: expected an array, got ${show(actual)}`;
    if (actual.length !== expected.length) return `${path}: expected length ${expected.length}, got ${actual.length}`;
    for (let i = 0; i < expected.length; i++) {
      const difference = firstDifference(expected[i], actual[i], `${path}[${i}]`);
      if (difference) return difference;
    }
    return null;
  }
  if (Object.getPrototypeOf(actual) !== Object.prototype) return `${path}: expected a plain object, got ${show(actual)}`;
  const expectedKeys = Object.keys(expected);
  const actualKeys = Object.keys(actual);
  if (JSON.stringify(expectedKeys) !== JSON.stringify(actualKeys)) return `${path}: keys ${JSON.stringify(expectedKeys)} became ${JSON.stringify(actualKeys)}`;
  for (const key of expectedKeys) {
    const difference = firstDifference(ownValue(expected, key), ownValue(actual, key), `${path}[${JSON.stringify(key)}]`);
    if (difference) return difference;
  }
  return null;
}

/** Reads an own property without going through a `__proto__` accessor. */
function ownValue(object: object, key: string): unknown {
  return Object.getOwnPropertyDescriptor(object, key)?.value;
}

function show(value: unknown): string {
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'object' && value !== null) return value.constructor?.name ?? 'Object(null prototype)';
  return JSON.stringify(value) ?? String(value);
}

/** Strings that stress the writer and the Python-token reader: full Unicode, lone surrogates, NUL, token look-alikes. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('\ud83d', '\ude00', '\u0000', '\u2028', 'N', 'a', 'I', 'n', 'f', '-', '"', '\\', '5', ' '), maxLength: 10 }),
);

const double = fc.oneof(
  fc.double(),
  fc.constantFrom(-0, 0, Number.NaN, Infinity, -Infinity, 2 ** 53, -(2 ** 53), 2 ** 53 + 2, 1e20, 1e21, 1e22, 5e-324, Number.MAX_VALUE, 0.1, 1e-7),
);

const bigint = fc.oneof(fc.bigInt({ min: -(2n ** 90n), max: 2n ** 90n }), fc.constantFrom(2n ** 53n - 1n, 2n ** 53n, -(2n ** 53n) + 1n, -(2n ** 53n), 0n, -1n));

const { value: stateValue } = fc.letrec<{ value: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(text, double, fc.integer(), fc.boolean(), fc.constant(null), bigint, fc.date({ noInvalidDate: true }), fc.uint8Array({ maxLength: 12 })),
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      text.filter((key) => key !== SERDE_KEY),
      tie('value'),
      { maxKeys: 5 },
    ),
    fc.array(fc.tuple(fc.oneof(text, fc.integer(), double), tie('value')), { maxLength: 4 }).map((entries) => new Map(entries)),
    fc.array(tie('value'), { maxLength: 4 }).map((items) => new Set(items)),
  ),
}));

/** Top-level keys, integer-like ones and the hidden keys included. */
const topKey = fc.oneof(text, fc.nat({ max: 20 }).map(String), fc.constantFrom('__proto__', '__SEQUENCE_ID', '__PRIOR_STEP', SERDE_KEY));

const stateEntries = fc.uniqueArray(fc.tuple(topKey, stateValue), { selector: ([key]) => key, maxLength: 6 });

describe('encodeState/decodeState round trip (property)', () => {
  it('gives back a deep-equal state: same keys in the same order, NaN and -0 kept', () => {
    fc.assert(
      fc.property(stateEntries, (entries) => {
        const state = new State(entries);
        const back = decodeState(encodeState(state));
        expect(back.keys()).toEqual(state.keys());
        for (const key of state.keys()) {
          const difference = firstDifference(state.get(key), back.get(key), `[${JSON.stringify(key)}]`);
          if (difference) throw new Error(difference);
        }
      }),
      { numRuns: 400 },
    );
  });

  it('writes the same text again for a state it read back', () => {
    fc.assert(
      fc.property(stateEntries, (entries) => {
        const json = encodeState(new State(entries));
        expect(encodeState(decodeState(json))).toBe(json);
      }),
      { numRuns: 200 },
    );
  });

  it('the comparator used above does tell -0 from 0, and entry order apart', () => {
    expect(firstDifference({ a: [-0] }, { a: [0] })).toContain('$["a"][0]');
    expect(firstDifference([Number.NaN], [Number.NaN])).toBeNull();
    expect(firstDifference(new Set([1, 2]), new Set([2, 1]))).not.toBeNull();
    expect(firstDifference({ a: 1, b: 2 }, { b: 2, a: 1 })).toContain('keys');
    expect(firstDifference(1n, 1)).not.toBeNull();
  });
});

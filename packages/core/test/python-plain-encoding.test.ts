import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  InMemoryPersister,
  InMemoryStore,
  SERDE_KEY,
  SerializationError,
  State,
  UnsupportedValueError,
  VALUE_ENCODING_KWARG,
  decodeState,
  encodeState,
  encodeValueJson,
  parsePythonJson,
  registerSerde,
  unregisterSerde,
  type SerdeKwargs,
  type ValueEncoding,
} from '@burr/core';

const PLAIN = { valueEncoding: 'python-plain' } as const;

/** The SerializationError thrown by `run`, or a failure when it throws something else. */
function serializationErrorOf(run: () => unknown): SerializationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error('expected a SerializationError, nothing was thrown');
}

describe("valueEncoding: 'python-plain' writes only what stock Python Burr reads", () => {
  it('writes a bigint of any size as a bare integer, a Date as ISO text, a Set as a list, a string-keyed Map as an object, bytes as base64', () => {
    const values = {
      small: 5n,
      negative: -7n,
      big: 2n ** 64n + 1n,
      when: new Date('2026-11-22T01:57:00.123Z'),
      tags: new Set(['a', 'b']),
      scores: new Map([
        ['ann', 1],
        ['bob', 2],
      ]),
      bytes: new Uint8Array([0, 1, 254, 255]),
    };
    const json = encodeState(new State(values), PLAIN);
    expect(json).toBe('{"small":5,"negative":-7,"big":18446744073709551617,"when":"2026-11-22T01:57:00.123Z","tags":["a","b"],"scores":{"ann":1,"bob":2},"bytes":"AAH+/w=="}');
    expect(json).not.toContain(SERDE_KEY);
  });

  it('reads back as the documented plain types: numbers (bigint beyond 2^53), strings, arrays, objects', () => {
    const json = encodeState(new State({ small: 5n, big: 2n ** 60n, when: new Date(0), tags: new Set([1, 2]), scores: new Map([['k', 1]]), bytes: new Uint8Array([1]) }), PLAIN);
    expect(decodeState(json).getAll()).toEqual({
      small: 5,
      big: 2n ** 60n,
      when: '1970-01-01T00:00:00.000Z',
      tags: [1, 2],
      scores: { k: 1 },
      bytes: 'AQ==',
    });
  });

  it('converts built-in types nested inside one another and inside plain data', () => {
    const nested = {
      list: [new Map([['when', new Set([new Date(0)])]])],
      inner: { counts: new Map([['x', [1n, new Uint8Array([255])]]]) },
    };
    const json = encodeState(new State({ nested }), PLAIN);
    expect(JSON.parse(json)).toEqual({ nested: { list: [{ when: ['1970-01-01T00:00:00.000Z'] }], inner: { counts: { x: [1, '/w=='] } } } });
    // The caller's values are not changed by the walk.
    expect(nested.inner.counts.get('x')?.[0]).toBe(1n);
  });

  it('keeps Python number tokens (NaN, Infinity, -0.0) and floats beyond 2^53 as the default encoding does', () => {
    const json = encodeState(new State({ nan: Number.NaN, inf: -Infinity, neg0: -0, huge: 1e20, n: 1n }), PLAIN);
    expect(json).toBe('{"nan":NaN,"inf":-Infinity,"neg0":-0.0,"huge":100000000000000000000.0,"n":1}');
  });

  it('still refuses NaN for a backend that rejects it (PostgreSQL JSONB)', () => {
    expect(() => encodeState(new State({ m: new Map([['x', Number.NaN]]) }), { ...PLAIN, nonFiniteNumbers: 'reject' })).toThrow(UnsupportedValueError);
  });

  it('writes a Map key "__proto__" as an ordinary member', () => {
    const json = encodeState(new State({ m: new Map([['__proto__', 1]]) }), PLAIN);
    expect(json).toBe('{"m":{"__proto__":1}}');
    const back = decodeState(json).get('m') as Record<string, unknown>;
    expect(Object.getPrototypeOf(back)).toBe(Object.prototype);
    expect(Object.keys(back)).toEqual(['__proto__']);
  });

  it.each([
    ['a number key', new Map([[1, 'a']]), /key 1 \(number\)/],
    ['a bigint key', new Map([[2n, 'a']]), /key 2n/],
    ['an object key', new Map([[{ id: 1 }, 'a']]), /key of type Object/],
    ['a Date key', new Map([[new Date(0), 'a']]), /key of type Date/],
    ['the tag key', new Map([[SERDE_KEY, 'a']]), /tagged value/],
  ])('refuses a Map with %s, naming its path, before anything is written', async (_what, map, reason) => {
    const error = serializationErrorOf(() => encodeState(new State({ outer: { list: [map] } }), PLAIN));
    expect(error.keyPath).toEqual(['outer', 'list', 0]);
    expect(error.message).toMatch(reason);

    const persister = new InMemoryPersister({ store: new InMemoryStore(), serdeKwargs: { [VALUE_ENCODING_KWARG]: 'python-plain' } });
    await persister.initialize();
    await expect(persister.save(saveArgs(new State({ outer: { list: [map] } })))).rejects.toBeInstanceOf(SerializationError);
    expect(await persister.load('p', 'app')).toBeNull();
  });

  it('names the Map key in the path of a value inside it that cannot be stored', () => {
    const error = serializationErrorOf(() => encodeState(new State({ m: new Map([['cb', () => 1]]) }), PLAIN));
    expect(error.keyPath).toEqual(['m', 'cb']);
  });

  it('still refuses what no encoding can store: an invalid Date, a cycle through a Map, a class without a serde', () => {
    expect(serializationErrorOf(() => encodeState(new State({ d: new Date(Number.NaN) }), PLAIN)).message).toContain('invalid Date');
    const cyclic = new Map<string, unknown>();
    cyclic.set('self', cyclic);
    expect(serializationErrorOf(() => encodeState(new State({ cyclic }), PLAIN)).message).toContain('circular');
    class Point {}
    expect(serializationErrorOf(() => encodeState(new State({ p: new Point() }), PLAIN)).message).toContain('no serde');
  });

  it('still tags values of a registered serde: Python needs a deserializer for that tag', () => {
    class Money {
      constructor(readonly cents: number) {}
    }
    registerSerde<Money>({
      tag: 'money',
      matches: (value): value is Money => value instanceof Money,
      serialize: (money) => ({ cents: money.cents, at: new Date(0) }),
      deserialize: (payload) => new Money((payload as { cents: number }).cents),
    });
    try {
      const json = encodeState(new State({ price: new Money(250) }), PLAIN);
      // The payload the serde returned is itself written plainly.
      expect(JSON.parse(json)).toEqual({ price: { [SERDE_KEY]: 'money', value: { cents: 250, at: '1970-01-01T00:00:00.000Z' } } });
      expect(decodeState(json).get('price')).toEqual(new Money(250));
    } finally {
      unregisterSerde('money');
    }
  });

  it('writes back a value tagged by a serde nobody registered here unchanged', () => {
    const stored = `{"model": {"${SERDE_KEY}": "pydantic", "value": {"a": 1}, "class": "m.M"}}`;
    expect(JSON.parse(encodeState(decodeState(stored), PLAIN))).toEqual(JSON.parse(stored));
  });
});

describe('choosing the value encoding', () => {
  const values = { n: 5n, when: new Date(0) };
  const tagged = `{"n":{"${SERDE_KEY}":"bigint","value":"5"},"when":{"${SERDE_KEY}":"date","value":"1970-01-01T00:00:00.000Z"}}`;
  const plain = '{"n":5,"when":"1970-01-01T00:00:00.000Z"}';

  it("defaults to 'tagged', which reads back as the same types", () => {
    const json = encodeState(new State(values));
    expect(json).toBe(tagged);
    expect(encodeState(new State(values), { valueEncoding: 'tagged' })).toBe(tagged);
    expect(decodeState(json).getAll()).toEqual(values);
  });

  it('takes the valueEncoding serde kwarg when no option is given, and the option over the kwarg', () => {
    const kwargs: SerdeKwargs = { [VALUE_ENCODING_KWARG]: 'python-plain' };
    expect(encodeState(new State(values), { kwargs })).toBe(plain);
    expect(encodeState(new State(values), { kwargs, valueEncoding: 'tagged' })).toBe(tagged);
    expect(encodeValueJson(values, { kwargs })).toBe(plain);
  });

  it('refuses an unknown encoding with a SerializationError', () => {
    expect(() => encodeState(new State(values), { kwargs: { valueEncoding: 'plain' } })).toThrow(/unknown value encoding "plain"/);
    expect(() => encodeState(new State(values), { valueEncoding: 'json' as ValueEncoding })).toThrow(SerializationError);
  });

  it('applies to every save of a persister given it in serdeKwargs, and setSerdeKwargs() switches it', async () => {
    const store = new InMemoryStore();
    const persister = new InMemoryPersister({ store, serdeKwargs: { valueEncoding: 'python-plain' } });
    await persister.initialize();
    await persister.save(saveArgs(new State(values)));
    expect([...store.records.values()][0]?.state).toBe(plain);
    // Saving the same step again is idempotent, not a conflict.
    await persister.save(saveArgs(new State(values)));
    expect((await persister.load('p', 'app', 0))?.state.getAll()).toEqual({ n: 5, when: '1970-01-01T00:00:00.000Z' });

    persister.setSerdeKwargs({});
    await persister.save(saveArgs(new State(values), 1));
    expect((await persister.load('p', 'app', 1))?.state.getAll()).toEqual(values);
  });

  it('passes the kwarg on to custom serializers like any other kwarg', () => {
    let seen: SerdeKwargs | undefined;
    class Box {}
    registerSerde<Box>({
      tag: 'box',
      matches: (value): value is Box => value instanceof Box,
      serialize: (_box, kwargs) => {
        seen = kwargs;
        return null;
      },
      deserialize: () => new Box(),
    });
    try {
      encodeState(new State({ box: new Box() }), { kwargs: { valueEncoding: 'python-plain', unit: 'USD' } });
      expect(seen).toEqual({ valueEncoding: 'python-plain', unit: 'USD' });
    } finally {
      unregisterSerde('box');
    }
  });
});

/** What python-plain should write for `value`, as parsed JSON: an independent model of the rules. */
function plainModel(value: unknown): unknown {
  if (typeof value === 'bigint') return value >= -(2n ** 53n - 1n) && value <= 2n ** 53n - 1n ? Number(value) : value;
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Set) return [...value].map(plainModel);
  if (value instanceof Map) return Object.fromEntries([...value].map(([key, item]) => [key, plainModel(item)]));
  if (Array.isArray(value)) return value.map(plainModel);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plainModel(item)]));
  return value;
}

/** Whether a Map anywhere in `value` has a key that is not a string. */
function hasNonStringMapKey(value: unknown): boolean {
  if (value instanceof Map) return [...value].some(([key, item]) => typeof key !== 'string' || hasNonStringMapKey(item));
  if (value instanceof Set) return [...value].some(hasNonStringMapKey);
  if (Array.isArray(value)) return value.some(hasNonStringMapKey);
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !(value instanceof Uint8Array)) return Object.values(value).some(hasNonStringMapKey);
  return false;
}

/** Whether parsed JSON holds an object with the tag key. */
function holdsTag(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(holdsTag);
  if (value !== null && typeof value === 'object') return SERDE_KEY in value || Object.values(value).some(holdsTag);
  return false;
}

describe('python-plain on arbitrary values (property)', () => {
  const key = fc.string({ maxLength: 6 }).filter((text) => text !== SERDE_KEY && text !== '__proto__');
  const { value } = fc.letrec<{ value: unknown; leaf: unknown }>((tie) => ({
    leaf: fc.oneof(
      fc.string({ maxLength: 6 }),
      fc.double(),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
      fc.constantFrom(2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n),
      fc.date({ noInvalidDate: true }),
      fc.uint8Array({ maxLength: 8 }),
    ),
    value: fc.oneof(
      { depthSize: 'small' },
      tie('leaf'),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(key, tie('value'), { maxKeys: 4 }),
      fc
        .array(fc.tuple(fc.oneof({ weight: 9, arbitrary: key }, { weight: 1, arbitrary: fc.integer() }), tie('value')), { maxLength: 3 })
        .map((entries) => new Map<unknown, unknown>(entries)),
      fc.array(tie('value'), { maxLength: 3 }).map((items) => new Set(items)),
    ),
  }));

  it('writes plain JSON (no tags) that parses to the model of the rules, or refuses a non-string Map key with a SerializationError', () => {
    fc.assert(
      fc.property(value, (item) => {
        if (hasNonStringMapKey(item)) {
          expect(() => encodeState(new State({ item }), PLAIN)).toThrow(SerializationError);
          return;
        }
        const parsed = parsePythonJson(encodeState(new State({ item }), PLAIN)) as { item: unknown };
        expect(holdsTag(parsed)).toBe(false);
        expect(parsed.item).toEqual(plainModel(item));
      }),
      { numRuns: 500 },
    );
  });
});

function saveArgs(state: State, sequenceId = 0) {
  return { partitionKey: 'p', appId: 'app', sequenceId, position: 'step', state, status: 'completed' as const };
}

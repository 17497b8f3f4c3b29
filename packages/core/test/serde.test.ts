import { afterEach, describe, expect, it } from 'vitest';
import {
  DeserializationError,
  SERDE_KEY,
  SerializationError,
  State,
  UnsupportedValueError,
  decodeState,
  encodeState,
  registerFieldSerde,
  registerSerde,
  unregisterFieldSerde,
  unregisterSerde,
  type SerdeKwargs,
} from '@burr/core';

/** Encodes `{ value }` and decodes it again. */
function roundTrip(value: unknown): unknown {
  return decodeState(encodeState(new State({ value }))).get('value');
}

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

describe('built-in tagged types', () => {
  it('writes a Date as an ISO string tag and reads it back', () => {
    const when = new Date('2026-11-22T01:57:00.123Z');
    const json = encodeState(new State({ when }));
    expect(JSON.parse(json)).toEqual({ when: { [SERDE_KEY]: 'date', value: '2026-11-22T01:57:00.123Z' } });
    const back = decodeState(json).get('when');
    expect(back).toBeInstanceOf(Date);
    expect((back as Date).getTime()).toBe(when.getTime());
  });

  it('round-trips a Map with non-string keys and tagged values inside, keeping entry order', () => {
    const map = new Map<unknown, unknown>([
      ['b', 1],
      [2, new Date(0)],
      ['a', new Set(['x'])],
    ]);
    const back = roundTrip(map) as Map<unknown, unknown>;
    expect(back).toBeInstanceOf(Map);
    expect([...back.keys()]).toEqual(['b', 2, 'a']);
    expect(back.get(2)).toEqual(new Date(0));
    expect(back.get('a')).toEqual(new Set(['x']));
  });

  it('round-trips a Set, keeping its order', () => {
    const back = roundTrip(new Set([3, 'two', 1])) as Set<unknown>;
    expect(back).toBeInstanceOf(Set);
    expect([...back]).toEqual([3, 'two', 1]);
  });

  it('writes a bigint as a tag whatever its size, and keeps it a bigint', () => {
    const big = 2n ** 64n + 1n;
    const json = encodeState(new State({ n: 42n, neg: -7n, big, negBig: -big, nested: [{ big }] }));
    expect(JSON.parse(json)).toEqual({
      n: { [SERDE_KEY]: 'bigint', value: '42' },
      neg: { [SERDE_KEY]: 'bigint', value: '-7' },
      big: { [SERDE_KEY]: 'bigint', value: String(big) },
      negBig: { [SERDE_KEY]: 'bigint', value: String(-big) },
      nested: [{ big: { [SERDE_KEY]: 'bigint', value: String(big) } }],
    });
    const back = decodeState(json);
    expect(back.get('n')).toBe(42n);
    expect(back.get('neg')).toBe(-7n);
    expect(back.get('big')).toBe(big);
    expect(back.get('negBig')).toBe(-big);
    expect(back.get('nested')).toEqual([{ big }]);
  });

  it('writes bigints on both sides of 2^53 the same way', () => {
    const json = encodeState(new State({ safe: 2n ** 53n - 1n, unsafe: 2n ** 53n }));
    expect(json).toBe(`{"safe":{"${SERDE_KEY}":"bigint","value":"9007199254740991"},"unsafe":{"${SERDE_KEY}":"bigint","value":"9007199254740992"}}`);
    const back = decodeState(json);
    expect(back.get('safe')).toBe(2n ** 53n - 1n);
    expect(back.get('unsafe')).toBe(2n ** 53n);
  });

  it('reads both forms of a big integer: the tag, and the bare literal Python (or an earlier version of ours) writes', () => {
    const back = decodeState(
      `{"tagged": {"${SERDE_KEY}": "bigint", "value": "100000000000000000000"}, "bare": 100000000000000000000, "small": {"${SERDE_KEY}": "bigint", "value": "5"}}`,
    );
    expect(back.get('tagged')).toBe(10n ** 20n);
    expect(back.get('bare')).toBe(10n ** 20n);
    expect(back.get('small')).toBe(5n);
  });

  it('round-trips a Uint8Array (and a Buffer view of part of a larger buffer) as base64 bytes', () => {
    const bytes = new Uint8Array([0, 1, 254, 255]);
    expect(JSON.parse(encodeState(new State({ bytes }))).bytes).toEqual({ [SERDE_KEY]: 'bytes', value: 'AAH+/w==' });
    expect(roundTrip(bytes)).toEqual(bytes);
    const slice = Buffer.from([9, 8, 7, 6, 5]).subarray(1, 3);
    const back = roundTrip(slice) as Uint8Array;
    expect(back).toBeInstanceOf(Uint8Array);
    expect([...back]).toEqual([8, 7]);
  });

  it('keeps a number that is an integer beyond 2^53 a number (written as a float Python reads as float)', () => {
    const json = encodeState(new State({ big: 1e20, neg: -(2 ** 60), huge: 1e300 }));
    expect(json).not.toMatch(/:100000000000000000000[,}]/);
    const back = decodeState(json);
    expect(back.get('big')).toBe(1e20);
    expect(back.get('neg')).toBe(-(2 ** 60));
    expect(back.get('huge')).toBe(1e300);
  });

  it('refuses to shadow a built-in tag', () => {
    expect(() => registerSerde({ tag: 'date', matches: (v): v is Date => v instanceof Date, serialize: () => 0, deserialize: () => new Date() })).toThrow(TypeError);
  });
});

class Money {
  constructor(
    readonly cents: bigint,
    readonly currency: string,
    readonly at: Date,
  ) {}
}

describe('registerSerde', () => {
  afterEach(() => unregisterSerde('money'));

  it('stores a custom class through its serde, a Date nested in the payload included, and passes kwargs both ways', () => {
    const seen: SerdeKwargs[] = [];
    registerSerde<Money>({
      tag: 'money',
      matches: (value): value is Money => value instanceof Money,
      serialize: (money, kwargs) => {
        seen.push(kwargs);
        return { cents: money.cents.toString(), currency: money.currency, at: money.at };
      },
      deserialize: (payload, kwargs) => {
        seen.push(kwargs);
        const p = payload as { cents: string; currency: string; at: Date };
        expect(p.at).toBeInstanceOf(Date);
        return new Money(BigInt(p.cents), p.currency, p.at);
      },
    });
    const price = new Money(1999n, 'EUR', new Date('2026-01-02T03:04:05.000Z'));
    const json = encodeState(new State({ price, list: [price] }), { kwargs: { mode: 'test' } });
    expect(JSON.parse(json).price).toEqual({
      [SERDE_KEY]: 'money',
      value: { cents: '1999', currency: 'EUR', at: { [SERDE_KEY]: 'date', value: '2026-01-02T03:04:05.000Z' } },
    });
    const back = decodeState(json, { mode: 'test' });
    const money = back.get('price') as Money;
    expect(money).toBeInstanceOf(Money);
    expect(money.cents).toBe(1999n);
    expect(money.at.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect((back.get('list') as Money[])[0]).toBeInstanceOf(Money);
    expect(seen).toHaveLength(4);
    for (const kwargs of seen) expect(kwargs).toEqual({ mode: 'test' });
  });

  it('wraps a deserializer failure in a DeserializationError naming the tag', () => {
    registerSerde<Money>({
      tag: 'money',
      matches: (value): value is Money => value instanceof Money,
      serialize: () => 'x',
      deserialize: () => {
        throw new Error('boom');
      },
    });
    expect(() => decodeState(`{"m": {"${SERDE_KEY}": "money", "value": "x"}}`)).toThrow(DeserializationError);
    expect(() => decodeState(`{"m": {"${SERDE_KEY}": "money", "value": "x"}}`)).toThrow(/"money".*boom/);
  });

  it('turns a serializer failure into a SerializationError at the value path', () => {
    registerSerde<Money>({
      tag: 'money',
      matches: (value): value is Money => value instanceof Money,
      serialize: () => {
        throw new Error('no rates today');
      },
      deserialize: () => new Money(0n, '', new Date(0)),
    });
    const error = serializationErrorOf(() => encodeState(new State({ cart: { total: new Money(1n, 'EUR', new Date(0)) } })));
    expect(error.keyPath).toEqual(['cart', 'total']);
    expect(error.message).toContain('no rates today');
    expect(error.cause).toBeInstanceOf(Error);
  });
});

describe('registerFieldSerde', () => {
  afterEach(() => unregisterFieldSerde('secret'));

  it('serializes one top-level field with its own functions, and no other field', () => {
    registerFieldSerde<string>('secret', {
      serialize: (value) => ({ reversed: [...value].reverse().join('') }),
      deserialize: (stored) => [...(stored as { reversed: string }).reversed].reverse().join(''),
    });
    const json = encodeState(new State({ secret: 'abc', other: 'abc', nested: { secret: 'abc' } }));
    expect(JSON.parse(json)).toEqual({ secret: { reversed: 'cba' }, other: 'abc', nested: { secret: 'abc' } });
    expect(decodeState(json).getAll()).toEqual({ secret: 'abc', other: 'abc', nested: { secret: 'abc' } });
  });

  it('hands the field deserializer the same kinds of values its serializer returned (a Date stays a Date)', () => {
    registerFieldSerde<{ when: Date }>('secret', {
      serialize: (value) => ({ when: value.when }),
      deserialize: (stored) => {
        const when = (stored as { when: unknown }).when;
        if (!(when instanceof Date)) throw new Error(`expected a Date, got ${JSON.stringify(when)}`);
        return { when };
      },
    });
    const back = decodeState(encodeState(new State({ secret: { when: new Date(5) } })));
    expect(back.get('secret')).toEqual({ when: new Date(5) });
  });

  it('validates what the field serializer returns and wraps its failures', () => {
    registerFieldSerde<unknown>('secret', { serialize: () => ({ fn: () => 1 }), deserialize: (v) => v });
    expect(serializationErrorOf(() => encodeState(new State({ secret: 1 }))).keyPath).toEqual(['secret', 'fn']);
    registerFieldSerde<unknown>('secret', {
      serialize: () => {
        throw new Error('nope');
      },
      deserialize: (v) => v,
    });
    expect(serializationErrorOf(() => encodeState(new State({ secret: 1 }))).keyPath).toEqual(['secret']);
  });

  it('wraps a field deserializer failure in a DeserializationError naming the field', () => {
    registerFieldSerde<unknown>('secret', {
      serialize: (v) => v,
      deserialize: () => {
        throw new Error('bad');
      },
    });
    expect(() => decodeState('{"secret": 1}')).toThrow(DeserializationError);
    expect(() => decodeState('{"secret": 1}')).toThrow(/"secret".*bad/);
  });
});

describe('tags nobody registered', () => {
  const pythonTagged = `{"msg": {"${SERDE_KEY}": "pydantic", "__pydantic_class": "app.models.Message", "text": "hi"}}`;

  it('read back as plain objects, nothing lost', () => {
    const msg = decodeState(pythonTagged).get('msg');
    expect(msg).toEqual({ [SERDE_KEY]: 'pydantic', __pydantic_class: 'app.models.Message', text: 'hi' });
    expect(Object.getPrototypeOf(msg)).toBe(Object.prototype);
  });

  it('are written back unchanged, so a state loaded from Python can be saved again', () => {
    const state = decodeState(pythonTagged).update({ more: 1 });
    expect(JSON.parse(encodeState(state))).toEqual({ ...JSON.parse(pythonTagged), more: 1 });
  });
});

describe('SerializationError names the key path', () => {
  it('for a function', () => {
    const error = serializationErrorOf(() => encodeState(new State({ a: { list: [0, 1, { callback: function onDone() {} }] } })));
    expect(error.code).toBe('BURR_SERIALIZATION');
    expect(error.keyPath).toEqual(['a', 'list', 2, 'callback']);
    expect(error.message).toContain('a.list[2].callback');
    expect(error.message).toContain('onDone');
  });

  it('for a symbol', () => {
    expect(serializationErrorOf(() => encodeState(new State({ tags: [Symbol('x')] }))).keyPath).toEqual(['tags', 0]);
  });

  it('for a class instance with no serde', () => {
    class Connection {}
    const error = serializationErrorOf(() => encodeState(new State({ db: { conn: new Connection() } })));
    expect(error.keyPath).toEqual(['db', 'conn']);
    expect(error.message).toContain('Connection');
    expect(error.message).toContain('registerSerde');
  });

  it('for a circular reference (while a shared, non-circular reference is fine)', () => {
    const node: Record<string, unknown> = { name: 'root' };
    node.children = [{ parent: node }];
    const error = serializationErrorOf(() => encodeState(new State({ tree: node })));
    expect(error.keyPath).toEqual(['tree', 'children', 0, 'parent']);
    expect(error.message).toContain('circular');
    const shared = { x: 1 };
    expect(decodeState(encodeState(new State({ a: [shared, shared] }))).get('a')).toEqual([{ x: 1 }, { x: 1 }]);
  });

  it('for an invalid Date', () => {
    expect(serializationErrorOf(() => encodeState(new State({ when: new Date('not a date') }))).keyPath).toEqual(['when']);
  });

  it('for a user key named __burr_serde__', () => {
    const error = serializationErrorOf(() => encodeState(new State({ data: { [SERDE_KEY]: 'date', value: 'x' } })));
    expect(error.keyPath).toEqual(['data', SERDE_KEY]);
    expect(error.message).toContain('reserved');
  });

  it('for a bad value inside a Map or a Set', () => {
    expect(serializationErrorOf(() => encodeState(new State({ m: new Map([['k', () => 1]]) }))).keyPath).toEqual(['m', 0]);
    expect(serializationErrorOf(() => encodeState(new State({ s: new Set([1, Symbol('s')]) }))).keyPath).toEqual(['s', 1]);
  });

  it('names keys that are not identifiers readably', () => {
    expect(serializationErrorOf(() => encodeState(new State({ 'my key': [() => 1] }))).message).toContain('["my key"][0]');
  });
});

describe('reading what Python writes', () => {
  it('accepts NaN, Infinity, -Infinity, -0.0, 1e+22 and 1e-07', () => {
    const state = decodeState('{"nan": NaN, "inf": Infinity, "ninf": -Infinity, "neg0": -0.0, "bigf": 1e+22, "exp": 1e-07, "list": [NaN, -Infinity]}');
    expect(state.get('nan')).toBeNaN();
    expect(state.get('inf')).toBe(Infinity);
    expect(state.get('ninf')).toBe(-Infinity);
    expect(Object.is(state.get('neg0'), -0)).toBe(true);
    expect(state.get('bigf')).toBe(1e22);
    expect(state.get('exp')).toBe(1e-7);
    expect(state.get('list')).toEqual([NaN, -Infinity]);
  });

  it('reads -0.0 as negative zero without any other Python token in the document', () => {
    expect(Object.is(decodeState('{"neg0": -0.0}').get('neg0'), -0)).toBe(true);
  });

  it('reads integers beyond 2^53 as bigint, and safe integers of 16 digits as numbers', () => {
    const state = decodeState('{"big": 100000000000000000000, "neg": -9007199254740993, "edge": 9007199254740992, "safe": 9007199254740991, "sixteen": 1234567890123456}');
    expect(state.get('big')).toBe(100000000000000000000n);
    expect(state.get('neg')).toBe(-9007199254740993n);
    expect(state.get('edge')).toBe(9007199254740992n);
    expect(state.get('safe')).toBe(9007199254740991);
    expect(state.get('sixteen')).toBe(1234567890123456);
  });

  it('reads \\u escapes, surrogate pairs and Python whitespace', () => {
    const state = decodeState('{ "s" : "\\u00e9\\u4e2d\\ud83d\\ude00" ,\n "t": "NaN" }');
    expect(state.get('s')).toBe('é中😀');
    expect(state.get('t')).toBe('NaN');
  });

  it('rejects malformed text with a DeserializationError', () => {
    for (const bad of ['not json', '{"a": NaN', '{"a": 1} trailing', '[1, 2]', '{"a": nan}', '{"a": 01}', '"text"', '{"a": [1,]}']) {
      expect(() => decodeState(bad), bad).toThrow(DeserializationError);
    }
  });

  it('rejects a built-in tag whose payload is broken, naming the tag', () => {
    const broken = [
      ['bigint', '"12x"'],
      ['date', '"yesterday"'],
      ['date', '12'],
      ['map', '5'],
      ['set', 'null'],
      ['map', 'null'],
      ['map', '[[1, 2, 3]]'],
    ];
    for (const [tag, payload] of broken) {
      const json = `{"v": {"${SERDE_KEY}": "${tag}", "value": ${payload}}}`;
      expect(() => decodeState(json), json).toThrow(DeserializationError);
      expect(() => decodeState(json), json).toThrow(`"${tag}"`);
    }
  });
});

describe('strings and keys', () => {
  it('round-trips a NUL character, emoji, a lone surrogate and control characters', () => {
    const values = ['a\u0000b', '😀👍🏽', '\ud800', 'tab\tnewline\nquote"backslash\\', ''];
    expect(roundTrip(values)).toEqual(values);
  });

  it('keeps a key named "__proto__" as data, at the top level and nested, in both parse paths', () => {
    for (const json of ['{"__proto__": {"polluted": 1}, "o": {"__proto__": {"polluted": 2}}}', '{"__proto__": {"polluted": NaN}, "o": {"__proto__": {"polluted": NaN}}}']) {
      const state = decodeState(json);
      expect(state.keys()).toEqual(['__proto__', 'o']);
      const o = state.get('o') as Record<string, unknown>;
      expect(Object.getPrototypeOf(o)).toBe(Object.prototype);
      expect(Object.keys(o)).toEqual(['__proto__']);
      expect(Object.getOwnPropertyDescriptor(o, '__proto__')?.value).toHaveProperty('polluted');
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
      const all = state.getAll();
      expect(Object.getPrototypeOf(all)).toBe(Object.prototype);
      expect(Object.keys(all)).toEqual(['__proto__', 'o']);
      // ...and it is written back as data too.
      const again = decodeState(encodeState(state));
      expect(again.keys()).toEqual(['__proto__', 'o']);
      expect(Object.keys(again.get('o') as object)).toEqual(['__proto__']);
      expect(encodeState(state)).toContain('"o":{"__proto__":{"polluted":');
    }
  });
});

describe('encodeState options', () => {
  it("nonFiniteNumbers: 'reject' refuses NaN and ±Infinity with an UnsupportedValueError naming the path", () => {
    const cases: Array<[unknown, string, Array<string | number>]> = [
      [{ stats: { ratio: Number.NaN } }, 'value.stats.ratio', ['value', 'stats', 'ratio']],
      [[1, Infinity], 'value[1]', ['value', 1]],
      [new Map([['k', -Infinity]]), 'value[0]', ['value', 0]],
    ];
    for (const [value, path, keyPath] of cases) {
      let caught: unknown;
      try {
        encodeState(new State({ ok: 1, value }), { nonFiniteNumbers: 'reject' });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(UnsupportedValueError);
      expect((caught as UnsupportedValueError).code).toBe('BURR_UNSUPPORTED_VALUE');
      expect((caught as Error).message).toContain(path);
      expect((caught as UnsupportedValueError).keyPath).toEqual(keyPath);
    }
  });

  it("nonFiniteNumbers: 'reject' still stores -0 and finite numbers", () => {
    const json = encodeState(new State({ neg0: -0, x: 1.5 }), { nonFiniteNumbers: 'reject' });
    expect(Object.is(decodeState(json).get('neg0'), -0)).toBe(true);
  });

  it("the default writes Python's bare tokens", () => {
    expect(encodeState(new State({ a: NaN, b: Infinity, c: -Infinity, d: -0, e: [NaN] }))).toBe('{"a":NaN,"b":Infinity,"c":-Infinity,"d":-0.0,"e":[NaN]}');
  });

  it('leaves out object members that are undefined, as JSON does (top-level and array undefined are refused: see value-refusals.test.ts)', () => {
    const json = encodeState(new State<Record<string, unknown>>({ o: { gone: undefined, kept: 1 } }));
    expect(json).toBe('{"o":{"kept":1}}');
  });
});

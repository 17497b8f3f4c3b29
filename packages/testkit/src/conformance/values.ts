import assert from 'node:assert/strict';
import { registerSerde, SerializationError, State, UnsupportedValueError, unregisterSerde, type SerdeKwargs } from '@burr/core';
import { newAppId, stepState, type SuiteContext } from './context.js';

/** What a state may hold, and that it comes back exactly. */
export function valueCases({ api, harness, capabilities, fresh }: SuiteContext): void {
  const { it } = api;

  const roundTrip = async (values: Record<string, unknown>): Promise<State> => {
    const persister = await fresh();
    const appId = newAppId('values');
    await persister.save({ appId, sequenceId: 0, position: 'p', state: stepState(values, 0), status: 'completed' });
    const loaded = await persister.load(null, appId);
    assert.ok(loaded, 'the saved step must load');
    return loaded.state;
  };

  it('round-trips unicode, emoji, escapes, nested data and tagged built-ins', async () => {
    const values = {
      text: 'héllo 中文 😀 \u{1F468}\u200D\u{1F469}\u200D\u{1F467} "quotes" \\back\\slash\\u0000 \n\t',
      lone: '\u00e9',
      numbers: [0, 1, -1, 0.1, 1e-7, 1e22, Number.MAX_SAFE_INTEGER, -0.5],
      big: 12345678901234567890123n,
      small: 42n,
      nested: { b: [{ c: null, d: true }], a: 'x', '5': 'integer-like key' },
      when: new Date('2026-11-22T01:57:00.123Z'),
      map: new Map<unknown, unknown>([
        ['k', 1],
        [2, ['v']],
      ]),
      set: new Set(['a', 'b']),
      bytes: new Uint8Array([0, 1, 254, 255]),
    };
    const state = await roundTrip(values);
    assert.deepEqual(state.getAll(), { ...values, __SEQUENCE_ID: 0, __PRIOR_STEP: 'step' });
  });

  it('round-trips a 1 MB state', async () => {
    const chunk = `${'x'.repeat(1023)}\u00e9`;
    const history = Array.from({ length: 1024 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: chunk }));
    const state = await roundTrip({ history });
    assert.equal((state.get('history') as unknown[]).length, 1024);
    assert.deepEqual(state.get('history'), history);
  });

  if (capabilities.storesNulCharacter) {
    it('round-trips a NUL character inside strings', async () => {
      const state = await roundTrip({ nul: 'a\u0000b' });
      assert.equal(state.get('nul'), 'a\u0000b');
    });
  } else {
    it('refuses a NUL character with UnsupportedValueError and stores nothing', async () => {
      const persister = await fresh();
      await assert.rejects(persister.save({ appId: 'nul', sequenceId: 0, position: 'p', state: new State({ nul: 'a\u0000b' }), status: 'completed' }), UnsupportedValueError);
      assert.equal(await persister.load(null, 'nul'), null);
    });
  }

  if (capabilities.storesNonFiniteNumbers) {
    it('round-trips NaN, Infinity, -Infinity and -0 (as Python writes them)', async () => {
      const state = await roundTrip({ nan: NaN, inf: Infinity, ninf: -Infinity, negzero: -0 });
      assert.ok(Number.isNaN(state.get('nan')));
      assert.equal(state.get('inf'), Infinity);
      assert.equal(state.get('ninf'), -Infinity);
      assert.ok(Object.is(state.get('negzero'), -0));
    });
  } else {
    it('refuses NaN and Infinity with UnsupportedValueError naming the key, and stores nothing', async () => {
      const persister = await fresh();
      await assert.rejects(
        persister.save({ appId: 'nan', sequenceId: 0, position: 'p', state: new State({ deep: { list: [1, NaN] } }), status: 'completed' }),
        (error: unknown) => error instanceof UnsupportedValueError && error.message.includes('deep.list[1]'),
      );
      assert.equal(await persister.load(null, 'nan'), null);
    });
  }

  it('refuses a value it cannot serialize, naming the key path, before writing anything', async () => {
    const persister = await fresh();
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ items: [1, { callback: () => 1 }] }, 'items[1].callback'],
      [{ loop: circular }, 'loop.self'],
      [{ when: new (class Custom {})() }, 'when'],
    ];
    for (const [values, path] of cases) {
      const error = await persister.save({ appId: 'unserializable', sequenceId: 0, position: 'p', state: new State(values), status: 'completed' }).then(
        () => null,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof SerializationError, `expected SerializationError for ${path}, got ${String(error)}`);
      assert.ok(error.message.includes(path), `${error.message} should name ${path}`);
    }
    assert.equal(await persister.load(null, 'unserializable'), null);
  });

  it('passes serde kwargs to serializers and deserializers, and setSerdeKwargs() replaces them', async () => {
    class Money {
      constructor(
        readonly cents: number,
        readonly currency: string,
      ) {}
    }
    const tag = `conformance-money-${harness.name}`;
    registerSerde<Money>({
      tag,
      matches: (value): value is Money => value instanceof Money,
      serialize: (money, kwargs: SerdeKwargs) => ({ cents: money.cents, unit: kwargs.unit }),
      deserialize: (payload, kwargs: SerdeKwargs) => {
        const { cents, unit } = payload as { cents: number; unit: string };
        return new Money(cents, `${unit}->${String(kwargs.unit)}`);
      },
    });
    try {
      const persister = await fresh({ serdeKwargs: { unit: 'EUR' } });
      await persister.save({ appId: 'money', sequenceId: 0, position: 'p', state: new State({ price: new Money(250, 'EUR') }), status: 'completed' });
      const first = (await persister.load(null, 'money'))?.state.get('price');
      assert.ok(first instanceof Money);
      assert.deepEqual([first.cents, first.currency], [250, 'EUR->EUR']);
      persister.setSerdeKwargs({ unit: 'USD' });
      const second = (await persister.load(null, 'money'))?.state.get('price') as Money;
      assert.equal(second.currency, 'EUR->USD', 'deserializers see the new kwargs');
    } finally {
      unregisterSerde(tag);
    }
  });
}

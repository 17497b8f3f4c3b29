import assert from 'node:assert/strict';
import fc from 'fast-check';
import { MAX_NESTING_DEPTH, SERDE_KEY, SerializationError, State, UnsupportedValueError, type BaseStatePersister } from '@burr/core';
import type { ResolvedCapabilities } from '../harness.js';
import { newAppId, stepState, type SuiteContext } from './context.js';

/** Strings with any UTF-16 unit (lone surrogates included), NUL, escapes and look-alikes of Python's tokens. */
const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udfff', '\ud83d\ude00', '\u0000', '"', '\\', 'NaN', '5', 'é'), maxLength: 6 }),
);
const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 53 + 2, 1e21, 0.1));
const bigint = fc.oneof(fc.bigInt({ min: -(2n ** 100n), max: 2n ** 100n }), fc.constantFrom(2n ** 53n, -(2n ** 53n), 7n));
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    text,
    number,
    bigint,
    fc.boolean(),
    fc.constant(null),
    fc.date({ noInvalidDate: true, min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z') }),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(
      text.filter((key) => key !== SERDE_KEY),
      tie('value'),
      { maxKeys: 4, noNullPrototype: true },
    ),
    fc.array(fc.tuple(text, tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
  ),
}));
const userValues = fc.dictionary(
  text.filter((key) => !key.startsWith('__')),
  value,
  { maxKeys: 5, noNullPrototype: true },
);

/** Why this backend must refuse `values`, per its declared capabilities, or null when it must store them. */
function expectedRefusal(values: unknown, capabilities: ResolvedCapabilities): string | null {
  const found = { nonFinite: false, nul: false, loneSurrogate: false };
  const visitText = (s: string): void => {
    if (s.includes('\u0000')) found.nul = true;
    if (/\p{Surrogate}/u.test(s)) found.loneSurrogate = true;
  };
  const visit = (item: unknown): void => {
    if (typeof item === 'string') visitText(item);
    else if (typeof item === 'number' && !Number.isFinite(item)) found.nonFinite = true;
    else if (item instanceof Map) {
      for (const [key, entry] of item) {
        visit(key);
        visit(entry);
      }
    } else if (Array.isArray(item)) item.forEach(visit);
    else if (item !== null && typeof item === 'object' && !(item instanceof Date)) {
      for (const [key, entry] of Object.entries(item)) {
        visitText(key);
        visit(entry);
      }
    }
  };
  visit(values);
  if (found.nonFinite && !capabilities.storesNonFiniteNumbers) return 'NaN or Infinity';
  if (found.nul && !capabilities.storesNulCharacter) return 'a NUL character';
  if (found.loneSurrogate && capabilities.storesLoneSurrogates === false) return 'an unpaired surrogate';
  return null;
}

/** A copy of `item` with every `-0` made `0`, for backends that declare they read it back so. */
function withoutNegativeZero<T>(item: T): T {
  if (Object.is(item, -0)) return 0 as T;
  if (item instanceof Map) return new Map([...item].map(([key, entry]) => [withoutNegativeZero(key), withoutNegativeZero(entry)])) as T;
  if (Array.isArray(item)) return item.map(withoutNegativeZero) as T;
  if (item !== null && typeof item === 'object' && !(item instanceof Date)) {
    return Object.fromEntries(Object.entries(item).map(([key, entry]) => [key, withoutNegativeZero(entry)])) as T;
  }
  return item;
}

/** Values that cannot come back identical are refused; a fuzz of values that can. */
export function valueFuzzCases({ api, capabilities, fresh }: SuiteContext): void {
  const { it } = api;
  const save = (persister: BaseStatePersister, appId: string, values: Record<string, unknown>) =>
    persister.save({ appId, sequenceId: 0, position: 'p', state: new State(values), status: 'completed' });

  it('refuses values that would not come back identical with SerializationError naming the key path, storing nothing', async () => {
    const persister = await fresh();
    let deep: unknown = 1;
    for (let i = 0; i < MAX_NESTING_DEPTH + 10; i++) deep = [deep];
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test.
    const sparse = [1, , 3];
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ kept: 1, gone: undefined }, 'gone'],
      [{ list: [1, undefined] }, 'list[1]'],
      [{ list: sparse }, 'list[1]'],
      [{ meta: { [Symbol('tag')]: 1 } }, 'meta'],
      [{ deep }, 'deep[0][0]'],
    ];
    for (const [values, path] of cases) {
      const appId = newAppId('refused');
      const error = await save(persister, appId, values).then(
        () => null,
        (caught: unknown) => caught,
      );
      assert.ok(error instanceof SerializationError, `expected SerializationError at ${path}, got ${String(error)}`);
      assert.ok(error.message.includes(path), `${error.message} should name ${path}`);
      assert.equal(await persister.load(null, appId), null);
    }
    assert.deepEqual(await persister.listAppIds(null), []);
  });

  it('leaves out an object member whose value is undefined, as JSON does', async () => {
    const persister = await fresh();
    await save(persister, 'undefined-member', { profile: { name: 'a', nickname: undefined } });
    const loaded = await persister.load(null, 'undefined-member');
    assert.deepEqual(loaded?.state.get('profile'), { name: 'a' });
  });

  it('fuzz: 1,000 random states either load back identical or are refused with UnsupportedValueError as the capabilities say', async () => {
    const persister = await fresh();
    let sequenceId = 0;
    const appId = newAppId('fuzz');
    await fc.assert(
      fc.asyncProperty(userValues, async (values) => {
        const state = stepState(values, sequenceId);
        const refusal = expectedRefusal(values, capabilities);
        const saving = persister.save({ appId, sequenceId, position: 'p', state, status: 'completed' });
        if (refusal) {
          await assert.rejects(saving, UnsupportedValueError, `a state holding ${refusal} must be refused`);
          assert.equal(await persister.load(null, appId, sequenceId), null, 'a refused save stores nothing');
          return;
        }
        await saving;
        const loaded = await persister.load(null, appId, sequenceId++);
        assert.ok(loaded, 'the saved step must load');
        // Without the capability -0 may come back as 0 (PostgreSQL's JSONB), or as -0 (the incremental table keeps the text).
        const [actual, expected] =
          capabilities.preservesNegativeZero === false
            ? [withoutNegativeZero(loaded.state.getAll()), withoutNegativeZero(state.getAll())]
            : [loaded.state.getAll(), state.getAll()];
        assert.deepStrictEqual(actual, expected);
        if (capabilities.preservesKeyOrder !== false) assert.deepEqual(loaded.state.keys(), state.keys());
      }),
      { numRuns: 1_000 },
    );
  }, 300_000);
}

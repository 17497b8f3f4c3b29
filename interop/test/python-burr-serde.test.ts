import { type PersistedStateData, SerializationError, State, VALUE_ENCODING_KWARG } from '@burr/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findPythonBurr, type PythonSerdeOp, type PythonValue } from '../src/python-burr.js';
import { comparable, py, toPython } from '../src/python-values.js';
import { INTEROP_BACKENDS, openInteropStore } from '../src/stores.js';

/**
 * Values that are not plain JSON, between our persisters and the real Python
 * Burr's, on each backend: what Python loads from what we save (after
 * `burr_ts_serde.register()`, and stock with the python-plain encoding), what
 * we load from what Python saves, and what comes back after the other side
 * resumes and saves again. The tables in docs/python-api-mapping.md state the
 * same results.
 */

const python = findPythonBurr();
const PARTITION = 'serde';
const PLAIN_KWARGS = { [VALUE_ENCODING_KWARG]: 'python-plain' } as const;

/** A state's description as `serde_ops.py` prints it: a dict of the keys in order. */
const described = (entries: Record<string, PythonValue>): PythonValue => ({ t: 'dict', v: Object.entries(entries) });
const hidden = (sequenceId: number, position: string) => ({ __SEQUENCE_ID: sequenceId, __PRIOR_STEP: position });

/** Every type we tag, in the shapes that load differently in Python (string and other keys, unhashable and colliding ones). */
const TAGGED_VALUES = {
  when: new Date('2026-11-22T01:57:00.123Z'),
  epoch: new Date(0),
  byName: new Map<string, unknown>([
    ['ann', 1],
    ['bob', new Date(0)],
  ]),
  byNumber: new Map<number, string>([
    [1, 'one'],
    [2.5, 'two and a half'],
  ]),
  byOther: new Map<unknown, string>([
    [false, 'a boolean key'],
    [new Date(0), 'a Date key'],
  ]),
  byList: new Map<unknown, string>([
    [[1, 2], 'a list key'],
    [{ k: 'v' }, 'an object key'],
  ]),
  colliding: new Map<unknown, string>([
    [1, 'the number'],
    [true, 'the boolean'],
  ]),
  emptyMap: new Map(),
  tags: new Set(['a', 'b']),
  mixed: new Set<unknown>([1, 'x', new Date(0)]),
  lists: new Set([[1], [2]]),
  equalInPython: new Set<unknown>([5, 5n]),
  emptySet: new Set(),
  small: 5n,
  negative: -7n,
  safeEdge: 2n ** 53n - 1n,
  aboveSafe: 2n ** 53n + 1n,
  huge: 2n ** 64n,
  negativeHuge: -(2n ** 70n),
  bytes: new Uint8Array([0, 1, 254, 255]),
  noBytes: new Uint8Array(0),
  nested: { list: [new Map([['inner', new Set([1n])]])] },
};

/** What Python's `load()` returns for {@link TAGGED_VALUES} after `burr_ts_serde.register()`. */
const TAGGED_IN_PYTHON = {
  when: py.datetime('2026-11-22T01:57:00.123000+00:00'),
  epoch: py.datetime('1970-01-01T00:00:00+00:00'),
  byName: py.tsMap(['ann', py.int(1)], ['bob', py.datetime('1970-01-01T00:00:00+00:00')]),
  byNumber: py.tsMap([py.int(1), 'one'], [py.float('2.5'), 'two and a half']),
  byOther: py.tsMap([false, 'a boolean key'], [py.datetime('1970-01-01T00:00:00+00:00'), 'a Date key']),
  byList: py.tsMapPairs([py.list(py.int(1), py.int(2)), 'a list key'], [py.dict(['k', 'v']), 'an object key']),
  colliding: py.tsMapPairs([py.int(1), 'the number'], [true, 'the boolean']),
  emptyMap: py.tsMap(),
  tags: py.set('a', 'b'),
  mixed: py.set(py.int(1), 'x', py.datetime('1970-01-01T00:00:00+00:00')),
  lists: py.tsSetList(py.list(py.int(1)), py.list(py.int(2))),
  equalInPython: py.tsSetList(py.int(5), py.bigint(5)),
  emptySet: py.set(),
  small: py.bigint(5),
  negative: py.bigint(-7),
  safeEdge: py.bigint(2n ** 53n - 1n),
  aboveSafe: py.bigint(2n ** 53n + 1n),
  huge: py.bigint(2n ** 64n),
  negativeHuge: py.bigint(-(2n ** 70n)),
  bytes: py.bytes('AAH+/w=='),
  noBytes: py.bytes(''),
  nested: py.dict(['list', py.list(py.tsMap(['inner', py.set(py.bigint(1))]))]),
};

/** The types stock Python Burr loads from what the python-plain encoding writes, and what we read back after it saves them again. */
const PLAIN_VALUES = {
  when: new Date('2026-11-22T01:57:00.123Z'),
  far: new Date('+010000-01-01T00:00:00Z'),
  byName: new Map<string, unknown>([
    ['ann', 1],
    ['bob', new Set([new Date(0)])],
  ]),
  tags: new Set(['a', 'b']),
  small: 5n,
  aboveSafe: 2n ** 53n + 1n,
  huge: 2n ** 64n,
  bytes: new Uint8Array([0, 1, 254, 255]),
};
const PLAIN_IN_PYTHON = {
  when: '2026-11-22T01:57:00.123Z',
  far: '+010000-01-01T00:00:00.000Z',
  byName: py.dict(['ann', py.int(1)], ['bob', py.list('1970-01-01T00:00:00.000Z')]),
  tags: py.list('a', 'b'),
  small: py.int(5),
  aboveSafe: py.int(2n ** 53n + 1n),
  huge: py.int(2n ** 64n),
  bytes: 'AAH+/w==',
};
const PLAIN_BACK_IN_TYPESCRIPT = {
  when: '2026-11-22T01:57:00.123Z',
  far: '+010000-01-01T00:00:00.000Z',
  byName: { ann: 1, bob: ['1970-01-01T00:00:00.000Z'] },
  tags: ['a', 'b'],
  small: 5,
  aboveSafe: 2n ** 53n + 1n,
  huge: 2n ** 64n,
  bytes: 'AAH+/w==',
};

/** Integers on both sides of 2^53, as bigints (TypeScript) and ints (Python). */
const INTEGERS = [0n, 5n, -5n, 2n ** 53n - 1n, 2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 10n ** 30n];
const integerState = <T>(toValue: (integer: bigint) => T): Record<string, T> => Object.fromEntries(INTEGERS.map((integer, i) => [`i${i}`, toValue(integer)]));
/** How we read a JSON integer Python wrote: a number within ±(2^53 - 1), else a bigint. */
const asReadFromJson = (integer: bigint): number | bigint => (integer >= -(2n ** 53n - 1n) && integer <= 2n ** 53n - 1n ? Number(integer) : integer);

/** Deep equality that also holds the order of a Map's keys (a Set's order does not survive Python's set). */
function expectSameValues(actual: Record<string, unknown>, expected: Record<string, unknown>): void {
  expect(actual).toEqual(expected);
  for (const [key, value] of Object.entries(expected)) {
    if (value instanceof Map) expect([...(actual[key] as Map<unknown, unknown>).keys()], key).toEqual([...value.keys()]);
  }
}

if ('skip' in python) {
  describe.skip(`Python Burr and TypeScript read each other's typed values [skipped: ${python.skip}]`, () => it('is skipped', () => {}));
} else {
  for (const backend of INTEROP_BACKENDS) {
    const missingDriver = python.missingDriver(backend);
    const store = missingDriver === undefined ? await openInteropStore(backend) : { skip: missingDriver };
    const title = `${backend}: typed values between TypeScript and Python Burr ${python.version}`;
    if ('skip' in store) {
      describe.skip(`${title} [skipped: ${store.skip}]`, () => it('is skipped', () => {}));
      continue;
    }

    describe(title, () => {
      const { persister } = store;
      const runPython = (ops: PythonSerdeOp[], register: boolean) => python.runSerde(store.python, ops, { register });
      const at = (appId: string, sequenceId: number) => ({ partition_key: PARTITION, app_id: appId, sequence_id: sequenceId });
      const load = async (appId: string, sequenceId: number): Promise<Record<string, unknown>> => {
        const loaded: PersistedStateData | null = await persister.load(PARTITION, appId, sequenceId);
        expect(loaded, `${appId} step ${sequenceId}`).not.toBeNull();
        return loaded!.state.getAll();
      };
      const save = (appId: string, sequenceId: number, values: Record<string, unknown>) =>
        persister.save({ partitionKey: PARTITION, appId, sequenceId, position: 'ts_step', state: new State({ ...values, ...hidden(sequenceId, 'ts_step') }), status: 'completed' });
      /** Saves with the python-plain encoding, as a persister given `serdeKwargs: { valueEncoding: 'python-plain' }` does. */
      const savePlain = async (appId: string, sequenceId: number, values: Record<string, unknown>) => {
        persister.setSerdeKwargs(PLAIN_KWARGS);
        try {
          await save(appId, sequenceId, values);
        } finally {
          persister.setSerdeKwargs({});
        }
      };

      /** Compares what Python loaded with what it should hold: sets unordered, and on PostgreSQL dicts too (JSONB orders object keys its own way). */
      const expectInPython = (loaded: unknown, expected: PythonValue) => {
        const keepsObjectKeyOrder = backend !== 'postgres';
        expect(comparable(loaded, keepsObjectKeyOrder)).toEqual(comparable(expected, keepsObjectKeyOrder));
      };

      beforeAll(() => persister.initialize());
      afterAll(() => store.dispose());

      it('after register(), Python loads every type we tag as the documented Python type', async () => {
        await save('tagged', 0, TAGGED_VALUES);
        const [loaded] = await runPython([{ op: 'load', ...at('tagged', 0) }], true);
        expectInPython(loaded, described({ ...TAGGED_IN_PYTHON, ...pythonHidden(0, 'ts_step') }));
      });

      it('after register(), what a Python app loaded and saves again comes back to TypeScript unchanged (Map order too)', async () => {
        await runPython([{ op: 'resave', ...at('tagged', 0), to_sequence_id: 1 }], true);
        expectSameValues(await load('tagged', 1), { ...TAGGED_VALUES, ...hidden(0, 'ts_step') });
      });

      it('stock Python cannot load any tagged type (the reason for register() or python-plain)', async () => {
        const tagOf: Record<string, unknown> = { date: new Date(0), map: new Map([['k', 1]]), set: new Set([1]), bigint: 5n, bytes: new Uint8Array([1]) };
        for (const [tag, value] of Object.entries(tagOf)) await save(`stock-${tag}`, 0, { value });
        const errors = await runPython(
          Object.keys(tagOf).map((tag) => ({ op: 'load_error', ...at(`stock-${tag}`, 0) })),
          false,
        );
        expect(errors).toEqual(Object.keys(tagOf).map((tag) => `ValueError: No function registered for key: ${tag}`));
      });

      it('with the python-plain encoding, stock Python loads what we save, as str, dict, list and int', async () => {
        await savePlain('plain', 0, PLAIN_VALUES);
        const [loaded] = await runPython([{ op: 'load', ...at('plain', 0) }], false);
        expectInPython(loaded, described({ ...PLAIN_IN_PYTHON, ...pythonHidden(0, 'ts_step') }));
      });

      it('with the python-plain encoding, what stock Python saves again reads back as the documented plain types', async () => {
        await runPython([{ op: 'resave', ...at('plain', 0), to_sequence_id: 1 }], false);
        expect(await load('plain', 1)).toEqual({ ...PLAIN_BACK_IN_TYPESCRIPT, ...hidden(0, 'ts_step') });
      });

      it('the python-plain encoding refuses a Map with a key that is not a string before anything is written', async () => {
        const refused = savePlain('plain-refused', 0, { byNumber: new Map([[1, 'one']]) });
        await expect(refused).rejects.toBeInstanceOf(SerializationError);
        await expect(refused).rejects.toThrow(/byNumber.*key 1 \(number\)/);
        expect(await persister.load(PARTITION, 'plain-refused', 0)).toBeNull();
        expect(await runPython([{ op: 'load', ...at('plain-refused', 0) }], false)).toEqual([null]);
      });

      it('a Date outside years 1 to 9999 (beyond Python datetime) makes Python load() raise a ValueError naming it', async () => {
        await save('far-date', 0, { far: new Date('+010000-01-01T00:00:00Z') });
        const [error] = await runPython([{ op: 'load_error', ...at('far-date', 0) }], true);
        expect(error).toMatch(/^ValueError: the date '\+010000-01-01T00:00:00\.000Z' cannot be a Python datetime \(years 1 to 9999 only\)/);
      });

      it("after register(), Python's datetime, set, frozenset, bytes, bytearray and TsMap read here as Date, Set, Uint8Array and Map; and back in Python as the same values", async () => {
        const state = {
          aware: toPython.datetime('2026-11-22T03:57:00.123456+02:00'),
          naive: toPython.datetime('2026-11-22T01:57:00.5'),
          utc: toPython.datetime('1970-01-01T00:00:00+00:00'),
          set: toPython.set(1, 'x'),
          frozen: toPython.frozenset('a'),
          bytes: toPython.bytes('AAH+/w=='),
          bytearray: toPython.bytearray('AQI='),
          map: toPython.tsMap([1, 'one'], ['k', toPython.set(2)]),
          setInList: [toPython.set(toPython.datetime('2000-01-01T00:00:00+00:00'))],
          ...hidden(0, 'py_step'),
        };
        await runPython([{ op: 'save', ...at('from-python', 0), position: 'py_step', state }], true);
        const values = await load('from-python', 0);
        expectSameValues(values, {
          // JavaScript's Date holds milliseconds: the microseconds are dropped.
          aware: new Date('2026-11-22T01:57:00.123Z'),
          // A naive datetime is local time, for Python's astimezone() as for JavaScript's Date.
          naive: new Date('2026-11-22T01:57:00.500'),
          utc: new Date(0),
          set: new Set([1, 'x']),
          frozen: new Set(['a']),
          bytes: new Uint8Array([0, 1, 254, 255]),
          bytearray: new Uint8Array([1, 2]),
          map: new Map<unknown, unknown>([
            [1, 'one'],
            ['k', new Set([2])],
          ]),
          setInList: [new Set([new Date('2000-01-01T00:00:00Z')])],
          ...hidden(0, 'py_step'),
        });
        expect(values.aware).toBeInstanceOf(Date);
        expect(values.set).toBeInstanceOf(Set);
        expect(values.bytes).toBeInstanceOf(Uint8Array);

        await save('from-python', 1, values);
        const [back] = await runPython([{ op: 'load', ...at('from-python', 1) }], true);
        const naiveInUtc = new Date('2026-11-22T01:57:00.500').toISOString().replace('Z', '+00:00').replace('.500', '.500000');
        expectInPython(
          back,
          described({
            aware: py.datetime('2026-11-22T01:57:00.123000+00:00'),
            naive: py.datetime(naiveInUtc),
            utc: py.datetime('1970-01-01T00:00:00+00:00'),
            set: py.set(py.int(1), 'x'),
            frozen: py.set('a'),
            bytes: py.bytes('AAH+/w=='),
            bytearray: py.bytes('AQI='),
            map: py.tsMap([py.int(1), 'one'], ['k', py.set(py.int(2))]),
            setInList: py.list(py.set(py.datetime('2000-01-01T00:00:00+00:00'))),
            ...pythonHidden(1, 'ts_step'),
          }),
        );
      });

      it("stock Python writes datetime, set and bytes as their str() (Burr's fallback): we read strings", async () => {
        const state = {
          when: toPython.datetime('2026-11-22T01:57:00+00:00'),
          set: toPython.set(1),
          frozen: toPython.frozenset('a'),
          bytes: toPython.bytes('AAE='),
          ...hidden(0, 'py_step'),
        };
        await runPython([{ op: 'save', ...at('stock-python', 0), position: 'py_step', state }], false);
        expect(await load('stock-python', 0)).toEqual({
          when: '2026-11-22 01:57:00+00:00',
          set: '{1}',
          frozen: "frozenset({'a'})",
          bytes: "b'\\x00\\x01'",
          ...hidden(0, 'py_step'),
        });
      });

      it('bigints on both sides of 2^53: tagged, Python (after register()) loads an int of the same value; python-plain, stock Python does', async () => {
        await save(
          'bigint-tagged',
          0,
          integerState((integer) => integer),
        );
        await savePlain(
          'bigint-plain',
          0,
          integerState((integer) => integer),
        );
        const [tagged] = await runPython([{ op: 'load', ...at('bigint-tagged', 0) }], true);
        const [plain] = await runPython([{ op: 'load', ...at('bigint-plain', 0) }], false);
        expectInPython(tagged, described({ ...integerState((integer) => py.bigint(integer)), ...pythonHidden(0, 'ts_step') }));
        expectInPython(plain, described({ ...integerState((integer) => py.int(integer)), ...pythonHidden(0, 'ts_step') }));
      });

      it('ints on both sides of 2^53 from Python: we read a number within ±(2^53 - 1), else a bigint; either encoding gives Python the same ints back', async () => {
        const pythonInts = { ...integerState((integer) => toPython.int(integer)), ...hidden(0, 'py_step') };
        await runPython([{ op: 'save', ...at('int-python', 0), position: 'py_step', state: pythonInts }], false);
        await runPython([{ op: 'save', ...at('int-python-registered', 0), position: 'py_step', state: pythonInts }], true);
        const values = await load('int-python', 0);
        expect(values).toEqual({ ...integerState(asReadFromJson), ...hidden(0, 'py_step') });
        // register() leaves int as Python Burr writes it.
        expect(await load('int-python-registered', 0)).toEqual(values);

        await save('int-python', 1, values);
        await savePlain('int-python', 2, values);
        const [tagged, plain] = await runPython(
          [
            { op: 'load', ...at('int-python', 1) },
            { op: 'load', ...at('int-python', 2) },
          ],
          true,
        );
        const inPython = (sequenceId: number) =>
          described({
            // What we read as a bigint is tagged again (a TsBigInt in Python), what we read as a number stays an int.
            ...integerState((integer) => (sequenceId === 1 && typeof asReadFromJson(integer) === 'bigint' ? py.bigint(integer) : py.int(integer))),
            ...pythonHidden(sequenceId, 'ts_step'),
          });
        expectInPython(tagged, inPython(1));
        expectInPython(plain, inPython(2));
        // Stock Python reads the python-plain save, not the tagged one: a mixed deployment without register() needs python-plain.
        const [stockTagged, stockPlain] = await runPython(
          [
            { op: 'load_error', ...at('int-python', 1) },
            { op: 'load', ...at('int-python', 2) },
          ],
          false,
        );
        expect(stockTagged).toBe('ValueError: No function registered for key: bigint');
        expectInPython(stockPlain, inPython(2));
      });

      it("whole-number floats (a documented difference): Python's 2.0 reads here as 2 and, once we save it, loads in Python as the int 2; other floats stay floats", async () => {
        const floats = {
          two: toPython.float('2.0'),
          negative: toPython.float('-3.0'),
          zero: toPython.float('0.0'),
          half: toPython.float('2.5'),
          tiny: toPython.float('1e-07'),
          int: 2,
        };
        for (const register of [false, true]) {
          const appId = `floats-${register ? 'registered' : 'stock'}`;
          await runPython([{ op: 'save', ...at(appId, 0), position: 'py_step', state: { ...floats, ...hidden(0, 'py_step') } }], register);
          const values = await load(appId, 0);
          expect(values).toEqual({ two: 2, negative: -3, zero: 0, half: 2.5, tiny: 1e-7, int: 2, ...hidden(0, 'py_step') });
          await save(appId, 1, values);
          const [back] = await runPython([{ op: 'load', ...at(appId, 1) }], register);
          expectInPython(
            back,
            described({
              two: py.int(2),
              negative: py.int(-3),
              zero: py.int(0),
              half: py.float('2.5'),
              tiny: py.float('1e-07'),
              int: py.int(2),
              ...pythonHidden(1, 'ts_step'),
            }),
          );
        }
      });

      it('our numbers in Python, with either encoding and either Python: a whole number is an int, a fraction or a double beyond 2^53 a float', async () => {
        const numbers = { two: 2, half: 2.5, big: 1e20, negativeBig: -(2 ** 60) };
        await save('numbers', 0, numbers);
        await savePlain('numbers', 1, numbers);
        const inPython = (sequenceId: number) =>
          described({
            two: py.int(2),
            half: py.float('2.5'),
            big: py.float('1e+20'),
            negativeBig: py.float('-1.152921504606847e+18'),
            ...pythonHidden(sequenceId, 'ts_step'),
          });
        for (const register of [false, true]) {
          const loaded = await runPython(
            [
              { op: 'load', ...at('numbers', 0) },
              { op: 'load', ...at('numbers', 1) },
            ],
            register,
          );
          expect(loaded.length).toBe(2);
          for (const [sequenceId, state] of loaded.entries()) expectInPython(state, inPython(sequenceId));
        }
      });
    });
  }
}

/** The hidden keys as Python describes them. */
function pythonHidden(sequenceId: number, position: string): Record<string, PythonValue> {
  return { __SEQUENCE_ID: py.int(sequenceId), __PRIOR_STEP: position };
}

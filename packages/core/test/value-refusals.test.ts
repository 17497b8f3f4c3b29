import { describe, expect, it } from 'vitest';
import { NoHistoryBackend } from './no-history-backend.js';
import {
  DeserializationError,
  InMemoryPersister,
  InvalidIdentifierError,
  MAX_NESTING_DEPTH,
  SerializationError,
  State,
  decodeState,
  encodeState,
  registerFieldSerde,
  unregisterFieldSerde,
  type RecordQuery,
  type StateRecord,
  type StoredStateRecord,
} from '@burr/core';

/** The error `encodeState` throws for these values, or a failure if it does not throw. */
function encodeError(values: Record<string, unknown>): SerializationError {
  try {
    encodeState(new State(values));
  } catch (error) {
    expect(error).toBeInstanceOf(SerializationError);
    return error as SerializationError;
  }
  throw new Error(`encodeState accepted ${Object.keys(values).join(', ')}`);
}

/** `depth` arrays inside one another around `leaf`. */
function nestedArrays(depth: number, leaf: unknown = 1): unknown {
  let value = leaf;
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

describe('values that would not come back identical are refused, naming the key path', () => {
  it('refuses undefined as a state value (the key would vanish)', () => {
    const error = encodeError({ kept: 1, gone: undefined });
    expect(error.keyPath).toEqual(['gone']);
    expect(error.message).toContain('gone');
  });

  it('refuses undefined inside an array (it would come back null)', () => {
    expect(encodeError({ list: [1, { inner: [undefined] }] }).keyPath).toEqual(['list', 1, 'inner', 0]);
  });

  it('refuses a hole in a sparse array, and says it is a hole', () => {
    // biome-ignore lint/suspicious/noSparseArray: the hole is the input under test.
    const error = encodeError({ list: [1, , 3] });
    expect(error.keyPath).toEqual(['list', 1]);
    expect(error.message).toContain('hole');
  });

  it('refuses a symbol key on a plain object', () => {
    const error = encodeError({ meta: { visible: 1, [Symbol('hidden')]: 2 } });
    expect(error.keyPath).toEqual(['meta']);
    expect(error.message).toContain('Symbol(hidden)');
  });

  it('refuses undefined in a Map or a Set, and from a field serde', () => {
    expect(encodeError({ m: new Map([['k', undefined]]) }).keyPath).toEqual(['m', 0]);
    expect(encodeError({ s: new Set([undefined]) }).keyPath).toEqual(['s', 0]);
    registerFieldSerde('vanishing', { serialize: () => undefined, deserialize: (stored) => stored });
    try {
      expect(encodeError({ vanishing: 'x' }).keyPath).toEqual(['vanishing']);
    } finally {
      unregisterFieldSerde('vanishing');
    }
  });

  it('leaves out an object member that is undefined, as JSON does: reading it back still gives undefined', () => {
    const back = decodeState(encodeState(new State({ profile: { name: 'a', nickname: undefined } })));
    const profile = back.get('profile') as Record<string, unknown>;
    expect(profile).toEqual({ name: 'a' });
    expect(profile.nickname).toBeUndefined();
    expect('nickname' in profile).toBe(false);
  });
});

describe(`nesting is limited to ${MAX_NESTING_DEPTH} JSON levels, with typed errors on both sides`, () => {
  // The state object is level 1, so a value under a key may hold MAX - 1 arrays.
  const deepest = MAX_NESTING_DEPTH - 1;

  it('stores the deepest allowed value, plain or needing the full walk', () => {
    for (const leaf of [1, NaN]) {
      const back = decodeState(encodeState(new State({ deep: nestedArrays(deepest, leaf) })));
      let value = back.get('deep');
      for (let i = 0; i < deepest; i++) value = (value as unknown[])[0];
      expect(value).toEqual(leaf);
    }
  });

  it('counts no level for what the python-plain encoding writes as a leaf (a bigint, a Date, bytes)', () => {
    for (const [leaf, stored] of [
      [2n ** 70n, 2n ** 70n],
      [new Date(0), '1970-01-01T00:00:00.000Z'],
      [new Uint8Array([1]), 'AQ=='],
    ] as const) {
      const back = decodeState(encodeState(new State({ deep: nestedArrays(deepest, leaf) }), { valueEncoding: 'python-plain' }));
      let value = back.get('deep');
      for (let i = 0; i < deepest; i++) value = (value as unknown[])[0];
      expect(value).toEqual(stored);
    }
  });

  it('refuses one level more with a SerializationError naming the path, also for tagged values and Maps', () => {
    const error = encodeError({ deep: nestedArrays(deepest + 1) });
    expect(error.keyPath.length).toBe(deepest + 1);
    expect(error.keyPath[0]).toBe('deep');
    // A bigint is stored as a tagged object, which is one more level.
    expect(encodeError({ deep: nestedArrays(deepest, 5n) }).keyPath.length).toBe(deepest + 1);
    let map: unknown = 1;
    for (let i = 0; i < MAX_NESTING_DEPTH; i++) map = new Map([['k', map]]);
    expect(encodeError({ map }).message).toContain(`deeper than ${MAX_NESTING_DEPTH}`);
  });

  it('refuses far deeper values and a cycle with typed errors, never a RangeError', () => {
    expect(encodeError({ deep: nestedArrays(100_000) }).message).toContain('deeper than');
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    expect(encodeError({ cycle }).message).toContain('circular');
  });

  it('refuses stored JSON deeper than the limit with a DeserializationError naming the path, on both parsers', () => {
    for (const leaf of ['1', 'NaN', '100000000000000000000']) {
      const depth = MAX_NESTING_DEPTH; // one more than the state object allows under a key
      const json = `{"ok": 1, "deep": ${'['.repeat(depth)}${leaf}${']'.repeat(depth)}}`;
      expect(() => decodeState(json)).toThrow(DeserializationError);
      expect(() => decodeState(json)).toThrow(/deeper than 1000 levels at deep\[0\]\[0\]/);
      const fine = `{"deep": ${'['.repeat(depth - 1)}${leaf}${']'.repeat(depth - 1)}}`;
      expect(() => decodeState(fine)).not.toThrow();
    }
    expect(() => decodeState(`{"deep": ${'['.repeat(200_000)}${']'.repeat(200_000)}}`)).toThrow(DeserializationError);
  });
});

/** A backend that records every call that would reach storage. */
class RecordingBackend extends NoHistoryBackend {
  readonly calls: string[] = [];

  constructor(private readonly row: StoredStateRecord | null = null) {
    super();
  }

  protected describe(): string {
    return 'RecordingBackend';
  }
  protected async createSchema(): Promise<void> {
    this.calls.push('createSchema');
  }
  protected async schemaExists(): Promise<boolean> {
    this.calls.push('schemaExists');
    return true;
  }
  protected async insertRecord(record: StateRecord): Promise<void> {
    this.calls.push(`insert ${record.appId}`);
  }
  protected async findRecord(query: RecordQuery): Promise<StoredStateRecord | null> {
    this.calls.push(`find ${query.appId}`);
    return this.row;
  }
  protected async findAppIds(): Promise<string[]> {
    this.calls.push('findAppIds');
    return [];
  }
  protected async closeClient(): Promise<void> {}
}

describe('identifiers must be well-formed Unicode without NUL, checked before any I/O', () => {
  const bad = ['\ud800', 'a\udc00b', '\ud801', 'x\u0000y'];

  it('refuses them as app id, partition key and position on save, load and listAppIds', async () => {
    const backend = new RecordingBackend();
    const step = { sequenceId: 0, position: 'p', state: new State({ n: 1 }), status: 'completed' as const };
    for (const id of bad) {
      await expect(backend.save({ ...step, appId: id })).rejects.toThrow(InvalidIdentifierError);
      await expect(backend.save({ ...step, appId: 'ok', partitionKey: id })).rejects.toThrow(InvalidIdentifierError);
      await expect(backend.save({ ...step, appId: 'ok', position: id })).rejects.toThrow(InvalidIdentifierError);
      await expect(backend.load(null, id)).rejects.toThrow(InvalidIdentifierError);
      await expect(backend.load(id, 'ok')).rejects.toThrow(InvalidIdentifierError);
      await expect(backend.listAppIds(id)).rejects.toThrow(InvalidIdentifierError);
    }
    expect(backend.calls).toEqual([]);
  });

  it('names the kind of id and shows the surrogate escaped', async () => {
    const error = await new RecordingBackend().load('part', '\ud800').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidIdentifierError);
    expect((error as InvalidIdentifierError).code).toBe('BURR_INVALID_IDENTIFIER');
    expect((error as Error).message).toContain('app id "\\ud800"');
    expect((error as Error).message).toContain('surrogate');
  });

  it('accepts paired surrogates (emoji) and keeps ids that differ only there apart', async () => {
    const persister = new InMemoryPersister();
    await persister.initialize();
    for (const [i, appId] of ['chat-😀', 'chat-😁', 'chat-\ufffd'].entries()) {
      await persister.save({ appId, partitionKey: 'über-👤', sequenceId: 0, position: 'p', state: new State({ i }), status: 'completed' });
    }
    expect((await persister.load('über-👤', 'chat-😁'))?.state.get('i')).toBe(1);
    expect(new Set(await persister.listAppIds('über-👤'))).toEqual(new Set(['chat-😀', 'chat-😁', 'chat-\ufffd']));
  });
});

describe('every decode error on load names the partition, app id and sequence id', () => {
  const good: StoredStateRecord = {
    partitionKey: 'tenant-1',
    appId: 'app-7',
    sequenceId: '12',
    position: 'respond',
    status: 'completed',
    state: '{"a": 1}',
    createdAt: '2026-11-22 01:57:00',
  };
  const corrupt: Array<[string, Partial<StoredStateRecord>]> = [
    ['truncated JSON', { state: '{"a": [1, 2' }],
    ['an array where the state object belongs', { state: '[1, 2]' }],
    ['a bad date tag', { state: '{"a": {"__burr_serde__": "date", "value": "not a date"}}' }],
    ['a bad map tag', { state: '{"a": {"__burr_serde__": "map", "value": 3}}' }],
    ['a bad bigint tag', { state: '{"a": {"__burr_serde__": "bigint", "value": "1.5"}}' }],
    ['nesting too deep', { state: `{"a": ${'['.repeat(1500)}${']'.repeat(1500)}}` }],
    ['an unknown status', { status: 'paused' }],
    ['a negative sequence id', { sequenceId: '-1' }],
    ['a bad timestamp', { createdAt: 'yesterday' }],
  ];
  for (const [what, change] of corrupt) {
    it(`for ${what}`, async () => {
      const row = { ...good, ...change };
      const error = await new RecordingBackend(row).load('tenant-1', 'app-7', 12).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(DeserializationError);
      const message = (error as Error).message;
      expect(message).toContain('partition "tenant-1"');
      expect(message).toContain('app "app-7"');
      expect(message).toContain(`sequence "${String(row.sequenceId)}"`);
    });
  }
});

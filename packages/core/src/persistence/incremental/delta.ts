import { type ChainRowId, DeserializationError, SerializationError, UnsupportedValueError } from '../../errors.js';
import { grewFrom } from '../../list-growth.js';
import { isPlainJson } from '../../serde/fast-checks.js';
import { parsePythonJson, parsePythonJsonEntries, stringifyPythonJson, type ParsedJsonFacts } from '../../serde/python-json.js';
import { fieldSerdeFor, type SerdeKwargs } from '../../serde/registry.js';
import { deserializeField, encodeState, parseStateEntries, type EncodeStateOptions } from '../../serde/state-codec.js';
import { decodeValue } from '../../serde/walk.js';
import { PRIOR_STEP_KEY, SEQUENCE_ID_KEY, State } from '../../state.js';
import type { ChainAccount } from './chain-account.js';

/**
 * A delta is one JSON object whose members are operations, each on one state
 * key: the member name is the operation's character followed by the key
 * (see docs/incremental-storage.md).
 */
const SET = '=';
const APPEND = '+';
const DELETE = '-';
/** The member holding the whole key order, written only when the operations alone would not give it. */
const ORDER = '#';

/** The step a row holds. */
export interface RowStep {
  sequenceId: number;
  position: string;
}

/**
 * State keys that usually hold a field of their own row: the runner saves a
 * step with `__SEQUENCE_ID` equal to its sequence id and (a completed step)
 * `__PRIOR_STEP` equal to its position. When such a key held its base row's
 * field, a delta writes nothing for it if it now holds this row's field:
 * replay sets it (about 50 bytes a step that each row already holds).
 * Returns `undefined` for any other key.
 */
function rowField(key: string, row: RowStep): number | string | undefined {
  if (key === SEQUENCE_ID_KEY) return row.sequenceId;
  if (key === PRIOR_STEP_KEY) return row.position;
  return undefined;
}

/** What a delta is computed against: the values of a saved state, and the length each list had when it was saved. */
export interface SavedValues {
  /**
   * The base's values. With {@link SavedValues.rebuilt}, they are the values
   * a load returned, held by whoever loaded them, who may have changed them
   * in place since: then they vouch for a value only by identity (the saving
   * application holds that very object), and what equals them by value is
   * checked again on the rebuilt values.
   */
  readonly values: ReadonlyMap<string, unknown>;
  readonly lengths: ReadonlyMap<string, number>;
  /**
   * The same step's values as a load returned them, beside the saver's own:
   * a value that is one of those objects (or a list grown from one) is
   * unchanged too, since the application saving it holds it. Vouch by
   * identity only, as above.
   */
  readonly loaded?: ReadonlyMap<string, unknown> | undefined;
  /** When `values` are a load's: the step rebuilt from storage, nobody else's (`undefined` when it cannot be rebuilt). */
  readonly rebuilt?: (() => ReadonlyMap<string, unknown> | undefined) | undefined;
}

/** The values of `state` as a base for the next delta. Keeps references, copies nothing. */
export function savedValues(state: State): SavedValues {
  const values = new Map(state.entries());
  const lengths = new Map<string, number>();
  for (const [key, value] of values) if (Array.isArray(value)) lengths.set(key, value.length);
  return { values, lengths };
}

/**
 * How {@link encodeDelta} tells an unchanged value: `'identity'` (a save on
 * the saver's own last save: the state is immutable, so an untouched value is
 * the same object), or `'value'` (a conversion, whose states are decoded from
 * stored JSON and share no objects, or the first save after a load, whose
 * application may hold copies of the loaded values: a value, or a list
 * element, that is not the same object is compared by value before it counts
 * as changed).
 */
export type DeltaComparison = 'identity' | 'value';

/** A delta's JSON text, and what it does to the lists of the state (for the snapshot policy). */
export interface EncodedDelta {
  text: string;
  /** Bytes of JSON appended to each list that grew at its end. */
  appended: ReadonlyArray<readonly [key: string, bytes: number]>;
  /** Keys set whole or deleted: what was appended to them before is no longer part of the state. */
  replaced: readonly string[];
}

/**
 * The delta taking `base` to `state`. Values are compared by identity (the
 * state is immutable, so an untouched value is the same object), and with
 * `compare: 'value'` also by value; a list whose saved elements are all
 * still in place is written as its new tail; a key that follows its row
 * (`rowField`) and still does is not written. `rows` names the base's row
 * and the row the delta goes to. Encodes with the state codec, so a value
 * that cannot be stored throws as in `encodeState`, naming its key path.
 */
export function encodeDelta(
  base: SavedValues,
  state: State,
  options: EncodeStateOptions,
  rows: { base: RowStep; row: RowStep },
  compare: DeltaComparison = 'identity',
): EncodedDelta {
  const members: string[] = [];
  const addedKeys: string[] = [];
  const appended: Array<readonly [string, number]> = [];
  const replaced: string[] = [];
  for (const [key, value] of state.entries()) {
    if (!base.values.has(key)) {
      members.push(member(SET, key, encodedValue(key, value, options)));
      addedKeys.push(key);
      continue;
    }
    const baseField = rowField(key, rows.base);
    if (baseField !== undefined && Object.is(base.values.get(key), baseField)) {
      // Replay sets it to this row's field unless the delta says otherwise.
      if (!Object.is(value, rowField(key, rows.row))) {
        members.push(member(SET, key, encodedValue(key, value, options)));
        replaced.push(key);
      }
      continue;
    }
    const tailFrom = unchangedPrefix(key, base, value, compare);
    if (tailFrom === undefined) {
      members.push(member(SET, key, encodedValue(key, value, options)));
      replaced.push(key);
    } else if (Array.isArray(value) && tailFrom < value.length) {
      const tail = encodedTail(key, value, tailFrom, options);
      members.push(member(APPEND, key, tail));
      appended.push([key, Buffer.byteLength(tail)]);
    }
  }
  const deleted: string[] = [];
  for (const key of base.values.keys()) {
    if (!state.has(key)) {
      deleted.push(key);
      members.push(member(DELETE, key, 'null'));
    }
  }
  if (!keepsOrder(base, deleted, addedKeys, state)) members.push(`${JSON.stringify(ORDER)}:${JSON.stringify(state.keys())}`);
  return { text: `{${members.join(',')}}`, appended, replaced: replaced.concat(deleted) };
}

/**
 * How much of the value at `key` is unchanged: `undefined` when it must be
 * set whole; for a value that is unchanged, its length (a list) or 0; for a
 * list that grew at its end, the index where its new tail starts.
 */
function unchangedPrefix(key: string, base: SavedValues, value: unknown, compare: DeltaComparison): number | undefined {
  const before = base.values.get(key);
  const savedLength = base.lengths.get(key);
  const loaded = base.loaded?.get(key);
  // A field serde serializes the whole value: a list's tail cannot be encoded on its own.
  const wholeOnly = fieldSerdeFor(key) !== undefined;
  let same = sameReference(value, before, savedLength, wholeOnly);
  if (same === UNKNOWN && loaded !== undefined) same = sameReference(value, loaded, savedLength, wholeOnly);
  if (same !== UNKNOWN) return same;
  const byValue = compare === 'value';
  const shared = base.rebuilt !== undefined;
  const prefix = prefixByElements(value, before, savedLength, wholeOnly, byValue, loaded, shared, 0);
  if (typeof prefix !== 'object') return prefix;
  // Equal by value to values someone else holds: what counts is what is stored (the elements before `from` were theirs by identity).
  const stored = base.rebuilt!();
  if (stored === undefined) return undefined;
  const confirmed = prefixByElements(value, stored.get(key), savedLength, wholeOnly, byValue, before, false, prefix.unconfirmedFrom);
  return typeof confirmed === 'object' ? undefined : confirmed;
}

/** {@link prefixByElements} met a value equal to values someone else holds, at element `unconfirmedFrom` of a list: to be checked on what is stored. */
interface Unconfirmed {
  unconfirmedFrom: number;
}

/**
 * {@link unchangedPrefix} where identity of the whole value did not tell: a
 * list's saved elements one by one from `from`, or the value compared by
 * value. With `shared` (`before` is a load's, someone else's), only an
 * object's identity vouches; the first equality of value is
 * {@link Unconfirmed} (the rest is then compared with what is stored).
 */
function prefixByElements(
  value: unknown,
  before: unknown,
  savedLength: number | undefined,
  wholeOnly: boolean,
  byValue: boolean,
  loaded: unknown,
  shared: boolean,
  from: number,
): number | undefined | Unconfirmed {
  if (!Array.isArray(value) || !Array.isArray(before) || savedLength === undefined || value.length < savedLength) {
    // A field serde's value is compared as what it serializes from: the same plain value serializes the same.
    return byValue && samePlainValue(value, before) ? (shared ? { unconfirmedFrom: 0 } : 0) : undefined;
  }
  if (wholeOnly) return byValue && value.length === savedLength && samePlainValue(value, before) ? (shared ? { unconfirmedFrom: 0 } : savedLength) : undefined;
  const loadedList = Array.isArray(loaded) && loaded.length >= savedLength ? loaded : undefined;
  for (let i = from; i < savedLength; i++) {
    const item = value[i];
    // A primitive's Object.is is an equality of value: it vouches only against values nobody else holds.
    if (isObject(item) ? item === before[i] || item === loadedList?.[i] : !shared && Object.is(item, before[i])) continue;
    if (!byValue || !samePlainValue(item, before[i])) return undefined;
    if (shared) return { unconfirmedFrom: i };
  }
  return savedLength;
}

/** {@link sameReference} could not tell: the value is not `before`, nor a list grown from it. */
const UNKNOWN = Symbol('unknown');

/**
 * What identity alone tells of `value` against a saved `before` (a list saved
 * with `savedLength` items): 0 for the same value, the index a list's new tail
 * starts at for the same list pushed to in place or one `State.append`/`extend`
 * made from it (its first `savedLength` items are the saved ones, no need to
 * look at each), `undefined` for the same list cut short, or grown when it is
 * only written whole (`wholeOnly`: a field serde's).
 */
function sameReference(value: unknown, before: unknown, savedLength: number | undefined, wholeOnly: boolean): number | undefined | typeof UNKNOWN {
  if (Object.is(value, before)) {
    if (!Array.isArray(value)) return 0;
    if (savedLength === undefined || value.length < savedLength) return undefined;
    return wholeOnly && value.length > savedLength ? undefined : savedLength;
  }
  if (wholeOnly || !Array.isArray(value) || !Array.isArray(before) || savedLength === undefined || value.length < savedLength || before.length < savedLength) return UNKNOWN;
  return grewFrom(value, before) ? savedLength : UNKNOWN;
}

/** Whether `value` is an object (a list element that identity can vouch for: a primitive's `Object.is` is equality of value). */
function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

/**
 * Whether two values encode to the same JSON: primitives by `Object.is`
 * (so -0 differs from 0, NaN equals NaN), arrays element by element, plain
 * objects key by key in order. Anything else (a `Date`, a `Map`, a class
 * instance) is the same only when it is the same object, so a value this
 * cannot vouch for is written again rather than lost.
 */
export function samePlainValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length || Object.getPrototypeOf(a) !== Array.prototype || Object.getPrototypeOf(b) !== Array.prototype) return false;
    for (let i = 0; i < a.length; i++) if (!samePlainValue(a[i], b[i])) return false;
    return true;
  }
  if (!isPlainObject(a) || !isPlainObject(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  if (aKeys.length !== bKeys.length) return false;
  for (let i = 0; i < aKeys.length; i++) {
    const name = aKeys[i]!;
    if (name !== bKeys[i] || !samePlainValue(a[name], b[name])) return false;
  }
  return true;
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype: unknown = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && Object.getOwnPropertySymbols(value).length === 0;
}

/** Whether setting, appending and deleting alone give `state`'s key order: the base's keys less the deleted, then the added ones in order. */
function keepsOrder(base: SavedValues, deleted: readonly string[], added: readonly string[], state: State): boolean {
  const keys = state.keys();
  const gone = new Set(deleted);
  let i = 0;
  for (const key of base.values.keys()) {
    if (gone.has(key)) continue;
    if (keys[i++] !== key) return false;
  }
  return added.every((key) => keys[i++] === key);
}

function member(operation: string, key: string, valueJson: string): string {
  return `${JSON.stringify(operation + key)}:${valueJson}`;
}

/** The JSON of one state value, exactly as `encodeState` writes it (field serde, tags, Python's tokens). */
function encodedValue(key: string, value: unknown, options: EncodeStateOptions): string {
  const text = encodeState(new State([[key, value]]), options);
  const prefix = `{${JSON.stringify(key)}:`;
  if (!text.startsWith(prefix) || !text.endsWith('}')) throw new Error(`encodeState wrote an unexpected shape for key ${JSON.stringify(key)}`);
  return text.slice(prefix.length, -1);
}

function encodedTail(key: string, list: unknown[], from: number, options: EncodeStateOptions): string {
  try {
    return encodedValue(key, list.slice(from), options);
  } catch (error) {
    // The tail's indexes start at 0: encode the whole list so the error names the element's real index.
    if (error instanceof SerializationError || error instanceof UnsupportedValueError) encodedValue(key, list, options);
    throw error;
  }
}

/** A delta member's name taken apart: its operation character and the state key it acts on. */
export interface MemberName {
  operation: string;
  key: string;
  /** Bytes of the name as JSON, with its colon and the comma or brace after its value (for {@link ChainAccount}). */
  textBytes: number;
}

/**
 * What a {@link ReplayState} holds: the values a load returns (tagged values
 * rebuilt, field serdes run, with the reader's serde options), or the values
 * as stored (parsed JSON, nothing decoded), which a rewrite of the step as a
 * snapshot writes back exactly as the application saved them, whatever the
 * rewriting persister's serde options.
 */
export type ReplayValues = 'decoded' | 'stored';

/**
 * A state being rebuilt from a snapshot and deltas: its values, and the
 * lists it may append to in place (those no exposed `State` shares).
 */
export class ReplayState {
  #values: Map<string, unknown>;
  readonly #decoded: boolean;
  readonly #kwargs: SerdeKwargs;
  /**
   * Keys with a field serde, whose values stay as stored (parsed JSON) until
   * {@link ReplayState.toState}: the serde then sees the whole value, items
   * appended by deltas included, as a full-mode load gives it (those deltas
   * may predate the serde's registration).
   */
  readonly #serialized = new Set<string>();
  readonly #owned = new Set<unknown>();
  /** Whether `__SEQUENCE_ID` and `__PRIOR_STEP` hold their row field (see rowField) of the row this state is at. */
  #sequenceIdFollows: boolean;
  #priorStepFollows: boolean;
  /**
   * Member names seen so far, taken apart: a chat's deltas repeat the same
   * few names, and JSON.parse gives each one as the same interned string, so
   * a lookup here costs less than slicing a new key string and hashing it.
   */
  readonly #names = new Map<string, MemberName>();

  /** Starts from a snapshot: its row and JSON text. */
  constructor(snapshot: RowStep & { state: string }, kwargs: SerdeKwargs, values: ReplayValues = 'decoded') {
    this.#decoded = values === 'decoded';
    this.#kwargs = kwargs;
    try {
      const hasFieldSerde = (key: string) => fieldSerdeFor(key) !== undefined;
      const entries = this.#decoded ? parseStateEntries(snapshot.state, kwargs, hasFieldSerde) : parsePythonJsonEntries(snapshot.state);
      if (this.#decoded) for (const [key] of entries) if (hasFieldSerde(key)) this.#serialized.add(key);
      this.#values = new Map(entries);
    } catch (error) {
      throw inChainRow(error, 'snapshot', snapshot);
    }
    // Freshly decoded lists belong to nobody else.
    for (const value of this.#values.values()) if (Array.isArray(value)) this.#owned.add(value);
    this.#sequenceIdFollows = this.#holds(SEQUENCE_ID_KEY, snapshot);
    this.#priorStepFollows = this.#holds(PRIOR_STEP_KEY, snapshot);
  }

  /**
   * Applies the deltas of `rows` from index `from` on, in order, each parsed
   * on its own (joining 10,000 deltas into one array to parse once took 3-5x
   * as long: the join copies every text, and the long string is flattened
   * again; groups of 64 gained nothing measurable). Values are decoded as
   * `decodeState` decodes a state's (Python's tokens, tags, field serdes).
   * Throws {@link DeserializationError} for a malformed delta.
   */
  apply(rows: ReadonlyArray<RowStep & { state: string }>, kwargs: SerdeKwargs, from = 0, account?: ChainAccount): void {
    const facts: ParsedJsonFacts = { tagged: false };
    for (let i = from; i < rows.length; i++) {
      const row = rows[i]!;
      try {
        this.#applyOne(parsePythonJson(row.state, facts), facts.tagged, kwargs, row, account);
        account?.endDelta(row.state);
      } catch (error) {
        throw inChainRow(error, 'delta', row);
      }
    }
  }

  #applyOne(delta: unknown, hasTags: boolean, kwargs: SerdeKwargs, row: RowStep, account: ChainAccount | undefined): void {
    if (delta === null || typeof delta !== 'object' || Array.isArray(delta)) throw new DeserializationError('a delta is not a JSON object');
    // The keys that follow their row (see rowField) still do unless an operation on them says otherwise.
    let sequenceIdFollows = this.#sequenceIdFollows;
    let priorStepFollows = this.#priorStepFollows;
    let order: unknown;
    // Member names start with an operation character, so none is integer-like: the object keeps their order.
    // for...in allocates nothing per member (Object.entries makes an array for each; a load replays thousands).
    for (const name in delta) {
      if (!Object.hasOwn(delta, name)) continue;
      const raw = (delta as Record<string, unknown>)[name];
      // Decoding rebuilds tagged values in place (a serde's may not write as JSON again): the account gets a parsed copy.
      const parsed = account && hasTags && raw !== null && typeof raw === 'object' ? structuredClone(raw) : raw;
      const member = this.#memberName(name);
      const { operation, key } = member;
      const value = hasTags && this.#decoded && !fieldSerdeFor(key) ? decodeValue(raw, kwargs) : raw;
      if (key === SEQUENCE_ID_KEY) sequenceIdFollows = false;
      else if (key === PRIOR_STEP_KEY) priorStepFollows = false;
      if (operation === APPEND) {
        this.#append(key, value);
        account?.append(member, parsed);
      } else if (operation === SET || operation === DELETE) {
        if (operation === SET) this.#set(key, value);
        else {
          this.#values.delete(key);
          this.#serialized.delete(key);
        }
        account?.replaced(member, parsed);
      } else if (name === ORDER) {
        order = value;
        account?.other(member, parsed);
      } else throw new DeserializationError(`the delta holds an unknown member ${JSON.stringify(name)}`);
    }
    if (sequenceIdFollows) this.#values.set(SEQUENCE_ID_KEY, row.sequenceId);
    if (priorStepFollows) this.#values.set(PRIOR_STEP_KEY, row.position);
    if (order !== undefined) this.#reorder(order);
    this.#sequenceIdFollows = sequenceIdFollows || this.#holds(SEQUENCE_ID_KEY, row);
    this.#priorStepFollows = priorStepFollows || this.#holds(PRIOR_STEP_KEY, row);
  }

  #memberName(name: string): MemberName {
    let parsed = this.#names.get(name);
    if (!parsed) {
      parsed = { operation: name.charAt(0), key: name.slice(1), textBytes: Buffer.byteLength(JSON.stringify(name)) + 2 };
      this.#names.set(name, parsed);
    }
    return parsed;
  }

  /** Whether `key` holds its row field (see rowField) of `row`. */
  #holds(key: string, row: RowStep): boolean {
    return this.#values.has(key) && Object.is(this.#values.get(key), rowField(key, row));
  }

  /** The state as it stands; later deltas do not change it. */
  toState(): State {
    this.#owned.clear();
    if (this.#serialized.size === 0) return new State(this.#values);
    const values = new Map(this.#values);
    for (const key of this.#serialized) {
      // A copy: decoding and the serde may change it in place, and later steps are replayed on from it.
      values.set(key, deserializeField(key, decodeValue(structuredClone(values.get(key)), this.#kwargs), this.#kwargs));
    }
    return new State(values);
  }

  /**
   * The state as stored JSON text, exactly what a save of it writes (a state
   * replayed from stored values only): the keys in order, each value written
   * as parsed, Python's tokens and integers past 2^53 included.
   */
  toStoredJson(): string {
    if (this.#decoded) throw new Error('toStoredJson() needs a replay of stored values');
    const members: string[] = [];
    for (const [key, value] of this.#values) members.push(`${JSON.stringify(key)}:${isPlainJson(value, 2) ? JSON.stringify(value) : stringifyPythonJson(value)}`);
    return `{${members.join(',')}}`;
  }

  #set(key: string, value: unknown): void {
    if (this.#decoded && fieldSerdeFor(key)) this.#serialized.add(key);
    else this.#serialized.delete(key);
    if (Array.isArray(value)) this.#owned.add(value);
    this.#values.set(key, value);
  }

  #append(key: string, items: unknown): void {
    const list = this.#values.get(key);
    if (!Array.isArray(list) || !Array.isArray(items)) throw new DeserializationError(`the delta appends to ${JSON.stringify(key)}, which is not a list`);
    let target: unknown[] = list;
    if (!this.#owned.has(list)) {
      target = list.slice();
      this.#owned.add(target);
      this.#values.set(key, target);
    }
    for (const item of items) target.push(item);
  }

  #reorder(order: unknown): void {
    const keys = Array.isArray(order) ? order : [];
    if (keys.length !== this.#values.size || !keys.every((key) => typeof key === 'string' && this.#values.has(key))) {
      throw new DeserializationError('the key order of the delta does not match the keys of the state');
    }
    this.#values = new Map(keys.map((key: string) => [key, this.#values.get(key)]));
  }
}

/**
 * A chain row's `DeserializationError`, naming that row: the step being
 * loaded may be a later one, rebuilt through it. Other errors pass as they are.
 */
function inChainRow(error: unknown, kind: ChainRowId['kind'], row: RowStep): unknown {
  if (!(error instanceof DeserializationError)) return error;
  return new DeserializationError(`the ${kind} at sequence ${row.sequenceId} (position ${JSON.stringify(row.position)}) of its chain: ${error.message}`, {
    cause: error,
    chainRow: chainRowId(kind, row),
  });
}

/** A chain row as a {@link DeserializationError} names it. */
export function chainRowId(kind: ChainRowId['kind'], row: RowStep): ChainRowId {
  return { kind, sequenceId: row.sequenceId, position: row.position };
}

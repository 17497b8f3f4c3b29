import { MissingStateKeyError, StateOperationError } from './errors.js';

/** The shape of a state: string keys to values. */
export type StateValues = Record<string, unknown>;

/** The keys of `U` replace those of `T`. @inline */
type Merge<T, U> = Omit<T, keyof U> & U;
/** The element type of a list value in a state (`unknown` when the value's type is not known). */
export type ElementOf<V> = V extends ReadonlyArray<infer E> ? E : unknown extends V ? unknown : never;
/** Argument of {@link State.append}: one element to add to each named list. */
export type AppendPatch<T> = { [K in keyof T]?: ElementOf<T[K]> } & StateValues;
/** Argument of {@link State.extend}: elements to add to each named list. */
export type ExtendPatch<T> = { [K in keyof T]?: Iterable<ElementOf<T[K]>> } & Record<string, Iterable<unknown>>;

const STATE_BRAND = Symbol.for('@burr/core.State');

/** Name of the hidden key holding the sequence id of the last step. */
export const SEQUENCE_ID_KEY = '__SEQUENCE_ID';
/** Name of the hidden key holding the name of the last completed action. */
export const PRIOR_STEP_KEY = '__PRIOR_STEP';

/**
 * Immutable application state. Every operation returns a new `State`; key
 * order is insertion order, and stays so through serialization.
 *
 * @example
 * const s = new State({ count: 0, history: [] as string[] });
 * const next = s.increment({ count: 1 }).append({ history: 'hi' });
 */
export class State<T extends StateValues = StateValues> {
  readonly #values: ReadonlyMap<string, unknown>;

  /**
   * `instanceof State` holds for States of every copy of this package, so an
   * app that loads core through both `import` and `require` (ESM and CJS
   * builds) still works.
   */
  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[STATE_BRAND] === true;
  }

  /** @internal */
  get [STATE_BRAND](): true {
    return true;
  }

  constructor(values?: T | Iterable<readonly [string, unknown]>) {
    if (values === undefined) this.#values = new Map();
    else if (isIterable(values)) this.#values = new Map(values);
    else this.#values = new Map(Object.entries(values));
  }

  /** The value at `key`; throws when the key is absent (use {@link State.has} to test). */
  get<K extends keyof T & string>(key: K): T[K] {
    if (!this.#values.has(key)) {
      throw new MissingStateKeyError(key, this.keys());
    }
    return this.#values.get(key) as T[K];
  }

  /** Whether `key` is present. */
  has(key: string): boolean {
    return this.#values.has(key);
  }

  /** Key names in insertion order. */
  keys(): string[] {
    return [...this.#values.keys()];
  }

  /** A plain object copy of every key and value, in insertion order. */
  getAll(): T {
    return Object.fromEntries(this.#values) as T;
  }

  /** Entries in insertion order (what serialization walks). */
  entries(): IterableIterator<[string, unknown]> {
    return this.#values.entries();
  }

  /** Sets the given keys (new keys go last, existing keys keep their place). */
  update<U extends StateValues>(patch: U): State<Merge<T, U>> {
    const next = new Map(this.#values);
    for (const [key, value] of Object.entries(patch)) next.set(key, value);
    return State.#of(next);
  }

  /** Appends one value to each named list; a missing key starts as an empty list. */
  append(patch: AppendPatch<T>): State<T> {
    const next = new Map(this.#values);
    for (const [key, value] of Object.entries(patch)) next.set(key, [...this.#listAt(key, 'append to'), value]);
    return State.#of(next);
  }

  /** Appends every value of an iterable to each named list; a missing key starts as an empty list. */
  extend(patch: ExtendPatch<T>): State<T> {
    const next = new Map(this.#values);
    for (const [key, values] of Object.entries(patch)) next.set(key, [...this.#listAt(key, 'extend'), ...values]);
    return State.#of(next);
  }

  /**
   * Adds to integer values; a missing key starts at 0 (or `0n` when the step
   * is a bigint). Numbers and bigints do not mix, and a number sum beyond
   * `Number.MAX_SAFE_INTEGER` is refused rather than rounded: use bigints there.
   */
  increment(patch: { [K in keyof T]?: number | bigint } & Record<string, number | bigint>): State<T> {
    const next = new Map(this.#values);
    for (const [key, by] of Object.entries(patch)) {
      const current = this.#values.has(key) ? this.#values.get(key) : typeof by === 'bigint' ? 0n : 0;
      if (typeof current === 'bigint' && typeof by === 'bigint') {
        next.set(key, current + by);
      } else if (Number.isSafeInteger(current) && Number.isSafeInteger(by)) {
        const sum = (current as number) + (by as number);
        if (!Number.isSafeInteger(sum)) {
          throw new StateOperationError(
            `Cannot increment ${JSON.stringify(key)} by ${String(by)}: the sum is beyond Number.MAX_SAFE_INTEGER and would lose precision; store a bigint instead`,
          );
        }
        next.set(key, sum);
      } else {
        throw new StateOperationError(`Cannot increment ${JSON.stringify(key)} by ${String(by)}: current value ${describe(current)} is not an integer of the same kind`);
      }
    }
    return State.#of(next);
  }

  /** Removes the keys listed in `delete`, or keeps only those listed in `keep`. */
  wipe<K extends keyof T & string>(options: { keep: readonly K[] }): State<Pick<T, K>>;
  wipe<K extends keyof T & string>(options: { delete: readonly K[] }): State<Omit<T, K>>;
  wipe(options: { keep?: readonly string[]; delete?: readonly string[] }): State<StateValues> {
    if ((options.keep === undefined) === (options.delete === undefined)) {
      throw new StateOperationError('wipe() takes exactly one of { keep } or { delete }');
    }
    if (options.keep) {
      const keep = new Set(options.keep);
      return State.#of(new Map([...this.#values].filter(([key]) => keep.has(key))));
    }
    const next = new Map(this.#values);
    for (const key of options.delete ?? []) next.delete(key);
    return State.#of(next);
  }

  /** This state with every key of `other` set over it. */
  merge<U extends StateValues>(other: State<U>): State<Merge<T, U>> {
    const next = new Map(this.#values);
    for (const [key, value] of other.entries()) next.set(key, value);
    return State.#of(next);
  }

  /** A state with only the given keys (absent keys are ignored), in this state's order. */
  subset<K extends keyof T & string>(...keys: K[]): State<Pick<T, K>> {
    return this.wipe({ keep: keys });
  }

  #listAt(key: string, verb: string): unknown[] {
    if (!this.#values.has(key)) return [];
    const current = this.#values.get(key);
    if (!Array.isArray(current)) {
      throw new StateOperationError(`Cannot ${verb} ${JSON.stringify(key)}: its value ${describe(current)} is not a list`);
    }
    return current;
  }

  static #of<U extends StateValues>(values: Map<string, unknown>): State<U> {
    return new State<U>(values);
  }
}

function isIterable(value: unknown): value is Iterable<readonly [string, unknown]> {
  return typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') {
    const name: string = value.constructor?.name ?? 'object';
    return `${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}`;
  }
  return `${typeof value} ${typeof value === 'string' ? JSON.stringify(value) : String(value)}`;
}

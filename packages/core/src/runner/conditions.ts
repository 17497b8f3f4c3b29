import type { State, StateValues } from '../state.js';
import type { Loose } from './actions.js';

/** A predicate over the application state. */
export type ConditionTest<S extends object = StateValues> = (state: State<S>) => boolean;

declare const CONDITION_TYPES: unique symbol;

/** The condition that always holds needs nothing of the state. @inline */
// biome-ignore lint/complexity/noBannedTypes: the empty shape, which every state satisfies.
type NoNeeds = {};

/** The keys a condition names: those of the state its predicate reads (if typed) and of the values it compares (any, for a plain `Condition`). @inline */
type ConditionKeys<S, V> = boolean extends (V extends never ? true : false) ? AnyValues : (string extends keyof S ? never : keyof S) | keyof V;

/** The compared values of a plain `Condition`, not known: it fits every application, and every condition fits it. @inline */
// biome-ignore lint/suspicious/noExplicitAny: the one type assignable to and from every set of values.
type AnyValues = any;

/**
 * Decides whether a transition is taken. Every condition has a `name`, which
 * is how graphs (and the tracker's `graph.json`) show it, and the state keys
 * it `reads`.
 *
 * Build them with {@link when}, {@link expr} or {@link Condition.default}
 * (also exported as {@link always}), and combine them with
 * {@link Condition.not}, {@link Condition.or} and {@link Condition.and}
 * (Python's `~`, `|` and `&`).
 *
 * Types only: `S` is the state its predicate reads (what {@link expr} is
 * given), `V` the values it compares with the state's (what {@link when} is
 * given). In an application of state `T`, a condition fits when `T` is an
 * `S` and has every key of `V`, with values `V`'s could equal: a condition
 * on a key the state does not have is a compile error. A plain `Condition`
 * fits any application.
 */
export class Condition<S extends object = StateValues, V extends object = AnyValues> {
  /** The condition that always holds (Python's `default`); a transition given no condition uses it. */
  static readonly default: Condition<NoNeeds, NoNeeds> = new Condition<NoNeeds, NoNeeds>(() => true, 'default');

  /** How the condition is displayed, e.g. `status=done` or `(a) | (b)`. */
  readonly name: string;
  /** State keys the condition looks at (informational). */
  readonly reads: readonly string[];
  readonly #test: ConditionTest<S>;
  /** @internal Types only: the state the predicate reads (`S`), and the values compared with the state's (`V`). */
  declare readonly [CONDITION_TYPES]?: {
    needs: (state: Loose<S, S>) => void;
    keys: () => ConditionKeys<S, V>;
    values: () => V;
  };

  /**
   * @param test - the predicate; it receives the full state.
   * @param name - display name.
   * @param reads - state keys the predicate looks at.
   */
  constructor(test: ConditionTest<S>, name: string, reads: readonly string[] = []) {
    this.#test = test;
    this.name = name;
    this.reads = reads;
  }

  /** Whether the condition holds for `state`. */
  evaluate(state: State<S>): boolean {
    return this.#test(state) === true;
  }

  /** The negation of this condition, named `~(name)`. */
  not(): Condition<S, V> {
    return new Condition<S, V>((state) => !this.evaluate(state), `~(${this.name})`, this.reads);
  }

  /** Holds when this condition or `other` holds; named `(a) | (b)`. */
  or<S2 extends object, V2 extends object>(other: Condition<S2, V2>): Condition<S & S2, V & V2> {
    return new Condition<S & S2, V & V2>(
      (state) => this.evaluate(state as State<never>) || other.evaluate(state as State<never>),
      `(${this.name}) | (${other.name})`,
      union(this.reads, other.reads),
    );
  }

  /** Holds when both this condition and `other` hold; named `(a) & (b)`. */
  and<S2 extends object, V2 extends object>(other: Condition<S2, V2>): Condition<S & S2, V & V2> {
    return new Condition<S & S2, V & V2>(
      (state) => this.evaluate(state as State<never>) && other.evaluate(state as State<never>),
      `(${this.name}) & (${other.name})`,
      union(this.reads, other.reads),
    );
  }

  /** Alias of {@link when}. */
  static when<V extends object>(values: V): Condition<NoNeeds, V> {
    return when(values);
  }

  /** Alias of {@link expr}. */
  static expr<S extends object = StateValues>(test: ConditionTest<S>, name?: string): Condition<S, NoNeeds> {
    return expr(test, name);
  }
}

/**
 * What `withTransitions` accepts as a condition in an application of state
 * `S`: a {@link Condition} whose needs `S` meets (every condition, while `S`
 * is untyped).
 */
export interface ConditionFor<S> {
  /** How the condition is displayed. */
  readonly name: string;
  /** State keys the condition looks at. */
  readonly reads: readonly string[];
  /** @internal */
  readonly [CONDITION_TYPES]?: { needs: (state: Loose<S, S>) => void; keys: () => Loose<S, keyof S>; values: () => Loose<S, Partial<S>> };
}

/** The condition that always holds: Python's `default` (a reserved word here). */
export const always: Condition<NoNeeds, NoNeeds> = Condition.default;

/**
 * Holds when every given key is present in the state with a value equal to
 * the one given (deep equality for lists and plain objects). A missing key
 * makes it false, not an error. Named like Python Burr: `a=1, b=done`, keys
 * sorted.
 *
 * @example when({ status: 'done' })
 */
export function when<V extends object>(values: V): Condition<NoNeeds, V> {
  const expected = Object.entries(values);
  const name = [...expected]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${pythonStr(value)}`)
    .join(', ');
  const test = (state: State<StateValues>): boolean => expected.every(([key, value]) => state.has(key) && deepEqual(state.get(key), value));
  return new Condition<NoNeeds, V>(
    test as unknown as ConditionTest<NoNeeds>,
    name,
    expected.map(([key]) => key),
  );
}

/**
 * A condition from any predicate over the state. Its name defaults to the
 * predicate's source text, e.g. `(s) => s.get("count") >= 10`. Inside
 * `withTransitions` of a typed application the predicate's state is typed;
 * elsewhere (a condition kept in a variable, or passed to `.or()`/`.and()`)
 * annotate it: `(s: State<MyState>) => ...`.
 */
export function expr<S extends object = StateValues>(test: ConditionTest<S>, name?: string): Condition<S, NoNeeds> {
  return new Condition<S, NoNeeds>(test, name ?? test.toString());
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])];
}

/** How Python's `str()` shows simple values, so condition names match Python Burr's. */
function pythonStr(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (value === null || value === undefined) return 'None';
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((item, i) => deepEqual(item, b[i]));
  }
  if (Object.getPrototypeOf(a) !== Object.prototype || Object.getPrototypeOf(b) !== Object.prototype) return false;
  const aKeys = Object.keys(a);
  const bRecord = b as Record<string, unknown>;
  return aKeys.length === Object.keys(b).length && aKeys.every((key) => key in bRecord && deepEqual((a as Record<string, unknown>)[key], bRecord[key]));
}

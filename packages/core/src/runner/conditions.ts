import type { State } from '../state.js';

/** A predicate over the application state. */
export type ConditionTest = (state: State) => boolean;

/**
 * Decides whether a transition is taken. Every condition has a `name`, which
 * is how graphs (and the tracker's `graph.json`) show it, and the state keys
 * it `reads`.
 *
 * Build them with {@link when}, {@link expr} or {@link Condition.default}
 * (also exported as {@link always}), and combine them with
 * {@link Condition.not}, {@link Condition.or} and {@link Condition.and}
 * (Python's `~`, `|` and `&`).
 */
export class Condition {
  /** The condition that always holds (Python's `default`); a transition given no condition uses it. */
  static readonly default: Condition = new Condition(() => true, 'default');

  /** How the condition is displayed, e.g. `status=done` or `(a) | (b)`. */
  readonly name: string;
  /** State keys the condition looks at (informational). */
  readonly reads: readonly string[];
  readonly #test: ConditionTest;

  /**
   * @param test - the predicate; it receives the full state.
   * @param name - display name.
   * @param reads - state keys the predicate looks at.
   */
  constructor(test: ConditionTest, name: string, reads: readonly string[] = []) {
    this.#test = test;
    this.name = name;
    this.reads = reads;
  }

  /** Whether the condition holds for `state`. */
  evaluate(state: State): boolean {
    return this.#test(state) === true;
  }

  /** The negation of this condition, named `~(name)`. */
  not(): Condition {
    return new Condition((state) => !this.evaluate(state), `~(${this.name})`, this.reads);
  }

  /** Holds when this condition or `other` holds; named `(a) | (b)`. */
  or(other: Condition): Condition {
    return new Condition((state) => this.evaluate(state) || other.evaluate(state), `(${this.name}) | (${other.name})`, union(this.reads, other.reads));
  }

  /** Holds when both this condition and `other` hold; named `(a) & (b)`. */
  and(other: Condition): Condition {
    return new Condition((state) => this.evaluate(state) && other.evaluate(state), `(${this.name}) & (${other.name})`, union(this.reads, other.reads));
  }

  /** Alias of {@link when}. */
  static when(values: Record<string, unknown>): Condition {
    return when(values);
  }

  /** Alias of {@link expr}. */
  static expr(test: ConditionTest, name?: string): Condition {
    return expr(test, name);
  }
}

/** The condition that always holds: Python's `default` (a reserved word here). */
export const always: Condition = Condition.default;

/**
 * Holds when every given key is present in the state with a value equal to
 * the one given (deep equality for lists and plain objects). A missing key
 * makes it false, not an error. Named like Python Burr: `a=1, b=done`, keys
 * sorted.
 *
 * @example when({ status: 'done' })
 */
export function when(values: Record<string, unknown>): Condition {
  const expected = Object.entries(values);
  const name = [...expected]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${pythonStr(value)}`)
    .join(', ');
  const test: ConditionTest = (state) => expected.every(([key, value]) => state.has(key) && deepEqual(state.get(key), value));
  return new Condition(
    test,
    name,
    expected.map(([key]) => key),
  );
}

/**
 * A condition from any predicate over the state. Its name defaults to the
 * predicate's source text, e.g. `(s) => s.get("count") >= 10`.
 */
export function expr(test: ConditionTest, name?: string): Condition {
  return new Condition(test, name ?? test.toString());
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

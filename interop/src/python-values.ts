import type { PythonValue } from './python-burr.js';

/**
 * The two notations `python/serde_ops.py` uses for values JSON cannot type:
 * {@link py} builds the description it prints of what Python holds after a
 * `load()`, {@link toPython} the `$py` objects it turns into Python values
 * before a `save()`.
 */

type Described = PythonValue;
type Pair = [Described, Described];

/** What `serde_ops.py` prints for a Python value of each type. */
export const py = {
  int: (value: number | bigint | string): Described => ({ t: 'int', v: String(value) }),
  /** `burr_ts_serde.TsBigInt`, the `int` a TypeScript bigint loads as. */
  bigint: (value: bigint | number | string): Described => ({ t: 'TsBigInt', v: String(value) }),
  /** A float, as Python's `repr()` writes it (`'2.0'`, `'1e-07'`). */
  float: (repr: string): Described => ({ t: 'float', v: repr }),
  /** A datetime, as its `isoformat()` writes it (`'1970-01-01T00:00:00+00:00'`). */
  datetime: (isoformat: string): Described => ({ t: 'datetime', v: isoformat }),
  bytes: (base64: string): Described => ({ t: 'bytes', v: base64 }),
  list: (...items: Described[]): Described => ({ t: 'list', v: items }),
  tuple: (...items: Described[]): Described => ({ t: 'tuple', v: items }),
  set: (...items: Described[]): Described => ({ t: 'set', v: items }),
  dict: (...pairs: Pair[]): Described => ({ t: 'dict', v: pairs }),
  tsMap: (...pairs: Pair[]): Described => ({ t: 'TsMap', v: pairs }),
  tsMapPairs: (...pairs: Pair[]): Described => ({ t: 'TsMapPairs', v: pairs.map(([key, value]) => ({ t: 'tuple', v: [key, value] })) }),
  tsSetList: (...items: Described[]): Described => ({ t: 'TsSetList', v: items }),
};

/** `$py` objects `serde_ops.py` builds Python values from (everything else is plain JSON). */
export const toPython = {
  float: (text: string) => ({ $py: 'float', text }),
  int: (value: bigint | number) => ({ $py: 'int', text: String(value) }),
  /** `datetime.fromisoformat(iso)`: naive without an offset. */
  datetime: (iso: string) => ({ $py: 'datetime', iso }),
  set: (...items: unknown[]) => ({ $py: 'set', items }),
  frozenset: (...items: unknown[]) => ({ $py: 'frozenset', items }),
  bytes: (base64: string) => ({ $py: 'bytes', base64 }),
  bytearray: (base64: string) => ({ $py: 'bytearray', base64 }),
  /** A dict whose keys need not be strings. */
  dict: (...pairs: Array<[unknown, unknown]>) => ({ $py: 'dict', pairs }),
  tsMap: (...pairs: Array<[unknown, unknown]>) => ({ $py: 'TsMap', pairs }),
  tsBigInt: (value: bigint) => ({ $py: 'TsBigInt', text: String(value) }),
};

/**
 * A description made comparable: the items of every Python set in one order
 * (sets have none), and with `keepsObjectKeyOrder` false the members of
 * every dict too. PostgreSQL's JSONB keeps object keys in its own order
 * (shorter keys first), so there Python's dicts (a state included) come back
 * in that order; a `TsMap` keeps its order everywhere (it is stored as a list).
 */
export function comparable(value: unknown, keepsObjectKeyOrder: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => comparable(item, keepsObjectKeyOrder));
  if (value === null || typeof value !== 'object') return value;
  const { t, v } = value as { t: string; v: unknown };
  const inner = comparable(v, keepsObjectKeyOrder);
  const unordered = t === 'set' || t === 'frozenset' || (t === 'dict' && !keepsObjectKeyOrder);
  if (unordered && Array.isArray(inner)) return { t, v: [...inner].sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)) };
  return { t, v: inner };
}

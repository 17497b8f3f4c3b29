import { describe, expect, it } from 'vitest';
import { decodeState, encodeState } from '@burr/core';

/**
 * The `state` column of app-B in packages/testkit/fixtures/python-burr-0.40.2-sqlite/burr_state.sql,
 * written by Python Burr 0.40.2 itself (`json.dumps` of the serialized state).
 */
const PYTHON_APP_B_STATE = String.raw`{"count": 1, "__SEQUENCE_ID": 0, "extras": {"float_one": 1.0, "float": 0.1, "big": 100000000000000000000, "unicode": "\u00e9\u4e2d\ud83d\ude00", "none": null, "tuple": "(1, 2)", "bool": true, "nested": [{"b": 1, "a": 2}], "nan": NaN, "neg0": -0.0, "exp": 1e-07, "bigf": 1e+22, "set": "{1}", "5": "intkey"}, "__PRIOR_STEP": "counter"}`;

/**
 * What Python's `load()` returned for that row, from expected.json: values
 * JSON cannot carry are written `{"$float": "nan"}` and `{"$bigint": "..."}`.
 */
const PYTHON_LOADED_STATE = String.raw`{
  "count": 1,
  "__SEQUENCE_ID": 0,
  "extras": {
    "float_one": 1.0, "float": 0.1, "big": {"$bigint": "100000000000000000000"},
    "unicode": "\u00e9\u4e2d\ud83d\ude00", "none": null, "tuple": "(1, 2)", "bool": true,
    "nested": [{"b": 1, "a": 2}], "nan": {"$float": "nan"}, "neg0": -0.0, "exp": 1e-07,
    "bigf": 1e+22, "set": "{1}", "5": "intkey"
  },
  "__PRIOR_STEP": "counter"
}`;

const FLOATS: Record<string, number> = { nan: Number.NaN, inf: Infinity, '-inf': -Infinity };

/** Parses expected.json's notation into the values a JavaScript reader should produce. */
function parseExpected(text: string): Record<string, unknown> {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const marked = value as Record<string, unknown>;
      if (typeof marked.$bigint === 'string') return BigInt(marked.$bigint);
      if (typeof marked.$float === 'string' && marked.$float in FLOATS) return FLOATS[marked.$float];
    }
    return value;
  }) as Record<string, unknown>;
}

describe('state written by Python Burr 0.40.2 (compat fixture, app-B)', () => {
  const expected = parseExpected(PYTHON_LOADED_STATE);
  const state = decodeState(PYTHON_APP_B_STATE);

  it('decodes to what Python loads, key order included', () => {
    expect(state.keys()).toEqual(['count', '__SEQUENCE_ID', 'extras', '__PRIOR_STEP']);
    expect(state.getAll()).toEqual(expected);
  });

  it('keeps the number kinds: NaN, -0, a bigint beyond 2^53, floats', () => {
    const extras = state.get('extras') as Record<string, unknown>;
    expect(extras.nan).toBeNaN();
    expect(Object.is(extras.neg0, -0)).toBe(true);
    expect(extras.big).toBe(100000000000000000000n);
    expect(extras.bigf).toBe(1e22);
    expect(extras.exp).toBe(1e-7);
    expect(extras.float_one).toBe(1);
    expect(extras.unicode).toBe('é中😀');
    expect(Object.keys((extras.nested as object[])[0] as object)).toEqual(['b', 'a']);
  });

  it('writes it back in a form stock Python reads as the same values, with the python-plain encoding', () => {
    const json = encodeState(state, { valueEncoding: 'python-plain' });
    expect(json).toContain('"big":100000000000000000000,');
    expect(json).toContain('"nan":NaN');
    expect(json).toContain('"neg0":-0.0');
    expect(json).toContain('"bigf":1e+22');
    expect(decodeState(json).getAll()).toEqual(expected);
  });

  it('writes the big integer as a bigint tag by default (Python reads it after burr_ts_serde.register())', () => {
    const json = encodeState(state);
    expect(json).toContain('"big":{"__burr_serde__":"bigint","value":"100000000000000000000"},');
    expect(decodeState(json).getAll()).toEqual(expected);
  });
});

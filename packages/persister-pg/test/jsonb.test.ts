// Pure functions: no database needed.
import { UnsupportedValueError } from '@burr/core';
import { describe, expect, it } from 'vitest';
import { assertNoNulInText, toJsonbText } from '../src/jsonb.js';

describe('toJsonbText', () => {
  it('leaves ordinary JSON untouched (same string)', () => {
    const json = '{"a":1,"b":[0.5,-2,1e-7,"1e+22"],"c":{"d":null}}';
    expect(toJsonbText(json)).toBe(json);
  });

  it('writes exponent doubles beyond 2^53 in full with ".0", and only those', () => {
    expect(toJsonbText('{"a":1e+22,"b":-1.5e+300,"c":1.5e+1,"d":1e-7,"e":"1e+22 x","f":[2E+60]}')).toBe(
      `{"a":10000000000000000000000.0,"b":${BigInt(-1.5e300)}.0,"c":1.5e+1,"d":1e-7,"e":"1e+22 x","f":[${BigInt(2e60)}.0]}`,
    );
    expect(Number(toJsonbText('[1e+22]').slice(1, -1))).toBe(1e22);
  });

  it('skips exponent-like text inside strings, escaped quotes included', () => {
    const json = '{"s":"a \\"1e+22\\" b","t":"\\\\","n":3e+30}';
    expect(toJsonbText(json)).toBe(`{"s":"a \\"1e+22\\" b","t":"\\\\","n":${BigInt(3e30)}.0}`);
  });

  it('refuses an unpaired surrogate, naming its key path, and accepts paired ones', () => {
    expect(() => toJsonbText(JSON.stringify({ a: ['ok', 'x\ud800y'] }))).toThrow(/unpaired UTF-16 surrogate at a\[1\]/);
    expect(() => toJsonbText(JSON.stringify({ b: '\udc00' }))).toThrow(UnsupportedValueError);
    const paired = JSON.stringify({ e: '\ud83d\ude00' });
    expect(toJsonbText(paired)).toBe(paired);
    const escapedText = JSON.stringify({ t: '\\ud800 is only text' });
    expect(toJsonbText(escapedText)).toBe(escapedText);
  });

  it('refuses a \\u0000 escape, naming its key path, in values and in keys', () => {
    expect(() => toJsonbText('{"a":{"b":["x","y\\u0000"]}}')).toThrow(UnsupportedValueError);
    expect(() => toJsonbText('{"a":{"b":["x","y\\u0000"]}}')).toThrow(/at a\.b\[1\]/);
    expect(() => toJsonbText('{"k\\u0000":1}')).toThrow(/\["k\\u0000"\]/);
    expect(() => toJsonbText('{"a":"\\\\\\u0000"}')).toThrow(/at a:/);
  });

  it('accepts a backslash followed by "u0000", which is not a NUL', () => {
    for (const json of ['{"a":"\\\\u0000"}', '{"a":"\\\\\\\\u0000"}', '{"a\\\\u0000":"x"}']) {
      expect(toJsonbText(json)).toBe(json);
      expect(
        Object.entries(JSON.parse(json) as object)
          .flat()
          .join(''),
      ).not.toContain('\u0000');
    }
  });
});

describe('assertNoNulInText', () => {
  it('names the column and refuses only a real NUL', () => {
    expect(() => assertNoNulInText('a\u0000', 'app id')).toThrow(/app id/);
    expect(() => assertNoNulInText('a\\u0000', 'app id')).not.toThrow();
  });
});

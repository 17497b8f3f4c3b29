import { describe, expect, it } from 'vitest';
import { encodeValueJson, SerializationError, UnsupportedValueError } from '../src/index.js';

describe('encodeValueJson', () => {
  it('encodes one value with the state serde: tags and Python tokens', () => {
    expect(encodeValueJson({ when: new Date(0), n: NaN, big: 2n ** 70n })).toBe(
      '{"when":{"__burr_serde__":"date","value":"1970-01-01T00:00:00.000Z"},"n":NaN,"big":{"__burr_serde__":"bigint","value":"1180591620717411303424"}}',
    );
    expect(encodeValueJson({ when: new Date(0), big: 2n ** 70n }, { valueEncoding: 'python-plain' })).toBe('{"when":"1970-01-01T00:00:00.000Z","big":1180591620717411303424}');
    expect(encodeValueJson({ small: 5n }, { kwargs: { valueEncoding: 'python-plain' } })).toBe('{"small":5}');
    expect(encodeValueJson('plain')).toBe('"plain"');
    expect(encodeValueJson(undefined)).toBeUndefined();
  });

  it('names the path of what it cannot encode, and honours nonFiniteNumbers', () => {
    expect(() => encodeValueJson({ a: [() => 1] })).toThrow(SerializationError);
    expect(() => encodeValueJson({ a: [() => 1] })).toThrow(/a\[0\]/);
    expect(() => encodeValueJson({ x: Infinity }, { nonFiniteNumbers: 'reject' })).toThrow(UnsupportedValueError);
  });
});

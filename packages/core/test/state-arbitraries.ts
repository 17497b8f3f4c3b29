// Random state values for the property tests: JSON-like trees that stress the codec.
import fc from 'fast-check';
import { SERDE_KEY } from '@burr/core';

/** Strings that stress the writer and the reader: any UTF-16 unit (lone surrogates too), NUL, escapes, token look-alikes. */
export const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 10 }),
  fc.string({ unit: 'binary', maxLength: 10 }),
  fc.string({ unit: fc.constantFrom('\ud800', '\udfff', '\ud83d\ude00', '\u0000', '\u2028', '"', '\\', 'NaN', '-Infinity', '5', '\ufffd'), maxLength: 8 }),
);

const number = fc.oneof(fc.double(), fc.integer(), fc.constantFrom(-0, NaN, Infinity, -Infinity, 2 ** 53, 2 ** 53 + 2, 1e21, 5e-324));
const bigint = fc.oneof(fc.bigInt({ min: -(2n ** 128n), max: 2n ** 128n }), fc.constantFrom(2n ** 53n, -(2n ** 53n), 2n ** 53n - 1n, 0n));

export const { value: jsonLike } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 6 },
    text,
    number,
    bigint,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(
      text.filter((key) => key !== SERDE_KEY),
      tie('value'),
      { maxKeys: 5, noNullPrototype: true },
    ),
    fc.array(fc.tuple(text, tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
  ),
}));

export const stateValues = fc.dictionary(text, jsonLike, { maxKeys: 6, noNullPrototype: true });

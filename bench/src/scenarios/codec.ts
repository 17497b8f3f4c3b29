/**
 * Burr's state codec alone (no I/O) against plain JSON: the part of a save or
 * load that is not the database's. Shows how much of a Burr/floor ratio is
 * encoding or decoding.
 */
import { decodeState, encodeState } from '@burr/core';
import type { Payload } from '../payload.js';
import type { Row } from '../rows.js';
import { measureTogether, type Budget } from '../timing.js';

export async function codecRows(payload: Payload, budget: Budget): Promise<Row[]> {
  const plain = payload.state.getAll();
  const [stringify, encode] = await measureTogether([() => JSON.stringify(plain), () => encodeState(payload.state)], budget);
  const [parse, decode] = await measureTogether([() => JSON.parse(payload.json), () => decodeState(payload.json)], budget);
  return [
    {
      section: 'codec',
      backend: 'core',
      operation: 'encode (encodeState vs JSON.stringify)',
      size: payload.label,
      floor: stringify,
      burr: encode,
    },
    {
      section: 'codec',
      backend: 'core',
      operation: 'decode (decodeState vs JSON.parse)',
      size: payload.label,
      floor: parse,
      burr: decode,
    },
  ];
}

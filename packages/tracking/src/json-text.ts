import { encodeValueJson, SerializationError, type SerdeKwargs } from '@burr/core';

/**
 * A JSON object of `record`'s entries for the log (inputs, results). A value
 * the serde cannot encode is written as a string saying why, rather than
 * failing the step: these fields are for display only and never reloaded.
 */
export function encodeDisplayObject(record: Record<string, unknown>, kwargs: SerdeKwargs): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(record)) {
    let text: string | undefined;
    try {
      text = encodeValueJson(value, { kwargs });
    } catch (error) {
      if (!(error instanceof SerializationError)) throw error;
      text = JSON.stringify(`<not serializable: ${error.message}>`);
    }
    if (text !== undefined) parts.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${parts.join(',')}}`;
}

/**
 * A step result as the log holds it: an object (Python's `Optional[dict]`),
 * or `null`. Anything else is wrapped as `{"value": ...}` so Burr's UI, which
 * validates `result` as a dict, can still read the line.
 */
export function encodeResult(result: unknown, kwargs: SerdeKwargs): string {
  if (result === null || result === undefined) return 'null';
  if (isPlainObject(result)) return encodeDisplayObject(result, kwargs);
  return encodeDisplayObject({ value: result }, kwargs);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * The exact text of the value under `key` in a JSON object, or `undefined`.
 * Used to hand a state to `decodeState` as written, which keeps the order of
 * integer-like keys that `JSON.parse` would move first. `text` must be
 * valid JSON (checked by the caller); Python's bare tokens are fine.
 */
export function rawMemberText(text: string, key: string): string | undefined {
  let i = skipSpace(text, 0);
  if (text[i] !== '{') return undefined;
  i = skipSpace(text, i + 1);
  while (i < text.length && text[i] !== '}') {
    const keyEnd = skipString(text, i);
    const name = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipSpace(text, keyEnd);
    i = skipSpace(text, i + 1); // past ':'
    const valueEnd = skipValue(text, i);
    if (name === key) return text.slice(i, valueEnd);
    i = skipSpace(text, valueEnd);
    if (text[i] === ',') i = skipSpace(text, i + 1);
  }
  return undefined;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  return i;
}

/** `i` is at an opening quote; returns the index after the closing one. */
function skipString(text: string, i: number): number {
  for (let j = i + 1; j < text.length; j++) {
    if (text[j] === '\\') j++;
    else if (text[j] === '"') return j + 1;
  }
  return text.length;
}

function skipValue(text: string, i: number): number {
  const first = text[i];
  if (first === '"') return skipString(text, i);
  if (first === '{' || first === '[') {
    let depth = 0;
    for (let j = i; j < text.length; j++) {
      const c = text[j];
      if (c === '"') j = skipString(text, j) - 1;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) return j + 1;
      }
    }
    return text.length;
  }
  let j = i;
  while (j < text.length && text[j] !== ',' && text[j] !== '}' && text[j] !== ']' && text[j] !== ' ' && text[j] !== '\n') j++;
  return j;
}

import { encodeState, parsePythonJson, type State } from '@burr/core';

/**
 * A state in its stored form, as plain values: what `encodeState` writes,
 * parsed back (tagged values stay `{__burr_serde__, value}` objects; NaN,
 * ±Infinity and -0 stay numbers; integers past 2^53 are bigints).
 */
export function storedForm(state: State): Record<string, unknown> {
  // A JS object lists integer-like keys ("5") first, whatever order the state has; other keys keep their order.
  return parsePythonJson(encodeState(state)) as Record<string, unknown>;
}

/**
 * Marks a string of the browser form that stands for something JSON cannot
 * carry. A stored string that itself starts with NUL gets a second NUL, so
 * every string comes back exactly.
 */
export const BROWSER_MARK = '\u0000';

/**
 * JSON text of a stored-form value for the page's script: numbers JSON
 * cannot write (NaN, ±Infinity, -0, bigints) become `"\u0000n:<Python token>"`.
 */
export function browserJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (typeof item === 'bigint') return `${BROWSER_MARK}n:${item}`;
    if (typeof item === 'number') {
      if (Number.isNaN(item)) return `${BROWSER_MARK}n:NaN`;
      if (item === Infinity) return `${BROWSER_MARK}n:Infinity`;
      if (item === -Infinity) return `${BROWSER_MARK}n:-Infinity`;
      if (Object.is(item, -0)) return `${BROWSER_MARK}n:-0.0`;
      return item;
    }
    if (typeof item === 'string' && item.startsWith(BROWSER_MARK)) return BROWSER_MARK + item;
    return item;
  });
}

/**
 * Compact JSON-like text of a stored-form value, cut after about `maxChars`
 * characters (with `…`), without walking more of the value than it prints.
 */
export function previewValue(value: unknown, maxChars = 200): string {
  const parts: string[] = [];
  let length = 0;
  const emit = (text: string): boolean => {
    parts.push(text);
    length += text.length;
    return length < maxChars;
  };
  const walk = (item: unknown): boolean => {
    if (Array.isArray(item)) {
      if (!emit('[')) return false;
      for (let index = 0; index < item.length; index++) {
        if (index > 0 && !emit(', ')) return false;
        if (!walk(item[index])) return false;
      }
      return emit(']');
    }
    if (typeof item === 'object' && item !== null) {
      if (!emit('{')) return false;
      let first = true;
      for (const [key, child] of Object.entries(item)) {
        if (!first && !emit(', ')) return false;
        first = false;
        if (!emit(`${JSON.stringify(key)}: `) || !walk(child)) return false;
      }
      return emit('}');
    }
    return emit(scalarText(item));
  };
  walk(value);
  const text = parts.join('');
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}

function scalarText(value: unknown): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return Object.is(value, -0) ? '-0.0' : String(value);
  }
  return JSON.stringify(value) ?? String(value);
}

import { DeserializationError, formatKeyPath } from '../errors.js';
import { NestingTooDeepSignal, parsedJsonFlags, pathTooDeep, TAGGED, UNSAFE_INTEGER } from './fast-checks.js';
import { MAX_NESTING_DEPTH } from './limits.js';

/**
 * JSON as Python's `json` module writes and reads it: the bare tokens `NaN`,
 * `Infinity` and `-Infinity`, `-0.0`, and integers of any size. Native
 * `JSON.parse`/`JSON.stringify` handle the common case; the hand-written
 * paths below run only when a document needs them.
 */

/** What {@link parsePythonJson} tells besides the value, when asked. */
export interface ParsedJsonFacts {
  /** Whether an object of the value holds the serde tag key: `decodeValue` has tagged values to rebuild. */
  tagged: boolean;
}

/**
 * Parses JSON text, accepting Python's tokens; integers beyond 2^53 become
 * `bigint`. Throws {@link DeserializationError} for malformed text and for
 * arrays and objects nested deeper than {@link MAX_NESTING_DEPTH}. Fills
 * `facts`, when given, from the same walk that looks for large integers (a
 * replay of thousands of small deltas needs no scan of each text for tags).
 */
export function parsePythonJson(text: string, facts?: ParsedJsonFacts): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    // Python's bare tokens are not JSON: only then does the hand-written parser run (looking for them first
    // cost two scans of every text, about a twentieth of a load that parses thousands of small deltas).
    if (text.includes('NaN') || text.includes('Infinity')) return parsedByHand(text, facts);
    throw new DeserializationError(`Stored state is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
  let flags: number;
  try {
    flags = parsedJsonFlags(parsed, 1);
  } catch (error) {
    if (error instanceof NestingTooDeepSignal) throw tooDeep(pathTooDeep(parsed) ?? []);
    throw error;
  }
  if ((flags & UNSAFE_INTEGER) !== 0) return parsedByHand(text, facts);
  if (facts) facts.tagged = (flags & TAGGED) !== 0;
  return parsed;
}

function parsedByHand(text: string, facts: ParsedJsonFacts | undefined): unknown {
  const parsed = new Parser(text).parseDocument();
  if (facts) facts.tagged = (parsedJsonFlags(parsed, 1) & TAGGED) !== 0;
  return parsed;
}

function tooDeep(path: ReadonlyArray<string | number>): DeserializationError {
  return new DeserializationError(`Stored state nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels at ${formatKeyPath(path)}`);
}

/**
 * Parses a JSON object into its entries in document order. `JSON.parse`
 * moves integer-like keys ("5") first; state key order must survive.
 */
export function parsePythonJsonEntries(text: string): Array<[string, unknown]> {
  const parsed = parsePythonJson(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new DeserializationError('Stored state is not a JSON object');
  }
  const entries = Object.entries(parsed);
  return entries.some(([key]) => ARRAY_INDEX.test(key)) ? new Parser(text).parseTopLevelEntries() : entries;
}

/** An integer-like key, which `JSON.parse` and `JSON.stringify` move before the others. */
export const ARRAY_INDEX = /^(?:0|[1-9]\d*)$/;

/**
 * Writes a JSON-ready tree (plain objects, arrays, strings, booleans, null,
 * numbers including NaN/±Infinity/-0, and bigints written as integer
 * literals). Call only when a special number (see `isSpecialNumber`) or a bigint occurs;
 * otherwise `JSON.stringify` is faster and equivalent.
 */
export function stringifyPythonJson(value: unknown): string {
  const parts: string[] = [];
  write(value, parts);
  return parts.join('');
}

function write(value: unknown, out: string[]): void {
  switch (typeof value) {
    case 'number':
      if (Number.isNaN(value)) out.push('NaN');
      else if (value === Infinity) out.push('Infinity');
      else if (value === -Infinity) out.push('-Infinity');
      else if (Object.is(value, -0)) out.push('-0.0');
      else out.push(floatText(value));
      return;
    case 'bigint':
      out.push(value.toString());
      return;
    case 'string':
      out.push(JSON.stringify(value));
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'object':
      if (value === null) {
        out.push('null');
      } else if (Array.isArray(value)) {
        out.push('[');
        value.forEach((item, i) => {
          if (i > 0) out.push(',');
          write(item === undefined ? null : item, out);
        });
        out.push(']');
      } else {
        out.push('{');
        let first = true;
        for (const [key, item] of Object.entries(value)) {
          if (item === undefined) continue;
          if (!first) out.push(',');
          first = false;
          out.push(JSON.stringify(key), ':');
          write(item, out);
        }
        out.push('}');
      }
      return;
    default:
      // The serde walk rejects everything else before we get here.
      out.push('null');
  }
}

/** A double as JSON text that every reader takes for a float: `1e20` is written `100000000000000000000.0`. */
function floatText(value: number): string {
  const text = String(value);
  return Math.abs(value) > Number.MAX_SAFE_INTEGER && !/[.e]/.test(text) ? `${text}.0` : text;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

class Parser {
  private pos = 0;
  /** Where the parser is, for the depth error: keys and indexes of the open arrays and objects. */
  private readonly path: Array<string | number> = [];
  private depth = 0;

  constructor(private readonly text: string) {}

  parseTopLevelEntries(): Array<[string, unknown]> {
    this.skipWhitespace();
    if (this.text[this.pos] !== '{') this.fail("expected '{'");
    const entries: Array<[string, unknown]> = [];
    this.depth = 1;
    this.members((key, value) => entries.push([key, value]));
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the document');
    return entries;
  }

  parseDocument(): unknown {
    const value = this.value();
    this.skipWhitespace();
    if (this.pos !== this.text.length) this.fail('unexpected text after the document');
    return value;
  }

  private value(): unknown {
    this.skipWhitespace();
    const c = this.text[this.pos];
    switch (c) {
      case '{':
      case '[': {
        if (++this.depth > MAX_NESTING_DEPTH) throw tooDeep(this.path);
        const container = c === '{' ? this.object() : this.array();
        this.depth--;
        return container;
      }
      case '"':
        return this.string();
      case 't':
        return this.literal('true', true);
      case 'f':
        return this.literal('false', false);
      case 'n':
        return this.literal('null', null);
      case 'N':
        return this.literal('NaN', NaN);
      case 'I':
        return this.literal('Infinity', Infinity);
      default:
        if (c === '-' && this.text.startsWith('-Infinity', this.pos)) return this.literal('-Infinity', -Infinity);
        return this.number();
    }
  }

  private object(): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    // defineProperty: a key named "__proto__" must stay data, not a prototype.
    this.members((key, value) => Object.defineProperty(result, key, { value, enumerable: true, writable: true, configurable: true }));
    return result;
  }

  private members(onMember: (key: string, value: unknown) => void): void {
    this.pos++;
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a string key');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.path.push(key);
      onMember(key, this.value());
      this.path.pop();
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === '}') return;
      if (next !== ',') this.fail("expected ',' or '}'");
    }
  }

  private array(): unknown[] {
    this.pos++;
    const result: unknown[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return result;
    }
    for (;;) {
      this.path.push(result.length);
      result.push(this.value());
      this.path.pop();
      this.skipWhitespace();
      const next = this.text[this.pos++];
      if (next === ']') return result;
      if (next !== ',') this.fail("expected ',' or ']'");
    }
  }

  private string(): string {
    const start = this.pos;
    this.pos++;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) break;
      if (c === 0x5c) this.pos++;
      this.pos++;
    }
    this.pos++;
    try {
      return JSON.parse(this.text.slice(start, this.pos)) as string;
    } catch {
      return this.fail('invalid string');
    }
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (!match) return this.fail('unexpected character');
    this.pos += match[0].length;
    const asNumber = Number(match[0]);
    const isInteger = match[1] === undefined && match[2] === undefined;
    return isInteger && !Number.isSafeInteger(asNumber) ? BigInt(match[0]) : asNumber;
  }

  private literal<V>(word: string, value: V): V {
    if (!this.text.startsWith(word, this.pos)) this.fail(`unexpected token`);
    this.pos += word.length;
    return value;
  }

  private skipWhitespace(): void {
    while (this.pos < this.text.length) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.pos++;
    }
  }

  private fail(reason: string): never {
    throw new DeserializationError(`Stored state is not valid JSON: ${reason} at position ${this.pos}`);
  }
}

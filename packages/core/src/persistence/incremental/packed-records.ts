import { DeserializationError } from '../../errors.js';
import type { StoredIncrementalRecord } from './rows.js';

/**
 * Appends to `into` the records of one segment of packed deltas (Redis's
 * lists, the SQL persisters' segment rows; see docs/incremental-storage.md)
 * whose sequence ids lie above `above` and at or below `upTo`, in the
 * segment's order. A segment is records of `\n`, a head `[sequence_id,
 * position, created_at(, status(, base_sequence_id, base_position))]`, `\n`,
 * the state. A delta on the step before it leaves its base position out: it
 * is the position of the record before it in the segment when that one is
 * the step before; otherwise (the segment's first record) the caller fills
 * it in from that row. With `detailsFrom`, only records at or above that
 * sequence id get their status and save time (the others `null`, as a chain
 * read needs them only at its target).
 */
export function packedRecords(segment: string, above: number, upTo: number, into: StoredIncrementalRecord[], detailsFrom = Number.NEGATIVE_INFINITY): void {
  let beforeSequenceId = Number.NaN;
  let beforePosition = '';
  let at = segment.indexOf('\n');
  while (at !== -1) {
    const headEnd = segment.indexOf('\n', at + 1);
    if (headEnd === -1) throw new DeserializationError(`a segment of packed deltas ends inside a head (${JSON.stringify(segment.slice(at + 1, at + 61))})`);
    const next = segment.indexOf('\n', headEnd + 1);
    // The sequence id first, so a record outside the range (even a broken one) costs no parse.
    const leading = leadingInteger(segment, at + 2);
    const wanted = !(leading <= above || leading > upTo);
    // A record below the range is parsed only when the next one may need its position.
    if (wanted || leading === above) {
      const head = compactHead(segment, at + 1, headEnd, leading, beforeSequenceId === leading - 1 ? beforePosition : undefined) ?? parseHead(segment.slice(at + 1, headEnd));
      const sequenceId = head[0];
      const onStepBefore = head.length < 5;
      if (wanted) {
        const details = sequenceId >= detailsFrom;
        into.push({
          sequenceId,
          position: head[1],
          status: details ? (head[3] ?? 'completed') : null,
          createdAt: details ? head[2] : null,
          baseSequenceId: onStepBefore ? sequenceId - 1 : (head[4] as number),
          basePosition: onStepBefore ? (beforeSequenceId === sequenceId - 1 ? beforePosition : null) : (head[5] as string),
          state: segment.slice(headEnd + 1, next === -1 ? segment.length : next),
        });
      }
      beforeSequenceId = sequenceId;
      beforePosition = head[1];
    } else {
      beforeSequenceId = Number.NaN;
    }
    at = next;
  }
}

/** The non-negative integer written at `from` in `text` (up to the first non-digit), or NaN. */
function leadingInteger(text: string, from: number): number {
  let value = 0;
  let i = from;
  for (; i < text.length; i++) {
    const digit = text.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) break;
    value = value * 10 + digit;
  }
  return i === from || i - from > 15 ? Number.NaN : value;
}

/**
 * The head `[sequence_id, "position", "created_at"]` between `start` and
 * `end`, read without `JSON.parse` (a load reads thousands): only when
 * neither string holds an escape, else `undefined` (the caller parses it).
 * The position is `previousPosition`, the same string, when the text is
 * that one's (a run of one action keeps one string for every record).
 */
function compactHead(text: string, start: number, end: number, sequenceId: number, previousPosition: string | undefined): PackedHead | undefined {
  if (!Number.isSafeInteger(sequenceId)) return undefined;
  let i = skipSpaces(text, text.indexOf(',', start) + 1);
  if (i <= start || i >= end || text.charCodeAt(i) !== QUOTE) return undefined;
  const positionEnd = stringEnd(text, i, end);
  if (positionEnd < 0) return undefined;
  const position =
    previousPosition !== undefined && positionEnd - i - 1 === previousPosition.length && text.startsWith(previousPosition, i + 1)
      ? previousPosition
      : text.slice(i + 1, positionEnd);
  i = skipSpaces(text, positionEnd + 1);
  if (text.charCodeAt(i) !== COMMA) return undefined;
  i = skipSpaces(text, i + 1);
  if (text.charCodeAt(i) !== QUOTE) return undefined;
  const createdAtEnd = stringEnd(text, i, end);
  if (createdAtEnd < 0 || skipSpaces(text, createdAtEnd + 1) !== end - 1 || text.charCodeAt(end - 1) !== CLOSE) return undefined;
  return [sequenceId, position, text.slice(i + 1, createdAtEnd)];
}

const QUOTE = 34;
const COMMA = 44;
const CLOSE = 93;
const BACKSLASH = 92;

function skipSpaces(text: string, from: number): number {
  let i = from;
  while (text.charCodeAt(i) === 32) i++;
  return i;
}

/** The index of the quote closing the JSON string opened at `open`, before `end`; -1 if it holds an escape or does not close. */
function stringEnd(text: string, open: number, end: number): number {
  const close = text.indexOf('"', open + 1);
  if (close < 0 || close >= end) return -1;
  for (let i = open + 1; i < close; i++) if (text.charCodeAt(i) === BACKSLASH) return -1;
  return close;
}

type PackedHead = [number, string, string, string?, number?, string?];

function parseHead(text: string): PackedHead {
  let head: unknown;
  try {
    head = JSON.parse(text);
  } catch {
    head = undefined;
  }
  if (!isPackedHead(head))
    throw new DeserializationError(
      `a packed delta has no valid head ([sequence id, position, created_at, status?, base sequence id?, base position?]): ${JSON.stringify(text.slice(0, 120))}`,
    );
  return head;
}

function isPackedHead(head: unknown): head is PackedHead {
  if (!Array.isArray(head) || !Number.isSafeInteger(head[0]) || typeof head[1] !== 'string' || typeof head[2] !== 'string') return false;
  if (head.length === 3) return true;
  if (typeof head[3] !== 'string') return false;
  return head.length === 4 || (head.length === 6 && Number.isSafeInteger(head[4]) && typeof head[5] === 'string');
}

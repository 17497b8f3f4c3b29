import { DeserializationError, type StoredIncrementalRecord } from '@burr/core';

/**
 * Appends to `into` the records of one segment of packed deltas (see
 * `LUA_PACKED`) whose sequence ids lie above `above` and at or below `upTo`,
 * in the segment's order. A segment is records of `\n`, a head
 * `[sequence_id, position, created_at(, status(, base_sequence_id,
 * base_position))]`, `\n`, the state. A delta on the step before it leaves
 * its base position out: the caller fills it in from that row.
 */
export function packedRecords(segment: string, above: number, upTo: number, into: StoredIncrementalRecord[]): void {
  let at = segment.indexOf('\n');
  while (at !== -1) {
    const headEnd = segment.indexOf('\n', at + 1);
    if (headEnd === -1) throw new DeserializationError(`a segment of packed deltas ends inside a head (${JSON.stringify(segment.slice(at + 1, at + 61))})`);
    const next = segment.indexOf('\n', headEnd + 1);
    // The sequence id first, so a record outside the range (even a broken one) costs no parse.
    const leading = Number(segment.slice(at + 2, segment.indexOf(',', at)));
    if (!(leading <= above || leading > upTo)) {
      const head = parseHead(segment.slice(at + 1, headEnd));
      const sequenceId = head[0];
      const state = segment.slice(headEnd + 1, next === -1 ? segment.length : next);
      const onStepBefore = head.length < 5;
      into.push({
        sequenceId,
        position: head[1],
        status: head[3] ?? 'completed',
        createdAt: head[2],
        baseSequenceId: onStepBefore ? sequenceId - 1 : (head[4] as number),
        basePosition: onStepBefore ? null : (head[5] as string),
        state,
      });
    }
    at = next;
  }
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

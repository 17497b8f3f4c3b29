import { DeserializationError, packedRecords, type StoredIncrementalRecord } from '@burr/core';
import { replyText } from './client.js';
import { CHAIN_ENTRY_FIELDS } from './incremental-scripts.js';

/**
 * The rows of a `CHAIN_ROWS` reply, oldest first: the rows read on their own
 * (see {@link rowsReadAlone}) and the records of the segments met whose
 * sequence ids lie above the snapshot the walk stopped at and at or below
 * the step asked for.
 */
export function chainRowsOfReply(reply: unknown): StoredIncrementalRecord[] {
  const [alone, segments, stop, to] = Array.isArray(reply) ? (reply as unknown[]) : [];
  const rows = rowsReadAlone(alone);
  const above = Number(replyText(stop) ?? -1);
  const upTo = Number(replyText(to) ?? -1);
  const lists = Array.isArray(segments) ? segments : [];
  // Segments come newest first, each a list of its records in the order they were saved (ascending, but for a step saved late).
  for (let i = lists.length - 1; i >= 0; i--) packedRecords(segmentText(lists[i]), above, upTo, rows);
  if (!ascending(rows)) rows.sort((a, b) => Number(a.sequenceId) - Number(b.sequenceId));
  fillBasePositions(rows);
  return rows;
}

/** A segment's text, its records one after the other, from the list of records a script returned. */
function segmentText(records: unknown): string {
  if (!Array.isArray(records)) return replyText(records) ?? '';
  let text = '';
  for (const record of records) text += replyText(record) ?? '';
  return text;
}

/**
 * The rows `CHAIN_ROWS` read on their own, oldest first: a delta taken from
 * its entry (two values: its sequence id, then the entry) has its links read
 * from the entry's head; any other row (one array of seven values) is taken
 * as is, unless it is the step asked for and a delta taken from its entry
 * (nil position, the entry as state).
 */
function rowsReadAlone(reply: unknown): StoredIncrementalRecord[] {
  const values = Array.isArray(reply) ? (reply as unknown[]) : [];
  const rows: StoredIncrementalRecord[] = [];
  // Newest first in the reply.
  for (let at = 0; at < values.length; ) {
    const row = values[at];
    if (!Array.isArray(row)) {
      rows.push(fromDeltaEntry(replyText(row) ?? '', null, null, replyText(values[at + 1]) ?? ''));
      at += CHAIN_ENTRY_FIELDS;
      continue;
    }
    const sequenceId = replyText(row[0]) ?? '';
    const status = replyText(row[2]) ?? null;
    const createdAt = replyText(row[3]) ?? null;
    const position = replyText(row[1]);
    // Checked by the reader: a row without state is reported as corrupt.
    const state = replyText(row[6]) as string;
    if (position === undefined && state !== undefined) {
      rows.push(fromDeltaEntry(sequenceId, status, createdAt, state));
    } else {
      const baseSequenceId = replyText(row[4]) ?? null;
      rows.push({ sequenceId, position: position ?? '', status, createdAt, baseSequenceId, basePosition: replyText(row[5]) ?? null, state });
    }
    at += 1;
  }
  return rows.reverse();
}

function ascending(rows: readonly StoredIncrementalRecord[]): boolean {
  for (let i = 1; i < rows.length; i++) if (Number(rows[i - 1]!.sequenceId) >= Number(rows[i]!.sequenceId)) return false;
  return true;
}

/**
 * The row of a delta taken from its entry in the app's hash of delta states: a head
 * `[position, base sequence id, base position]`, or `[position]` for a delta on the
 * step before it (whose position the caller fills in from that row), a newline, the
 * state. Built in one literal, fields in the order of the other rows: the reader keeps
 * thousands of them.
 */
function fromDeltaEntry(sequenceId: StoredIncrementalRecord['sequenceId'], status: string | null, createdAt: string | null, entry: string): StoredIncrementalRecord {
  const newline = entry.indexOf('\n');
  let head: unknown;
  try {
    head = newline > 0 ? JSON.parse(entry.slice(0, newline)) : undefined;
  } catch {
    head = undefined;
  }
  const valid = Array.isArray(head) && typeof head[0] === 'string' && (head.length === 1 || (head.length === 3 && Number.isSafeInteger(head[1]) && typeof head[2] === 'string'));
  if (!valid) throw new DeserializationError(`the delta entry at sequence ${String(sequenceId)} has no valid head ([position] or [position, base sequence id, base position])`);
  const [position, baseSequenceId = Number(sequenceId) - 1, basePosition = null] = head as [string, number?, string?];
  return { sequenceId, position, status, createdAt, baseSequenceId, basePosition, state: entry.slice(newline + 1) };
}

/**
 * Fills in the base position of each delta whose head left it out (its base is the
 * step before it): the position of the row before it, when that is its base. A delta
 * left without one is reported as corrupt by the reader.
 */
function fillBasePositions(rows: StoredIncrementalRecord[]): void {
  for (let i = 1; i < rows.length; i++) {
    const row = rows[i]!;
    const before = rows[i - 1]!;
    if (row.baseSequenceId !== null && row.basePosition === null && Number(before.sequenceId) === Number(row.baseSequenceId)) row.basePosition = before.position;
  }
}

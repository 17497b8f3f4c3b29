import type { MemberName } from './delta.js';
import { MIN_DELTA_COST_BYTES } from './rows.js';

/** What the snapshot policy knows of a chain (a snapshot and the deltas after it), kept for the save that continues it. */
export interface ChainCounts {
  /** Rows in the chain: 1 for a snapshot alone. */
  chainSteps: number;
  /** The sequence id of the chain's snapshot. */
  snapshotSequenceId: number;
  /** Bytes of the chain's snapshot, and of its deltas so far (each counted at least MIN_DELTA_COST_BYTES). */
  snapshotBytes: number;
  deltaBytes: number;
  /** Bytes of JSON the deltas appended to each list and still in the state, and their sum. */
  appended: ReadonlyMap<string, number>;
  appendedBytes: number;
}

/**
 * Counts a chain's rows as a save would have counted them (its
 * {@link ChainCounts}), while a load replays them: a save that continues
 * from the loaded step (a new process, a new application per request) then
 * writes the delta, or the snapshot, the process that saved the chain would
 * have written. A save counts the items it appends as it encodes them; here
 * they are measured in the delta's text: what the text holds beyond its
 * other members, or, when another member is an object or a list (costly to
 * measure), the items written as JSON again. PostgreSQL's JSONB text adds
 * spaces the save did not count: a policy count, not a byte-exact one there.
 */
export class ChainAccount implements ChainCounts {
  chainSteps = 1;
  readonly snapshotSequenceId: number;
  readonly snapshotBytes: number;
  deltaBytes = 0;
  readonly appended = new Map<string, number>();
  appendedBytes = 0;
  /** The delta being counted: the keys it appends to, their items, and its other members' values (as parsed). Reused. */
  readonly #appendKeys: string[] = [];
  readonly #appendItems: unknown[] = [];
  readonly #others: unknown[] = [];
  /** Bytes of the member names of the delta being counted, each with its colon and the comma or brace after its value. */
  #nameBytes = 0;

  constructor(snapshot: { sequenceId: number; state: string }) {
    this.snapshotSequenceId = snapshot.sequenceId;
    this.snapshotBytes = Buffer.byteLength(snapshot.state);
  }

  /** A member of the delta being counted that appends `items` (as parsed, not decoded) to the list at its key. */
  append(member: MemberName, items: unknown): void {
    this.#nameBytes += member.textBytes;
    this.#appendKeys.push(member.key);
    this.#appendItems.push(items);
  }

  /** A member that sets its key to `value` (as parsed) or deletes it: what was appended to it is no longer part of the state. */
  replaced(member: MemberName, value: unknown): void {
    this.other(member, value);
    const bytes = this.appended.get(member.key);
    if (bytes === undefined) return;
    this.appendedBytes -= bytes;
    this.appended.delete(member.key);
  }

  /** A member that neither appends nor changes a key (the key order), holding `value`. */
  other(member: MemberName, value: unknown): void {
    this.#nameBytes += member.textBytes;
    this.#others.push(value);
  }

  /** Ends the delta being counted, whose JSON text is `text`. */
  endDelta(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.chainSteps++;
    this.deltaBytes += Math.max(bytes, MIN_DELTA_COST_BYTES);
    if (this.#appendKeys.length === 1 && this.#others.every(isScalar)) {
      // A chat's delta: its items are what its text holds beyond the braces, the names and the other (small) values.
      let others = 0;
      for (const value of this.#others) others += scalarBytes(value);
      this.#count(this.#appendKeys[0]!, Math.max(0, bytes - 1 - this.#nameBytes - others));
    } else {
      for (let i = 0; i < this.#appendKeys.length; i++) this.#count(this.#appendKeys[i]!, jsonBytes(this.#appendItems[i]));
    }
    this.#appendKeys.length = 0;
    this.#appendItems.length = 0;
    this.#others.length = 0;
    this.#nameBytes = 0;
  }

  #count(key: string, bytes: number): void {
    this.appended.set(key, (this.appended.get(key) ?? 0) + bytes);
    this.appendedBytes += bytes;
  }
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

/** Characters JSON writes as escapes: a string holding none is its UTF-8 bytes and two quotes. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the control characters are the ones JSON escapes.
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/;

/** The bytes of a parsed scalar written as JSON. */
function scalarBytes(value: unknown): number {
  if (typeof value === 'string') return ESCAPED.test(value) ? jsonBytes(value) : Buffer.byteLength(value) + 2;
  return value === null ? 4 : String(value).length;
}

/** The bytes of a parsed value written again as JSON (integer literals past 2^53, parsed as bigints, as digits). */
function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
  return text === undefined ? 0 : Buffer.byteLength(text);
}

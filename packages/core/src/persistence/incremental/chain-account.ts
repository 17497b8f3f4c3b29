import { MIN_DELTA_COST_BYTES } from './rows.js';

/**
 * What the rows of a chain add up to for the snapshot policy (the counts a
 * save keeps for the next one), counted while a load replays the chain: a
 * save that continues from a loaded step (a new process, or a new
 * application per request) then writes the delta the process that saved
 * the chain would have written, not a snapshot.
 */
export class ChainAccount {
  /** Rows in the chain: 1 for a snapshot alone. */
  chainSteps = 1;
  readonly snapshotSequenceId: number;
  readonly snapshotBytes: number;
  /** Bytes of the deltas, each counted at least `MIN_DELTA_COST_BYTES`, as a save counts them. */
  deltaBytes = 0;
  /** Bytes of JSON the deltas appended to each list and still in the state, and their sum. */
  readonly appended = new Map<string, number>();
  appendedBytes = 0;
  /** The appends of the delta being counted: its key and items, until the delta ends. */
  readonly #appends: Array<readonly [key: string, items: unknown]> = [];
  /** Bytes of the delta being counted that are not appended items: member names, punctuation, other values. */
  #otherBytes = 0;
  /** Bytes of each member name as JSON, with its colon and the comma or brace after its value. */
  readonly #nameBytes = new Map<string, number>();

  constructor(snapshot: { sequenceId: number; state: string }) {
    this.snapshotSequenceId = snapshot.sequenceId;
    this.snapshotBytes = Buffer.byteLength(snapshot.state);
  }

  /** A member `name` of the delta being counted that sets (`value` as parsed, not decoded) or deletes `key`: what was appended to it is no longer part of the state. */
  replaced(name: string, key: string, value: unknown): void {
    this.other(name, value);
    const bytes = this.appended.get(key);
    if (bytes === undefined) return;
    this.appendedBytes -= bytes;
    this.appended.delete(key);
  }

  /** A member `name` of the delta being counted that appends `items` (as parsed, not decoded) to the list at `key`. */
  append(name: string, key: string, items: unknown): void {
    this.#otherBytes += this.#memberBytes(name);
    this.#appends.push([key, items]);
  }

  /** A member `name` that neither appends nor changes a key (the key order), holding `value`. */
  other(name: string, value: unknown): void {
    this.#otherBytes += this.#memberBytes(name) + valueBytes(value);
  }

  /** Ends the delta being counted, whose JSON text is `text`. */
  endDelta(text: string): void {
    const bytes = Buffer.byteLength(text);
    this.chainSteps++;
    this.deltaBytes += Math.max(bytes, MIN_DELTA_COST_BYTES);
    if (this.#appends.length === 1) {
      // A chat's delta: its appended items are what remains of its text (measured natively, not written again).
      this.#count(this.#appends[0]![0], Math.max(0, bytes - 1 - this.#otherBytes));
    } else {
      for (const [key, items] of this.#appends) this.#count(key, jsonBytes(items));
    }
    this.#appends.length = 0;
    this.#otherBytes = 0;
  }

  #memberBytes(name: string): number {
    let bytes = this.#nameBytes.get(name);
    if (bytes === undefined) {
      bytes = Buffer.byteLength(JSON.stringify(name)) + 2;
      this.#nameBytes.set(name, bytes);
    }
    return bytes;
  }

  #count(key: string, bytes: number): void {
    this.appended.set(key, (this.appended.get(key) ?? 0) + bytes);
    this.appendedBytes += bytes;
  }
}

/** About the bytes of a parsed value written as JSON: strings and numbers without writing them (escapes aside). */
function valueBytes(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return Buffer.byteLength(value) + 2;
    case 'number':
    case 'bigint':
    case 'boolean':
      return String(value).length;
    default:
      return value === null ? 4 : jsonBytes(value);
  }
}

/** About the bytes of `value` written as JSON (Python's tokens and integer literals past 2^53 aside): only a policy count. */
function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value, (_, item: unknown) => (typeof item === 'bigint' ? item.toString() : item));
  return text === undefined ? 0 : Buffer.byteLength(text);
}

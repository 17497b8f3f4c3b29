import { InvalidIdentifierError, InvalidPersistArgumentError } from '../errors.js';
import { State } from '../state.js';
import type { PartitionKeyInput, PersistStatus, SaveStateArgs } from './contract.js';

/** A step's identity, every part validated and the partition key normalized. */
export interface StepKey {
  partitionKey: string;
  appId: string;
  sequenceId: number;
  position: string;
}

/**
 * `null`/`undefined` → `''`, the way Python Burr stores "no partition".
 * Throws {@link InvalidIdentifierError} for a key that is not well-formed
 * Unicode (an unpaired UTF-16 surrogate) or holds NUL: stores would turn
 * either into a different key.
 */
export function normalizePartitionKey(partitionKey: PartitionKeyInput): string {
  if (partitionKey === null || partitionKey === undefined) return '';
  if (typeof partitionKey !== 'string') throw new InvalidPersistArgumentError(`partitionKey must be a string, null or undefined, got ${typeof partitionKey}`);
  assertWellFormedIdentifier(partitionKey, 'partition key');
  return partitionKey;
}

/** Throws unless `appId` is a non-empty, well-formed string without NUL. */
export function assertAppId(appId: unknown): asserts appId is string {
  if (typeof appId !== 'string' || appId.length === 0) throw new InvalidIdentifierError('app id', appId, 'must be a non-empty string');
  assertWellFormedIdentifier(appId, 'app id');
}

/**
 * Throws {@link InvalidIdentifierError} unless `value` is well-formed Unicode
 * (no unpaired UTF-16 surrogate) and holds no NUL. Backends store ids as
 * UTF-8 or C strings: a lone surrogate becomes U+FFFD or is dropped, so two
 * different ids would share one stored key, and NUL ends a C string early.
 */
export function assertWellFormedIdentifier(value: string, kind: string): void {
  if (!(value as unknown as WellFormedCheckable).isWellFormed()) {
    throw new InvalidIdentifierError(kind, value, 'must be well-formed Unicode (it holds an unpaired UTF-16 surrogate)');
  }
  if (value.includes('\u0000')) throw new InvalidIdentifierError(kind, value, 'must not contain the NUL character (U+0000)');
}

/** `String.prototype.isWellFormed` (Node 20+, ES2024), which the ES2023 lib does not declare. */
interface WellFormedCheckable {
  isWellFormed(): boolean;
}

/** Throws unless `sequenceId` is a non-negative safe integer. */
export function assertSequenceId(sequenceId: unknown): asserts sequenceId is number {
  if (typeof sequenceId !== 'number' || !Number.isSafeInteger(sequenceId) || sequenceId < 0) {
    throw new InvalidPersistArgumentError(`sequenceId must be a non-negative integer, got ${String(sequenceId)}`);
  }
}

const STATUSES: ReadonlySet<string> = new Set<PersistStatus>(['completed', 'failed']);

/** Whether `value` is a valid {@link PersistStatus}. */
export function isPersistStatus(value: unknown): value is PersistStatus {
  return typeof value === 'string' && STATUSES.has(value);
}

/** Validates the arguments of a save and returns its normalized key. */
export function validateSaveArgs(args: SaveStateArgs): StepKey {
  if (args === null || typeof args !== 'object') throw new InvalidPersistArgumentError('save() takes one object argument');
  assertAppId(args.appId);
  assertSequenceId(args.sequenceId);
  if (typeof args.position !== 'string' || args.position.length === 0) throw new InvalidPersistArgumentError('position must be a non-empty action name');
  assertWellFormedIdentifier(args.position, 'position');
  if (!isPersistStatus(args.status)) throw new InvalidPersistArgumentError(`status must be "completed" or "failed", got ${JSON.stringify(args.status)}`);
  if (!(args.state instanceof State)) throw new InvalidPersistArgumentError('state must be a State');
  return { partitionKey: normalizePartitionKey(args.partitionKey), appId: args.appId, sequenceId: args.sequenceId, position: args.position };
}

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * Returns `name` double-quoted after checking it is a plain lower-case SQL
 * identifier. Lower case only: Python Burr writes names unquoted, which
 * PostgreSQL folds to lower case, so both sides then name the same table.
 */
export function quoteSqlIdentifier(name: unknown, kind = 'table name'): string {
  if (typeof name !== 'string' || !SQL_IDENTIFIER.test(name)) {
    throw new InvalidIdentifierError(kind, name, 'use 1-63 lower-case letters, digits and underscores, not starting with a digit');
  }
  return `"${name}"`;
}

/**
 * Throws unless `value` can sit inside a `:`-separated key without being
 * mistaken for another tenant's: no separator, no glob or control characters.
 */
export function assertKeyComponent(value: string, kind: string): void {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is what this pattern is for.
  if (/[:*?[\]\\\u0000-\u001f]/.test(value)) {
    throw new InvalidIdentifierError(kind, value, 'must not contain ":", "*", "?", "[", "]", "\\" or control characters');
  }
}

import { BSON, type Filter } from 'mongodb';
import { DeserializationError, InvalidPersistArgumentError, StateTooLargeError, toIsoTimestamp, type RecordQuery, type StateRecord, type StoredStateRecord } from '@burr/core';

/**
 * One saved step as a MongoDB document, field for field what Python Burr's
 * `MongoDBBasePersister` writes: `state` is JSON text, `created_at` an
 * ISO 8601 string. Python stores "no partition" as `null`; so do we.
 */
export interface BurrStateDocument {
  partition_key: string | null;
  app_id: string;
  sequence_id: number;
  position: string;
  state: string;
  status: string;
  created_at: string;
  /**
   * The save time as a BSON Date: ours, for the TTL index (`ttlSeconds`).
   * Python Burr neither writes nor reads it, so its documents never expire.
   */
  saved_at?: Date | undefined;
}

/** MongoDB's limit on one document (BSON), 16 MiB. */
export const MAX_DOCUMENT_BYTES = 16 * 1024 * 1024;

/** Bytes the `_id: ObjectId` the driver adds on insert takes: type byte, `"_id\0"`, 12 bytes. */
const OBJECT_ID_FIELD_BYTES = 1 + 4 + 12;

/** How a step is stored: the record's fields under Python's names. */
export function toDocument(record: StateRecord): BurrStateDocument {
  return {
    // Python Burr's default partition key is None, stored as null; writing the
    // same lets Python's load(None, ...) find steps saved here.
    partition_key: record.partitionKey === '' ? null : record.partitionKey,
    app_id: record.appId,
    sequence_id: record.sequenceId,
    position: record.position,
    state: record.state,
    status: record.status,
    created_at: toIsoTimestamp(record.createdAt, record.createdAtMicros),
    // Written on every save, TTL or not: the TTL index belongs to the collection, so
    // turning it on later (or from another process) covers these steps too.
    saved_at: record.createdAt,
  };
}

/** The size `document` will have on the server, `_id` included. */
export function documentBytes(document: BurrStateDocument): number {
  return BSON.calculateObjectSize(document) + OBJECT_ID_FIELD_BYTES;
}

/** Throws {@link StateTooLargeError} when `document` exceeds MongoDB's document limit. */
export function assertDocumentFits(document: BurrStateDocument): void {
  const bytes = documentBytes(document);
  if (bytes > MAX_DOCUMENT_BYTES) throw new StateTooLargeError(bytes, MAX_DOCUMENT_BYTES, 'a MongoDB document');
}

/**
 * Reads a stored document (ours or Python Burr's) into the record the core
 * decodes. Throws {@link DeserializationError} for a document that is not a
 * Burr step, rather than returning half a record.
 */
export function fromDocument(document: Record<string, unknown>): StoredStateRecord {
  const { partition_key: partitionKey, app_id: appId, position, state, status, created_at: createdAt } = document;
  const where = `document ${JSON.stringify(String(document._id ?? appId))}`;
  if (partitionKey !== null && partitionKey !== undefined && typeof partitionKey !== 'string') throw malformed(where, 'partition_key', partitionKey);
  if (typeof appId !== 'string') throw malformed(where, 'app_id', appId);
  if (typeof position !== 'string') throw malformed(where, 'position', position);
  if (typeof state !== 'string') throw malformed(where, 'state', state);
  if (typeof status !== 'string') throw malformed(where, 'status', status);
  if (createdAt !== null && createdAt !== undefined && typeof createdAt !== 'string' && !(createdAt instanceof Date)) {
    throw malformed(where, 'created_at', createdAt);
  }
  return {
    partitionKey: partitionKey ?? '',
    appId,
    sequenceId: readSequenceId(document.sequence_id, where),
    position,
    state,
    status,
    createdAt: createdAt ?? null,
  };
}

/** A sequence id as the driver may hand it back: a number, a bigint, or a BSON Int32/Long/Double. */
export function readSequenceId(value: unknown, where: string): number | bigint {
  if (typeof value === 'number' || typeof value === 'bigint') return value;
  if (typeof value === 'object' && value !== null && '_bsontype' in value) {
    const numeric = (value as { toBigInt?: () => bigint; valueOf(): unknown }).toBigInt?.() ?? value.valueOf();
    if (typeof numeric === 'number' || typeof numeric === 'bigint') return numeric;
  }
  throw malformed(where, 'sequence_id', value);
}

/**
 * A count or size from a server reply as a number: a plain number, or a BSON
 * Int32/Long/Double on a client with `promoteValues: false`; `undefined` for
 * anything else.
 */
export function bsonNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && value !== null && '_bsontype' in value) {
    const numeric = (value as { valueOf(): unknown }).valueOf();
    if (typeof numeric === 'number' || typeof numeric === 'bigint') return Number(numeric);
    // A Long's valueOf is itself in some bson versions; toNumber is the documented way.
    const toNumber = (value as { toNumber?: () => number }).toNumber;
    if (typeof toNumber === 'function') return toNumber.call(value);
  }
  return undefined;
}

/** The error for a stored document that is not a Burr step, naming the field and what it holds. */
export function malformed(where: string, field: string, value: unknown): DeserializationError {
  return new DeserializationError(`Stored ${where} is not a Burr step: ${field} is ${describeValue(value)}`);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  if (value === null) return 'null';
  return typeof value === 'object' ? `an object (${(value as object).constructor?.name ?? 'Object'})` : `a ${typeof value}`;
}

/**
 * Filter for a partition. `''` also matches `null` and a missing field: that
 * is how Python Burr stores steps saved without a partition key.
 */
export function partitionFilter(partitionKey: string): Filter<BurrStateDocument> {
  assertFilterString(partitionKey, 'partitionKey');
  return { partition_key: partitionKey === '' ? { $in: ['', null] } : { $eq: partitionKey } };
}

/** Filter for one app's steps: its partition and app id, both under `$eq` (or `$in` for the empty partition). */
export function appFilter(partitionKey: string, appId: string): Filter<BurrStateDocument> {
  assertFilterString(appId, 'appId');
  return { ...partitionFilter(partitionKey), app_id: { $eq: appId } };
}

/**
 * Filter for `load()`: one app, and one sequence id when given. Values go
 * under `$eq`, so even a value that reached here as an object would be
 * matched literally, never read as a query operator.
 */
export function stepFilter(query: RecordQuery): Filter<BurrStateDocument> {
  const filter = appFilter(query.partitionKey, query.appId);
  if (query.sequenceId !== null) {
    if (!Number.isSafeInteger(query.sequenceId)) throw new InvalidPersistArgumentError(`sequenceId must be an integer, got ${String(query.sequenceId)}`);
    filter.sequence_id = { $eq: query.sequenceId };
  }
  return filter;
}

/** Sort for `load()`: latest step = highest sequence id, then greatest position; a given sequence id = least position. */
export function stepSort(query: RecordQuery): { sequence_id: 1 | -1; position: 1 | -1 } {
  return query.sequenceId === null ? { sequence_id: -1, position: -1 } : { sequence_id: 1, position: 1 };
}

// The core validates arguments before they reach a backend; this second check
// keeps a subclass or a future caller from building a filter out of an object.
function assertFilterString(value: unknown, name: string): asserts value is string {
  if (typeof value !== 'string') throw new InvalidPersistArgumentError(`${name} must be a string, got ${value === null ? 'null' : typeof value}`);
}

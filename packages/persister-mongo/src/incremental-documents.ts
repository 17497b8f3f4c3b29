import type { Filter } from 'mongodb';
import { toIsoTimestamp, type DeltaBase, type IncrementalRecord, type SaveTime, type StepKey, type StepLink, type StepRemoval, type StoredIncrementalRecord } from '@burr/core';
import { appFilter, MAX_DOCUMENT_BYTES, malformed, readSequenceId, toDocument, type BurrStateDocument } from './documents.js';
import { isoCutoff } from './history-queries.js';

/*
 * Incremental storage (storage: 'incremental', docs/incremental-storage.md)
 * as plain MongoDB documents, filters and projections, built without a
 * server so their shape can be checked on their own. The collection is
 * `<collection>_incremental`; a snapshot is a full-mode document, a delta
 * one with two more fields naming its base.
 */

/** A step of the incremental collection: a snapshot has no base fields; a delta has both. */
export interface IncrementalStepDocument extends BurrStateDocument {
  base_sequence_id?: number | undefined;
  base_position?: string | undefined;
}

/** The suffix of the incremental collection's name. */
export const INCREMENTAL_SUFFIX = '_incremental';

/** The largest state a snapshot may hold: a document's limit, less room for its other fields. */
export const MAX_SNAPSHOT_STATE_BYTES = MAX_DOCUMENT_BYTES - 16 * 1024;

/**
 * The document of `record`. No `saved_at`: a TTL index on the incremental
 * collection would expire a delta apart from its base, so this mode never
 * gives it a field to expire on.
 */
export function toIncrementalDocument(record: IncrementalRecord): IncrementalStepDocument {
  const { base, ...step } = record;
  const { saved_at: _ttlField, ...document } = toDocument(step);
  return base ? { ...document, base_sequence_id: base.sequenceId, base_position: base.position } : document;
}

/** One step of an app, by its whole key. */
export function stepKeyFilter(key: StepKey): Filter<IncrementalStepDocument> {
  return { ...appFilter(key.partitionKey, key.appId), sequence_id: { $eq: key.sequenceId }, position: { $eq: key.position } } as Filter<IncrementalStepDocument>;
}

/** A delta's base as the delta names it: its key and the save time it had when the delta was encoded. */
export function baseFilter(partitionKey: string, appId: string, base: DeltaBase & SaveTime): Filter<IncrementalStepDocument> {
  return { ...stepKeyFilter({ partitionKey, appId, ...base }), created_at: { $eq: toIsoTimestamp(base.createdAt, base.createdAtMicros) } } as Filter<IncrementalStepDocument>;
}

/**
 * The document inserted for `record`, by its whole identity (key, save time
 * and base): what `insert` deletes again when the delta's base is gone. Not
 * by `_id`, which a client with `forceServerObjectId` never learns.
 */
export function insertedDeltaFilter(record: IncrementalRecord): Filter<IncrementalStepDocument> {
  return {
    ...stepKeyFilter(record),
    created_at: { $eq: toIsoTimestamp(record.createdAt, record.createdAtMicros) },
    base_sequence_id: { $eq: record.base?.sequenceId },
    base_position: { $eq: record.base?.position },
  } as Filter<IncrementalStepDocument>;
}

/** The app's steps with sequence ids from `from` (none: from its first) to `to` (none: to its last). */
export function stepsBetween(partitionKey: string, appId: string, from: number | null, to: number | null): Filter<IncrementalStepDocument> {
  const filter: Filter<IncrementalStepDocument> = appFilter(partitionKey, appId);
  if (from !== null || to !== null) filter.sequence_id = { ...(from === null ? {} : { $gte: from }), ...(to === null ? {} : { $lte: to }) };
  return filter;
}

/** Highest sequence id first, then greatest position: the first document is the latest step. */
export const NEWEST_FIRST = { sequence_id: -1, position: -1 } as const;

/** What a chain read returns of each step. */
export const CHAIN_PROJECTION = { _id: 0, sequence_id: 1, position: 1, status: 1, created_at: 1, base_sequence_id: 1, base_position: 1, state: 1 } as const;
/** What a dependents read returns of each step: no state. */
export const LINK_PROJECTION = { _id: 0, sequence_id: 1, position: 1, created_at: 1, base_sequence_id: 1, base_position: 1 } as const;

/** A chain read's document as the engine reads it; the engine checks the state and reports a row without one as corrupt. */
export function fromChainDocument(document: Record<string, unknown>): StoredIncrementalRecord {
  const where = `incremental step ${JSON.stringify(String(document.sequence_id))}`;
  const base = readBase(document, where);
  const createdAt = document.created_at;
  return {
    sequenceId: readSequenceId(document.sequence_id, where),
    position: text(document.position, where, 'position'),
    status: text(document.status, where, 'status'),
    createdAt: typeof createdAt === 'string' || createdAt instanceof Date ? createdAt : null,
    baseSequenceId: base?.sequenceId ?? null,
    basePosition: base?.position ?? null,
    state: document.state as string,
  };
}

/** A dependents read's document as a {@link StepLink}: whether `removal` lets it go is decided as its delete filter decides. */
export function toStepLink(document: Record<string, unknown>, removal: StepRemoval): StepLink {
  const where = `incremental step ${JSON.stringify(String(document.sequence_id))}`;
  const cutoff = removal.createdBefore && isoCutoff(removal.createdBefore);
  const createdAt = document.created_at;
  return {
    sequenceId: Number(readSequenceId(document.sequence_id, where)),
    position: text(document.position, where, 'position'),
    base: readBase(document, where),
    // As stepRemovalFilter's `created_at: { $lt: cutoff }`: text below the cutoff; anything else never matches it.
    savedBeforeCutoff: cutoff === undefined || (typeof createdAt === 'string' && createdAt < cutoff),
  };
}

/** Turns a delta at `row`'s key that still names `base` and has `row`'s save time into a snapshot holding `state`. */
export function rewriteAsSnapshotUpdate(row: StepKey & SaveTime, base: DeltaBase, state: string) {
  return {
    filter: {
      ...stepKeyFilter(row),
      created_at: { $eq: toIsoTimestamp(row.createdAt, row.createdAtMicros) },
      base_sequence_id: { $eq: base.sequenceId },
      base_position: { $eq: base.position },
    } as Filter<IncrementalStepDocument>,
    update: { $set: { state }, $unset: { base_sequence_id: '', base_position: '' } } as const,
  };
}

function readBase(document: Record<string, unknown>, where: string): DeltaBase | null {
  const { base_sequence_id: sequenceId, base_position: position } = document;
  if ((sequenceId === null || sequenceId === undefined) && (position === null || position === undefined)) return null;
  return { sequenceId: Number(readSequenceId(sequenceId, where)), position: text(position, where, 'base_position') };
}

function text(value: unknown, where: string, field: string): string {
  if (typeof value !== 'string') throw malformed(where, field, value);
  return value;
}

import type { Document, Filter, Sort } from 'mongodb';
import { InvalidPersistArgumentError, toIsoTimestamp, type AppQuery, type AppRef, type KeptStep, type SaveTime, type StepQuery, type StepRemoval } from '@burr/core';
import { appFilter, partitionFilter, type BurrStateDocument } from './documents.js';

/*
 * The history queries as plain objects, built without a server so their shape
 * can be checked on their own. Every value from a caller sits under `$eq`,
 * `$lt`, `$gt`... (never as a bare field value an object could turn into an
 * operator), and every query starts with equality on `partition_key` and
 * `app_id`, so the unique step-key index (partition_key, app_id, sequence_id,
 * position) serves it, sort included.
 */

/**
 * Bytes of the stored state: the UTF-8 length of its JSON text, measured on
 * the server so that a listing never transfers the state it does not return.
 * `null` for a document whose `state` is not text (not a Burr step), which
 * {@link fromStepSummaryDocument} reports; `$strLenBytes` would fail the
 * whole listing on it instead. (`$cond` in its array form: an object with a
 * `then` key would look like a promise to JavaScript.)
 */
export const STATE_BYTES_EXPRESSION = { $cond: [{ $eq: [{ $type: '$state' }, 'string'] }, { $strLenBytes: '$state' }, null] } as const;

/**
 * `listSteps` (and prune's reads): one app's steps in sequence order, keyset
 * paged by sequence id, `limit` of them, with the state's size and the state
 * itself only when asked for. `$sort` + `$limit` walk the step-key index and
 * stop after `limit` documents, so a page costs the same whatever the app's
 * length.
 */
export function stepsPipeline(query: StepQuery): Document[] {
  const sequence: { $lt?: number; $gt?: number } = {};
  if (query.before !== undefined) sequence.$lt = query.before;
  if (query.after !== undefined) sequence.$gt = query.after;
  const match: Filter<BurrStateDocument> = appFilter(query.partitionKey, query.appId);
  if (query.before !== undefined || query.after !== undefined) match.sequence_id = sequence;
  const direction = query.newestFirst ? -1 : 1;
  return [
    { $match: match },
    { $sort: { sequence_id: direction, position: direction } },
    { $limit: query.limit },
    {
      $project: {
        _id: 0,
        sequence_id: 1,
        position: 1,
        status: 1,
        created_at: 1,
        size_bytes: STATE_BYTES_EXPRESSION,
        // Present on a delta of incremental storage only.
        base_sequence_id: 1,
        ...(query.withState ? { state: 1 } : {}),
      },
    },
  ];
}

/**
 * `listApps` and `load(partition, null)`: a partition's apps, most recently
 * saved first (ties: greatest app id first), `limit` of them after the
 * cursor's app. One `$group` per app over the partition's steps: each page
 * reads every step of the partition (walked in step-key index order, so the
 * first document of each app is its latest step), which the README states as
 * this listing's cost.
 *
 * An app's last save time is the greatest `created_at` text of its steps:
 * both Burrs write UTC ISO 8601, whose text order is time order (Python's
 * `…:05+00:00` for a zero fraction sorts before `…:05.000001+00:00`, as it
 * should). A `created_at` that is not text counts as no time at all.
 */
export function appsPipeline(query: AppQuery): Document[] {
  const pipeline: Document[] = [
    { $match: { ...partitionFilter(query.partitionKey), app_id: { $type: 'string' } } },
    // Latest step of each app first: $first below then reads it.
    { $sort: { app_id: -1, sequence_id: -1, position: -1 } },
    {
      $group: {
        _id: '$app_id',
        last_sequence_id: { $first: '$sequence_id' },
        last_position: { $first: '$position' },
        last_status: { $first: '$status' },
        // $max ignores the nulls: only text times count.
        last_saved_at: { $max: { $cond: [{ $eq: [{ $type: '$created_at' }, 'string'] }, '$created_at', null] } },
      },
    },
    { $addFields: { saved_at_key: { $ifNull: ['$last_saved_at', ''] } } },
  ];
  if (query.after) {
    const { savedAtKey, appId } = query.after;
    pipeline.push({ $match: { $or: [{ saved_at_key: { $lt: savedAtKey } }, { saved_at_key: { $eq: savedAtKey }, _id: { $lt: appId } }] } });
  }
  pipeline.push({ $sort: { saved_at_key: -1, _id: -1 } }, { $limit: query.limit });
  return pipeline;
}

/** One index seek of an app scan: the first document matching `filter` in `sort` order names the next app. */
export interface AppSeek {
  filter: Filter<BurrStateDocument>;
  sort: Sort;
}

/**
 * The seeks that find the app after `after` (or the first app), tried in
 * order until one finds a document. The scan walks the step-key index one
 * app at a time: each seek is a bounded index read however many steps the
 * apps have, and the scan's order is the server's own string order, so the
 * cursor it resumes from needs no client-side comparison.
 *
 * The empty partition is scanned first and on its own, by app id alone: its
 * documents hold `partition_key` `null`, `''` or nothing, which the index
 * keeps apart (null before ''), whereas the scan must see each of its apps
 * once. The other partitions follow in `partition_key` order (`$gt: ''`
 * matches every non-empty string and nothing else).
 */
export function appSeeks(partitionKey: string | null, after: AppRef | null): AppSeek[] {
  const appsOf = (partition: string): AppSeek => ({
    filter: { ...partitionFilter(partition), app_id: after && after.partitionKey === partition ? { $gt: after.appId } : { $gte: '' } },
    sort: { app_id: 1 },
  });
  if (partitionKey !== null) return [appsOf(partitionKey)];
  const laterPartitions = (than: string): AppSeek => ({ filter: { partition_key: { $gt: than }, app_id: { $gte: '' } }, sort: { partition_key: 1, app_id: 1 } });
  const current = after?.partitionKey ?? '';
  return [appsOf(current), laterPartitions(current)];
}

/** The cursor of an app scan: the last app it returned. */
export function appScanCursor(app: AppRef): string {
  return JSON.stringify([app.partitionKey, app.appId]);
}

/** Reads an {@link appScanCursor}; anything else is an `InvalidPersistArgumentError`. */
export function readAppScanCursor(cursor: string | null): AppRef | null {
  if (cursor === null) return null;
  let decoded: unknown;
  try {
    decoded = JSON.parse(cursor);
  } catch {
    decoded = undefined;
  }
  if (!Array.isArray(decoded) || decoded.length !== 2 || typeof decoded[0] !== 'string' || typeof decoded[1] !== 'string') {
    throw new InvalidPersistArgumentError(`app scan cursor ${JSON.stringify(cursor)} is not one this persister returned`);
  }
  return { partitionKey: decoded[0], appId: decoded[1] };
}

/**
 * The steps of one app saved at or before its step `latest`: what
 * `removeApp` deletes first (everything older than `latest`) and last
 * (`latest` itself) when it cannot use a transaction.
 */
export function stepsOlderThan(partitionKey: string, appId: string, latest: { sequence_id: unknown; position: string }): Filter<BurrStateDocument> {
  return {
    ...appFilter(partitionKey, appId),
    $or: [{ sequence_id: { $lt: latest.sequence_id } }, { sequence_id: { $eq: latest.sequence_id }, position: { $lt: latest.position } }],
  } as Filter<BurrStateDocument>;
}

/** Every step of one app. */
export function appStepsFilter(partitionKey: string, appId: string): Filter<BurrStateDocument> {
  return appFilter(partitionKey, appId);
}

/** Sort that puts an app's latest step first: highest sequence id, then greatest position. */
export const LATEST_STEP_FIRST = { sequence_id: -1, position: -1 } as const;

/** One batch of a prune: a sequence-id range of one app, and only steps saved before the cutoff when there is one. */
export function stepRemovalFilter(removal: StepRemoval): Filter<BurrStateDocument> {
  const filter: Filter<BurrStateDocument> = {
    ...appFilter(removal.partitionKey, removal.appId),
    sequence_id: { $gte: removal.fromSequenceId, $lte: removal.toSequenceId },
  };
  if (removal.createdBefore) filter.created_at = { $lt: isoCutoff(removal.createdBefore) };
  return filter;
}

/** The step a prune keeps (`StepRemoval.keptStep`), stored as its history listed it: key and `created_at` (missing or null for `null`). */
export function keptStepFilter(partitionKey: string, appId: string, kept: KeptStep): Filter<BurrStateDocument> {
  return {
    ...appFilter(partitionKey, appId),
    sequence_id: { $eq: kept.sequenceId },
    position: { $eq: kept.position },
    created_at: { $eq: kept.createdAt },
  } as Filter<BurrStateDocument>;
}

/**
 * The `created_at` text below which a step was saved before `time`. Stored
 * times come in two forms: ours, always with six fraction digits, and
 * Python's `isoformat()`, which drops a zero fraction (`…:05+00:00`). Since
 * `+` sorts before `.`, the fraction-less form is the least text of its
 * second; so a cutoff on a whole second is written without a fraction, and
 * any other with six digits. Either way, text order then agrees with time
 * order for both forms.
 */
export function isoCutoff(time: SaveTime): string {
  const iso = toIsoTimestamp(time.createdAt, time.createdAtMicros);
  return time.createdAt.getUTCMilliseconds() === 0 && Math.trunc(time.createdAtMicros) <= 0 ? `${iso.slice(0, 19)}+00:00` : iso;
}

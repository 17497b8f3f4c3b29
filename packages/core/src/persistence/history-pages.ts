import { DeserializationError, InvalidPersistArgumentError } from '../errors.js';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type AppSummary, type ListAppsOptions, type ListStepsOptions } from './history.js';
import type { AppQuery, StepQuery, StoredAppSummary, StoredStepSummary } from './stored-history.js';
import { parseTimestamp } from './timestamps.js';
import { assertSequenceId, isPersistStatus } from './validate.js';

/** A page size option, checked: an integer from 1 to {@link MAX_PAGE_SIZE}. */
export function pageLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE)
    throw new InvalidPersistArgumentError(`limit must be an integer from 1 to ${MAX_PAGE_SIZE}, got ${String(limit)}`);
  return limit;
}

/** The backend query for `listSteps`, options checked. */
export function stepQuery(partitionKey: string, appId: string, options: ListStepsOptions): StepQuery {
  const { order = 'newest-first', before, after, includeState = false } = options;
  if (order !== 'newest-first' && order !== 'oldest-first') throw new InvalidPersistArgumentError(`order must be 'newest-first' or 'oldest-first', got ${JSON.stringify(order)}`);
  if (before !== undefined) assertSequenceId(before);
  if (after !== undefined) assertSequenceId(after);
  return { partitionKey, appId, newestFirst: order === 'newest-first', before, after, limit: pageLimit(options.limit), withState: includeState === true };
}

/** The backend query for `listApps`, the cursor decoded. */
export function appQuery(partitionKey: string, options: ListAppsOptions): AppQuery {
  return { partitionKey, limit: pageLimit(options.limit), after: options.cursor ? decodeAppCursor(options.cursor) : undefined };
}

/** The cursor that continues a listing after `app`: opaque to callers, base64url JSON inside. */
export function appCursor(app: StoredAppSummary): string {
  return Buffer.from(JSON.stringify([app.savedAtKey, app.appId])).toString('base64url');
}

function decodeAppCursor(cursor: string): { savedAtKey: string; appId: string } {
  try {
    const decoded: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(decoded) && decoded.length === 2 && typeof decoded[0] === 'string' && typeof decoded[1] === 'string') {
      return { savedAtKey: decoded[0], appId: decoded[1] };
    }
  } catch {
    // Reported below with the cursor's text.
  }
  throw new InvalidPersistArgumentError(`cursor ${JSON.stringify(cursor)} is not a cursor returned by listApps`);
}

/** A stored sequence id as a number, or `undefined` when it is not a non-negative integer. */
export function soundSequenceId(value: number | bigint | string): number | undefined {
  const id = typeof value === 'string' && !/^\d+$/.test(value) ? Number.NaN : Number(value);
  return Number.isSafeInteger(id) && id >= 0 ? id : undefined;
}

/** A stored sequence id as a number, or a {@link DeserializationError}. */
export function storedSequenceId(value: number | bigint | string): number {
  const id = soundSequenceId(value);
  if (id === undefined) throw new DeserializationError(`stored sequence id ${JSON.stringify(String(value))} is not a non-negative integer`);
  return id;
}

/** A stored status, checked. */
export function storedStatus(value: string): 'completed' | 'failed' {
  if (!isPersistStatus(value)) throw new DeserializationError(`unknown status ${JSON.stringify(value)}`);
  return value;
}

/** The public form of a step summary, minus the state (decoded by the caller). */
export function stepSummaryFields(partitionKey: string, appId: string, stored: StoredStepSummary) {
  return {
    partitionKey,
    appId,
    sequenceId: storedSequenceId(stored.sequenceId),
    position: stored.position,
    status: storedStatus(stored.status),
    createdAt: stored.createdAt === null ? new Date(0) : parseTimestamp(stored.createdAt),
    sizeBytes: Number(stored.sizeBytes),
  };
}

/** The public form of an app summary. */
export function appSummary(partitionKey: string, stored: StoredAppSummary): AppSummary {
  return {
    partitionKey,
    appId: stored.appId,
    lastSequenceId: storedSequenceId(stored.lastSequenceId),
    lastPosition: stored.lastPosition,
    lastStatus: storedStatus(stored.lastStatus),
    lastSavedAt: stored.lastSavedAt === null ? new Date(0) : parseTimestamp(stored.lastSavedAt),
  };
}

/**
 * One page of steps that never ends inside a sequence id: the backend is
 * asked for one row more than the page; when that row shares the last
 * row's sequence id (two positions at one id), the rest of that id's rows
 * are fetched and kept on this page. A cursor is a sequence id, so a page
 * split inside one would skip the rest of it. `more` says whether rows
 * follow this page.
 */
export async function wholeSequencePage(find: (query: StepQuery) => Promise<StoredStepSummary[]>, query: StepQuery): Promise<{ stored: StoredStepSummary[]; more: boolean }> {
  const fetched = await find({ ...query, limit: query.limit + 1 });
  if (fetched.length <= query.limit) return { stored: fetched, more: false };
  const page = fetched.slice(0, query.limit);
  const lastId = storedSequenceId(page[page.length - 1]!.sequenceId);
  if (storedSequenceId(fetched[query.limit]!.sequenceId) !== lastId) return { stored: page, more: true };
  const sameId = await find({ ...query, before: lastId + 1, after: lastId - 1, limit: MAX_PAGE_SIZE });
  const beyond = await find({ ...query, limit: 1, ...(query.newestFirst ? { before: lastId } : { after: lastId }) });
  return { stored: [...page.filter((step) => storedSequenceId(step.sequenceId) !== lastId), ...sameId], more: beyond.length > 0 };
}

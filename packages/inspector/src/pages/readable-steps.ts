import type { DeserializationError, StepSummary } from '@burr/core';
import type { InspectorStore } from '../store.js';
import { isUnreadable, readable, type Unreadable } from './unreadable-step.js';

/** A listed step whose stored row (its status, save time...) cannot be read: where it is, and why ({@link isUnreadable} tells it apart). */
export interface UnreadableListedStep extends Unreadable {
  sequenceId: number;
}

/** A row of a listing: a step, or one that could not be read. */
export type ListedStep = StepSummary | UnreadableListedStep;

/** Which steps of an app to list: as `listSteps` takes them. */
export interface StepWindow {
  newestFirst: boolean;
  before?: number | undefined;
  after?: number | undefined;
  limit: number;
}

/**
 * One page of an app's steps, as `listSteps` gives it, that goes on past
 * rows it cannot read instead of failing whole: each such row becomes an
 * {@link UnreadableListedStep} in its place. The listing refuses a page
 * with a broken row, and its error names that row (`storedStep`), the first
 * broken one in the page's order: the rows before it are read again alone,
 * then the listing goes on after it. Each broken row costs two more reads.
 * An error that names no row of this window is thrown. A broken row stands
 * for its whole sequence id: another position stored at that id (two rows
 * at one id) is not listed beside it.
 */
export async function readableStepPage(
  store: InspectorStore,
  partitionKey: string,
  appId: string,
  window: StepWindow,
): Promise<{ steps: ListedStep[]; nextCursor: number | null }> {
  const { newestFirst, limit } = window;
  const steps: ListedStep[] = [];
  let { before, after } = window;
  const order = newestFirst ? 'newest-first' : 'oldest-first';
  const list = (range: { before?: number | undefined; after?: number | undefined }, count: number) =>
    readable(() => store.listSteps(partitionKey, appId, { order, limit: count, ...definedOnly(range) }));
  while (steps.length < limit) {
    const page = await list({ before, after }, limit - steps.length);
    if (!isUnreadable(page)) return { steps: [...steps, ...page.steps], nextCursor: page.nextCursor };
    const broken = brokenRowIn(page.unreadable, { partitionKey, appId, before, after });
    if (broken === undefined) throw page.unreadable;
    // The rows before the broken one, in this page's order: readable, unless another broken row is among them.
    const head = await readableStepPage(store, partitionKey, appId, {
      newestFirst,
      ...(newestFirst ? { before, after: broken } : { before: broken, after }),
      limit: limit - steps.length,
    });
    steps.push(...head.steps);
    if (head.nextCursor !== null) return { steps, nextCursor: head.nextCursor };
    // Full before the broken row: the next page starts after the last row given, as a listing's cursor does.
    if (steps.length === limit) return { steps, nextCursor: steps.at(-1)!.sequenceId };
    steps.push({ sequenceId: broken, unreadable: page.unreadable });
    if (newestFirst) before = broken;
    else after = broken;
  }
  // The page ends on a broken row: ask whether any step follows it.
  const beyond = await list({ before, after }, 1);
  const more = isUnreadable(beyond) || beyond.steps.length > 0;
  return { steps, nextCursor: more ? (steps.at(-1)?.sequenceId ?? null) : null };
}

/** The sequence id of the row `error` names, when it is a row of this app inside the window. */
function brokenRowIn(error: DeserializationError, place: { partitionKey: string; appId: string; before?: number | undefined; after?: number | undefined }): number | undefined {
  const row = error.storedStep;
  if (row === undefined || row.partitionKey !== place.partitionKey || row.appId !== place.appId) return undefined;
  const inside = (place.before === undefined || row.sequenceId < place.before) && (place.after === undefined || row.sequenceId > place.after);
  return inside ? row.sequenceId : undefined;
}

function definedOnly(range: { before?: number | undefined; after?: number | undefined }): { before?: number; after?: number } {
  return { ...(range.before !== undefined && { before: range.before }), ...(range.after !== undefined && { after: range.after }) };
}

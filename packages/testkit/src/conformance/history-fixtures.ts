import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { MAX_PAGE_SIZE, type AppSummary, type BaseStatePersister, type ListStepsOptions, type PartitionKeyInput, type State, type StepSummary } from '@burr/core';
import { pause, stepState } from './context.js';

/** Pages a paging loop reads before it fails: a cursor that never reaches `null` must fail the case, not hang it. */
const MAX_PAGES = 500;

/** `length` random base64 characters: LZ-style compression (PostgreSQL TOAST, zstd) gains next to nothing on it, so it costs about `length` stored bytes. */
export function incompressibleText(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4))
    .toString('base64')
    .slice(0, length);
}

/** The position a fixture step is saved at. */
export function positionOf(sequenceId: number): string {
  return `step${sequenceId}`;
}

/** Steps of one app that {@link saveSteps} saves, in sequence order. */
export interface StepsToSave {
  partitionKey?: PartitionKeyInput | undefined;
  appId: string;
  /** First sequence id; default 0. */
  from?: number | undefined;
  count: number;
  /** Sequence ids saved with status `failed`. */
  failed?: readonly number[] | undefined;
  /** User values of the step at a sequence id; default `{ n: sequenceId }`. */
  values?: (sequenceId: number) => Record<string, unknown>;
  /** Milliseconds to wait after each save, so that steps get distinct `createdAt` milliseconds. */
  pauseMs?: number | undefined;
}

/** Saves the steps, one after the other; returns each saved state by sequence id. */
export async function saveSteps(persister: BaseStatePersister, steps: StepsToSave): Promise<Map<number, State>> {
  const { partitionKey, appId, from = 0, count, failed = [], values = (sequenceId: number) => ({ n: sequenceId }), pauseMs = 0 } = steps;
  const saved = new Map<number, State>();
  for (let sequenceId = from; sequenceId < from + count; sequenceId++) {
    const state = stepState(values(sequenceId), sequenceId, positionOf(sequenceId));
    await persister.save({ partitionKey, appId, sequenceId, position: positionOf(sequenceId), state, status: failed.includes(sequenceId) ? 'failed' : 'completed' });
    saved.set(sequenceId, state);
    if (pauseMs > 0) await pause(pauseMs);
  }
  return saved;
}

/** The sequence ids of a listing, in its order. */
export function sequenceIdsOf(steps: readonly StepSummary[]): number[] {
  return steps.map((step) => step.sequenceId);
}

/** Every step of an app in one page (oldest first unless asked otherwise); fails if the app has more than one page holds. */
export async function allSteps(persister: BaseStatePersister, partitionKey: PartitionKeyInput, appId: string, options: ListStepsOptions = {}): Promise<StepSummary[]> {
  const page = await persister.listSteps(partitionKey, appId, { order: 'oldest-first', limit: MAX_PAGE_SIZE, ...options });
  assert.equal(page.nextCursor, null, 'fixture apps fit in one page');
  return page.steps;
}

/** Every step of an app, read `limit` at a time by passing each `nextCursor` on; fails on a cursor that never ends. */
export async function pageThroughSteps(
  persister: BaseStatePersister,
  partitionKey: PartitionKeyInput,
  appId: string,
  options: { order: 'newest-first' | 'oldest-first'; limit: number },
): Promise<{ steps: StepSummary[]; pages: number }> {
  const steps: StepSummary[] = [];
  let cursor: number | undefined;
  for (let pages = 1; pages <= MAX_PAGES; pages++) {
    const bound = cursor === undefined ? {} : options.order === 'newest-first' ? { before: cursor } : { after: cursor };
    const page = await persister.listSteps(partitionKey, appId, { ...options, ...bound });
    assert.ok(page.steps.length <= options.limit, `a page holds at most limit (${options.limit}) steps, got ${page.steps.length}`);
    steps.push(...page.steps);
    if (page.nextCursor === null) return { steps, pages };
    cursor = page.nextCursor;
  }
  assert.fail(`listSteps ${options.order} with limit ${options.limit} returned a nextCursor on each of ${MAX_PAGES} pages`);
}

/** Every app of a partition, read `limit` at a time by passing each `nextCursor` on; fails on a cursor that never ends. */
export async function pageThroughApps(persister: BaseStatePersister, partitionKey: PartitionKeyInput, limit: number): Promise<AppSummary[]> {
  const apps: AppSummary[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= MAX_PAGES; pages++) {
    const page = await persister.listApps(partitionKey, { limit, cursor });
    assert.ok(page.apps.length <= limit, `a page holds at most limit (${limit}) apps, got ${page.apps.length}`);
    apps.push(...page.apps);
    if (page.nextCursor === null) return apps;
    cursor = page.nextCursor;
  }
  assert.fail(`listApps with limit ${limit} returned a nextCursor on each of ${MAX_PAGES} pages`);
}

/** A time strictly between the steps saved before and after it: waits, takes the time, waits again. */
export async function timeBetweenSaves(): Promise<Date> {
  await pause(25);
  const time = new Date();
  await pause(25);
  return time;
}

import type { StepQuery, StoredStepSummary } from '../stored-history.js';
import { packedRecords } from './packed-records.js';
import type { StoredIncrementalRecord } from './rows.js';
import { MAX_SEGMENT_STEPS } from './sql-segments.js';

/** The shape of one read of segments for a step listing (see `SegmentStatements.selectPage`). */
export interface SegmentPageShape {
  newestFirst: boolean;
  hasBefore: boolean;
  hasAfter: boolean;
  hasCursor: boolean;
  limit: number;
}

/**
 * A page of an app's steps: `rows`, the page the rows alone gave, merged
 * with the steps packed in segments, in the query's order, at most
 * `query.limit`. Segments of an app never overlap, so they are read in
 * order (`selectPage`, `SegmentStatements.selectPage`), a few at a time,
 * until no further one can be in the page.
 */
export async function packedStepsPage(
  selectPage: (shape: SegmentPageShape, params: Array<string | number>) => Promise<ArrayLike<unknown>[]>,
  query: StepQuery,
  rows: StoredStepSummary[],
  { segmentSteps, inRange }: { segmentSteps: number; inRange(sequenceId: number): number },
): Promise<StoredStepSummary[]> {
  const { newestFirst, limit, before, after } = query;
  // Past the last row of a full page, no step can be in the page.
  const bound = rows.length >= limit ? Number(rows[rows.length - 1]!.sequenceId) : undefined;
  const batch = Math.ceil(limit / Math.max(segmentSteps, 1)) + 1;
  const packed: StoredStepSummary[] = [];
  let cursor: number | undefined;
  for (;;) {
    const params: Array<string | number> = [query.partitionKey, query.appId];
    if (before !== undefined) params.push(inRange(before));
    // A segment spans fewer than MAX_SEGMENT_STEPS ids: one that reaches past `after` starts after after - MAX_SEGMENT_STEPS.
    if (after !== undefined) params.push(inRange(after), inRange(after) - MAX_SEGMENT_STEPS);
    if (cursor !== undefined) params.push(cursor);
    const page = await selectPage({ newestFirst, hasBefore: before !== undefined, hasAfter: after !== undefined, hasCursor: cursor !== undefined, limit: batch }, params);
    let beyond = false;
    // Rows are array-like, not always iterable (libSQL's).
    for (const segment of page) {
      const [first, last, text] = [segment[0], segment[1], segment[2]];
      if (bound !== undefined && (newestFirst ? Number(last) < bound : Number(first) > bound)) {
        beyond = true;
        break;
      }
      const records: StoredIncrementalRecord[] = [];
      packedRecords(String(text), after ?? Number.NEGATIVE_INFINITY, before === undefined ? Number.POSITIVE_INFINITY : before - 1, records);
      for (const record of records) {
        packed.push({
          sequenceId: record.sequenceId,
          position: record.position,
          status: String(record.status),
          createdAt: record.createdAt as StoredStepSummary['createdAt'],
          sizeBytes: Buffer.byteLength(record.state),
          isDelta: true,
        });
      }
      cursor = Number(first);
    }
    if (beyond || page.length < batch || packed.length >= limit) break;
  }
  if (packed.length === 0) return rows;
  // Rows and segments are two reads: a seal between them moves rows into a segment, which both then list once each.
  const inRows = new Set(rows.map((row) => `${row.sequenceId}|${row.position}`));
  const onlyPacked = packed.filter((step) => !inRows.has(`${step.sequenceId}|${step.position}`));
  const direction = newestFirst ? -1 : 1;
  const merged = [...rows, ...onlyPacked].sort((a, b) => direction * (Number(a.sequenceId) - Number(b.sequenceId) || utf8Order(a.position, b.position)));
  return merged.slice(0, limit);
}

/**
 * The order of two positions as the key columns sort them byte by byte
 * (SQLite's BINARY, MySQL's VARBINARY; PostgreSQL's under a "C" collation):
 * UTF-8's, which is code point order, not JavaScript's UTF-16 order. Only
 * positions at one sequence id, a row and a packed step, meet here.
 */
export function utf8Order(a: string, b: string): number {
  return a === b ? 0 : Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// Reads and writes segments of packed deltas (lists of records, see `LUA_PACKED`) as text, for tests that inspect
// or damage the incremental layout.
import type { RedisKeyLayout } from '../src/index.js';
import type { testClient } from './helpers.js';

type Admin = Awaited<ReturnType<typeof testClient>>;

/** The text of segment `n` of an app in partition `p` (its records one after the other), or `null` when it does not exist. */
export async function segmentText(admin: Admin, layout: RedisKeyLayout, appId: string, n: number): Promise<string | null> {
  const records = await admin.lRange(layout.appSegmentKey('p', appId, n), 0, -1);
  return records.length > 0 ? records.join('') : null;
}

/** Replaces segment `n` with `text` (records of `\n`, head, `\n`, state), or deletes it when `text` is empty. */
export async function writeSegment(admin: Admin, layout: RedisKeyLayout, appId: string, n: number, text: string): Promise<void> {
  const key = layout.appSegmentKey('p', appId, n);
  await admin.del(key);
  const lines = text.split('\n').slice(1);
  const records: string[] = [];
  for (let i = 0; i + 1 < lines.length; i += 2) records.push(`\n${lines[i]}\n${lines[i + 1]}`);
  if (records.length > 0) await admin.rPush(key, records);
}

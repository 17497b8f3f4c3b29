import { InvalidPersistArgumentError, assertKeyComponent, type AppRef, type AppScan } from '@burr/core';
import { replyList, replyText } from './client.js';
import { SCAN_PARTITION } from './history-scripts.js';
import type { RedisAccess } from './redis-access.js';

/** Members one SCAN_PARTITION call looks at, at most: a call never holds the server for long, even over sets of apps already seen. */
const MEMBERS_PER_CALL = 5000;
/** Keys one SCAN call looks at (a hint to Redis). */
const KEYS_PER_SCAN = 1000;

/** Where in one partition a scan is. */
interface PartitionPosition {
  partition: string;
  phase: 'apps' | 'saves';
  score: string;
  member: string;
}

/** A scan's state, the cursor handed out (base64url JSON). */
interface ScanState {
  /** The SCAN cursor over the namespace's keys; `null` when SCAN is done or not used (one partition). */
  scan: string | null;
  /** Partitions found and not yet begun. */
  queue: string[];
  /** The partition under way. */
  at: PartitionPosition | null;
}

/**
 * One page of apps for prune: of one partition (its two sorted sets, see
 * {@link SCAN_PARTITION}), or, for `null`, of every partition of the
 * namespace, found with SCAN (MATCH on the namespace prefix, TYPE zset). That
 * walks the whole keyspace, a few thousand keys per call: an administrative
 * operation, like `prune({ target: 'all' })` itself. SCAN may return a key
 * twice, and an app saved during the scan may be met twice; none is missed.
 * A page may hold fewer than `limit` apps (even none) before the end.
 */
export async function scanApps(redis: RedisAccess, partitionKey: string | null, cursor: string | null, limit: number): Promise<AppScan> {
  const state: ScanState = cursor !== null ? decodeScanState(cursor) : partitionKey === null ? { scan: '0', queue: [], at: null } : { scan: null, queue: [partitionKey], at: null };
  const apps: AppRef[] = [];
  while (apps.length < limit) {
    if (state.at !== null) {
      const found = await scanPartition(redis, state.at, limit - apps.length);
      apps.push(...found.appIds.filter(isAppId).map((appId) => ({ partitionKey: found.partition, appId })));
      state.at = found.next;
      continue;
    }
    const partition = state.queue.shift();
    if (partition !== undefined) {
      state.at = { partition, phase: 'apps', score: '', member: '' };
      continue;
    }
    if (state.scan === null) break;
    const scan = state.scan;
    const reply = await redis.command(['SCAN', scan, 'MATCH', redis.keys.scanPattern(), 'COUNT', String(KEYS_PER_SCAN), 'TYPE', 'zset']);
    const [next, keys] = Array.isArray(reply) ? reply : [];
    const nextCursor = replyText(next) ?? '0';
    state.scan = nextCursor === '0' ? null : nextCursor;
    state.queue = replyList(keys)
      .map((key) => redis.keys.partitionOfKey(key))
      .filter((key): key is string => key !== null);
  }
  const done = state.at === null && state.queue.length === 0 && state.scan === null;
  return { apps, cursor: done ? null : Buffer.from(JSON.stringify(state)).toString('base64url') };
}

async function scanPartition(redis: RedisAccess, at: PartitionPosition, limit: number): Promise<{ partition: string; appIds: string[]; next: PartitionPosition | null }> {
  const { partition } = at;
  const keys = [redis.keys.appsBySequenceKey(partition), redis.keys.appsBySaveKey(partition)];
  const reply = await redis.script(SCAN_PARTITION, keys, [at.phase, at.score, at.member, String(limit), String(MEMBERS_PER_CALL)]);
  const [found, phase, score, member] = Array.isArray(reply) ? reply : [];
  const nextPhase = replyText(phase);
  const next: PartitionPosition | null =
    nextPhase === 'apps' || nextPhase === 'saves' ? { partition, phase: nextPhase, score: replyText(score) ?? '', member: replyText(member) ?? '' } : null;
  return { partition, appIds: replyList(found), next };
}

/** Members of a set that could not have been saved as app ids (a foreign sorted set, without a namespace) are skipped. */
function isAppId(member: string): boolean {
  try {
    assertKeyComponent(member, 'app id');
    return member.length > 0;
  } catch {
    return false;
  }
}

function decodeScanState(cursor: string): ScanState {
  try {
    const state = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as ScanState;
    const at = state.at;
    const validAt =
      at === null ||
      (typeof at === 'object' &&
        typeof at.partition === 'string' &&
        (at.phase === 'apps' || at.phase === 'saves') &&
        typeof at.score === 'string' &&
        /^(|-?\d+(\.\d+)?(e[+-]?\d+)?)$/.test(at.score) &&
        typeof at.member === 'string');
    if ((state.scan === null || /^\d+$/.test(String(state.scan))) && Array.isArray(state.queue) && state.queue.every((p) => typeof p === 'string') && validAt) return state;
  } catch {
    // Reported below.
  }
  throw new InvalidPersistArgumentError(`scan cursor ${JSON.stringify(cursor)} is not one scanApps returned`);
}

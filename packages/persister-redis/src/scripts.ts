import { createHash } from 'node:crypto';
import { execTransaction, send, transactionOn, type RedisCommandClient } from './client.js';
import { preludeFor } from './prelude-for.js';

/** A Lua script run with EVALSHA, falling back to EVAL (which caches it) when the server does not know it yet. */
export class LuaScript {
  readonly #source: string;
  readonly #sha: string;

  constructor(source: string) {
    this.#source = source;
    this.#sha = createHash('sha1').update(source).digest('hex');
  }

  /** Runs the script (`EVALSHA`, then `EVAL` if the server does not have it); see {@link send} for `abandoned`. */
  async run(client: RedisCommandClient, keys: readonly string[], args: readonly string[], abandoned?: AbortSignal): Promise<unknown> {
    const command = ['EVALSHA', this.#sha, String(keys.length), ...keys, ...args];
    try {
      return await send(client, command, abandoned);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      command[0] = 'EVAL';
      command[1] = this.#source;
      return send(client, command, abandoned);
    }
  }

  /**
   * Runs the script in a MULTI/EXEC transaction, between `before` and `after`
   * (run whatever the script answers or throws), and resolves to the script's
   * reply; throws the script's error. Resolves to `undefined`, nothing run,
   * when the client has no transactions (see {@link transactionOn}) or a
   * `WATCH` of the caller's on the shared connection aborted it.
   */
  async runInTransaction(
    client: RedisCommandClient,
    before: readonly string[][],
    keys: readonly string[],
    args: readonly string[],
    after: readonly string[][],
  ): Promise<{ reply: unknown } | undefined> {
    const tail = [String(keys.length), ...keys, ...args];
    const attempt = async (script: string[]): Promise<{ reply: unknown } | undefined> => {
      const transaction = transactionOn(client);
      if (!transaction) return undefined;
      for (const command of before) transaction.addCommand([...command]);
      transaction.addCommand(script);
      for (const command of after) transaction.addCommand([...command]);
      const replies = await execTransaction(transaction);
      return replies === null ? undefined : { reply: replies[before.length] };
    };
    let result = await attempt(['EVALSHA', this.#sha, ...tail]);
    if (result && isNoScript(result.reply)) result = await attempt(['EVAL', this.#source, ...tail]);
    if (result?.reply instanceof Error) throw result.reply;
    return result;
  }
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** A script that uses the helpers of `LUA_PRELUDE`, preceded by those it uses (see {@link preludeFor}). */
export function withPrelude(body: string): LuaScript {
  return new LuaScript(`${preludeFor(body)}\n${body}`);
}

/**
 * Saves a step if its hash does not exist: returns 1, or 0 (nothing written).
 * KEYS: step hash, apps by sequence id (Python's), apps by save time, saved_at
 * hash, the app's index, the app's unindexed marker, and optionally the app's
 * incoming state hash.
 * ARGV: partition_key, app_id, sequence_id, position, state, status,
 * created_at, TTL in ms ('0': none), the app's key prefix, the partition's key
 * prefix, '1' for the incremental layout (else ''), the app's score in the
 * apps-by-save set when the step's save time is a copy (a conversion: its
 * save time in µs, as digits; else ''), and for a delta its base's
 * sequence_id, position and created_at: then the step is written only if its
 * base is stored with that position and created_at (else 2, nothing written),
 * and it is packed (see `packed_record`): its record, holding its key fields,
 * base and state, is pushed onto its segment (a list), and it has no step
 * hash (the app's index holds its segment, not the delta); unless it came in
 * the incoming hash, which becomes the step's hash as is, with every field
 * and the base (`base_sequence_id`, `base_position`). In the incremental
 * layout a step also counts as stored when its segment holds it. A save
 * reads no segment whole when its base is a segment's last record (one
 * `LINDEX`) and its sequence id lies above the app's latest (nothing to
 * search for), as a chat's saves do: its cost does not grow with the
 * segment. The save of a segment's first record seals the segment below
 * (its items become one: see `LUA_PACKED`).
 *
 * With the incoming state hash (a large state, see `RedisPersister`), the
 * state is not in ARGV (pass ''): the caller's transaction wrote it to that
 * hash with a plain HSET just before, the script renames the hash to the step's
 * key, and the transaction deletes the incoming hash after, whatever the
 * script did. A value passed to a script is copied into Lua and out again
 * into the hash: on Redis 7.0 that costs the server about 10x a plain HSET of
 * it at 100 KB, 20x at 1 MB (fresh memory for each copy).
 *
 * Which keys existed before is read only with a TTL: `keep_alive` needs it.
 * A save with a TTL also keeps the partition's `expiring` marker alive at
 * least as long as the keys it gave a TTL; a save without one makes the sets
 * it added to persistent only while that marker exists (one read, not a
 * `PERSIST` of each set: those cost a full-mode save about 15k of its 218k
 * instructions on the server). The incremental layout has no TTL and reads
 * no marker.
 *
 * An app's score in Python's set only grows (`ZADD GT`), unless the step it
 * names is gone (expired): then the save is the app's latest step again.
 *
 * An app's score in the apps-by-save set is the server's time of the save,
 * or one above the set's highest score when the clock is behind it, so the
 * app saved last ranks first and scores only grow, as a scan needs.
 *
 * Reads and the write that can fail (ZADD GT needs Redis 6.2) come first, so
 * an error leaves nothing half-written. Before the app's index gets its first
 * entry, steps saved without it (by Python Burr, or before this version) are
 * recorded in the marker, so history still finds them. With a TTL, the step
 * hash expires after it and the sets live at least as long; each save also
 * drops up to two expired entries from the app's index, and checks two apps
 * of the partition (the least recently saved, which goes first when every
 * app has the TTL, and one at random, for partitions shared with apps
 * without it) and forgets them when expired, so the sets do not grow with
 * apps long gone.
 */
export const SAVE_STEP = withPrelude(saveStepBody('full'));

/** {@link SAVE_STEP} for the incremental layout (ARGV[11] '1'). */
export const SAVE_INCREMENTAL_STEP = withPrelude(saveStepBody('incremental'));

/**
 * The save script's Lua for one layout. Each layout's script holds only its
 * own branches, so it carries only the helpers those call: the full layout's
 * none of the packed deltas' (a script's helpers are made at each of its
 * calls; see `preludeFor`).
 */
function saveStepBody(layout: 'full' | 'incremental'): string {
  const incremental = layout === 'incremental';
  const when = (yes: boolean, lua: string) => (yes ? lua : '');
  return `
local app_id, sequence_id, ttl_ms = ARGV[2], ARGV[3], tonumber(ARGV[8])
local app_prefix, partition_prefix = ARGV[9], ARGV[10]
local copied_score, base_sequence_id = ARGV[12], ARGV[13]
${when(
  incremental,
  `local segments = {}
if base_sequence_id then
  local base = redis.call('HMGET', app_prefix .. base_sequence_id, 'position', 'created_at')
  if not base[1] then
    -- Usually the base is its segment's last record: read that one, not the segment.
    local last_id, position, created_at = packed_last(app_prefix, segment_field(base_sequence_id))
    if last_id == base_sequence_id then
      base = {position, created_at}
    else
      local packed = packed_step(app_prefix, base_sequence_id, segments)
      if packed then base = {packed.position, packed.created_at} end
    end
  end
  if base[1] ~= ARGV[14] or base[2] ~= ARGV[15] then return 2 end
end`,
)}
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local latest = redis.call('ZSCORE', KEYS[2], app_id)
${when(
  incremental,
  `local field, packed = segment_field(sequence_id), false
-- Above the app's latest sequence id (a score that only moves up while steps remain), no record can hold it.
if latest and tonumber(sequence_id) <= tonumber(latest) then
  local segment = packed_segment(app_prefix, sequence_id, segments)
  if segment and packed_find(segment, sequence_id) then return 0 end
end`,
)}
local incoming = KEYS[7]
if incoming and redis.call('EXISTS', incoming) == 0 then return redis.error_reply('ERR the incoming state hash is missing') end
-- A copied step (a conversion) ranks its app by its own save time, the newest copied step's (ZADD GT below), as
-- the store it came from ranked it: a conversion's writes would otherwise list apps in the order it copied them.
local score = copied_score
if score == '' then
  local now = redis.call('TIME')
  -- The server's time in µs, as digits (its seconds, then its microseconds on six), or one above the set's highest
  -- score when that is not below it (a clock that stepped back, a failover): the app saved last always ranks first.
  -- Asked as "any score at or above it?", whose usual answer (none) formats no number.
  score = now[1] .. string.sub('00000' .. now[2], -6)
  if redis.call('ZRANGE', KEYS[3], score, '+inf', 'BYSCORE', 'LIMIT', '0', '1')[1] then
    score = fmt(tonumber(redis.call('ZRANGE', KEYS[3], '-1', '-1', 'WITHSCORES')[2]) + 1)
  end
end
${when(!incremental, `local top = unindexed_top(KEYS[5], KEYS[6], KEYS[2], app_id, app_prefix, latest)`)}
-- Each key written below is read first (the sets above, these here): a key of another type at one of their names
-- (another program's) fails the save before any write, not halfway through it.
redis.call('ZCARD', KEYS[5])
redis.call('HEXISTS', KEYS[4], app_id)
${when(
  incremental,
  `if base_sequence_id and not incoming and redis.call('LLEN', app_prefix .. field) == 0 then
  -- The delta opens its segment, and so seals the one below.
  local n = math.floor(tonumber(sequence_id) / SEGMENT_STEPS)
  if n > 0 then redis.call('LLEN', app_prefix .. segment_field((n - 1) * SEGMENT_STEPS)) end
end`,
)}
${when(
  !incremental,
  `local existed = {}
if ttl_ms > 0 then for i = 2, 5 do existed[i] = redis.call('EXISTS', KEYS[i]) end end`,
)}
${when(
  !incremental,
  `-- A save at or below the app's score whose step there expired (a TTL) while its entry in the partition's sets lived
-- on: the app starts again with this save. (A save above the score raises it anyway: nothing to look up.)
local restarted = latest and tonumber(sequence_id) <= tonumber(latest) and redis.call('EXISTS', app_prefix .. fmt(tonumber(latest))) == 0`,
)}
-- The write that can fail (GT needs Redis 6.2) comes first.
redis.call('ZADD', KEYS[2], 'GT', sequence_id, app_id)
${when(!incremental, `if restarted then redis.call('ZADD', KEYS[2], sequence_id, app_id) end`)}
if copied_score == '' then redis.call('ZADD', KEYS[3], score, app_id) else redis.call('ZADD', KEYS[3], 'GT', score, app_id) end
if incoming then
  redis.call('RENAME', incoming, KEYS[1])
  redis.call('HSET', KEYS[1], 'partition_key', ARGV[1], 'app_id', app_id, 'sequence_id', sequence_id,
    'position', ARGV[4], 'status', ARGV[6], 'created_at', ARGV[7])
  if base_sequence_id then redis.call('HSET', KEYS[1], 'base_sequence_id', base_sequence_id, 'base_position', ARGV[14]) end
${when(
  incremental,
  `elseif base_sequence_id then
  local items = packed_append(app_prefix, field, packed_record(sequence_id, ARGV[4], ARGV[6], ARGV[7], base_sequence_id, ARGV[14], ARGV[5]))
  -- The first record of a segment: the segment below is complete, and is sealed.
  local n = math.floor(tonumber(sequence_id) / SEGMENT_STEPS)
  if items == 1 and n > 0 then seal_segment(app_prefix, segment_field((n - 1) * SEGMENT_STEPS)) end
  packed = true`,
)}
else
  redis.call('HSET', KEYS[1], 'partition_key', ARGV[1], 'app_id', app_id, 'sequence_id', sequence_id,
    'position', ARGV[4], 'state', ARGV[5], 'status', ARGV[6], 'created_at', ARGV[7])
end
-- A copied step's save time is the app's last only when it is the newest copied so far (steps are copied by sequence id).
if copied_score == '' or (redis.call('HGET', KEYS[4], app_id) or '') < ARGV[7] then
  redis.call('HSET', KEYS[4], app_id, ARGV[7])
end
${
  incremental
    ? `if packed then
  redis.call('ZADD', KEYS[5], fmt(segment_end(math.floor(tonumber(sequence_id) / SEGMENT_STEPS))), field)
else
  redis.call('ZADD', KEYS[5], sequence_id, sequence_id)
end`
    : `redis.call('ZADD', KEYS[5], sequence_id, sequence_id)`
}
${when(
  !incremental,
  `if top >= 0 then
  local marker = redis.call('GET', KEYS[6])
  if not marker or tonumber(marker) < top then redis.call('SET', KEYS[6], fmt(top)) end
end
local expiring = partition_prefix .. EXPIRING_SUFFIX
if ttl_ms > 0 then
  redis.call('PEXPIRE', KEYS[1], ttl_ms)
  for i = 2, 5 do keep_alive(KEYS[i], ttl_ms, existed[i]) end
  if redis.call('PTTL', expiring) < ttl_ms then redis.call('SET', expiring, '1', 'PX', ttl_ms) end
elseif redis.call('EXISTS', expiring) == 1 then
  -- A key of the partition may expire (another writer has a TTL): the ones this save added to must not.
  for i = 2, 5 do redis.call('PERSIST', KEYS[i]) end
end
if ttl_ms > 0 then
  for _ = 1, 2 do
    local oldest = redis.call('ZRANGE', KEYS[5], 0, 0)[1]
    if not oldest or redis.call('EXISTS', app_prefix .. oldest) == 1 then break end
    redis.call('ZREM', KEYS[5], oldest)
  end
  local candidates = {redis.call('ZRANGE', KEYS[3], 0, 0)[1], redis.call('ZRANDMEMBER', KEYS[3])}
  for _, other in pairs(candidates) do
    if other ~= app_id then
      -- Whether the app's latest step is stored: in this layout, its hash (no step is packed).
      local other_latest = redis.call('ZSCORE', KEYS[2], other)
      if not (other_latest and redis.call('EXISTS', partition_prefix .. other .. ':' .. other_latest) == 1) then
        forget_app(partition_prefix, other, KEYS[2], KEYS[3], KEYS[4])
      end
    end
  end
end`,
)}
return 1
`;
}

/**
 * An app's latest step in one round trip: its sequence id from the sorted set, then its hash.
 * KEYS: apps by sequence id. ARGV: app id, step key prefix. Returns nil or {sequence id, {field, value, ...}}.
 */
export const LOAD_LATEST_STEP = new LuaScript(`
local sequence = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not sequence then return false end
return {sequence, redis.call('HGETALL', ARGV[2] .. sequence)}
`);

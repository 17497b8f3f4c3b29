import { APP_DELTAS_SUFFIX } from './keys.js';
import { LuaScript } from './scripts.js';

/** Index entries one pass of {@link CHAIN_ROWS} reads at a time. */
const CHAIN_BATCH = 64;

/** Values {@link CHAIN_ROWS} returns for each row, one after the other in one flat array. */
export const CHAIN_ROW_FIELDS = 7;

/**
 * An app's rows of incremental storage from its nearest snapshot at or below
 * `from` up to `to`, newest first, in one consistent read: walks the app's
 * index down from `to`, reading each hash, and stops after the first snapshot
 * (a hash without `base_sequence_id`) at or below `from`, or at the index's
 * end. Entries whose hash is gone (expired) are passed over.
 * KEYS: the app's index, apps by sequence id.
 * ARGV: app key prefix, app id, from, to (both '' for the app's latest step).
 * Returns one flat array, {@link CHAIN_ROW_FIELDS} values a row: sequence_id,
 * position, status, created_at, base_sequence_id, base_position, state;
 * status and created_at only for rows at `to` (the others are only
 * replayed: a 10,000-row reply is a third smaller without them). The delta
 * states of a batch come from the app's hash of delta states in one HMGET.
 */
export const CHAIN_ROWS = new LuaScript(`
local prefix, from, to = ARGV[1], ARGV[3], ARGV[4]
if to == '' then
  to = redis.call('ZSCORE', KEYS[2], ARGV[2])
  if not to then return {} end
  from = to
end
from = tonumber(from)
local deltas_key = prefix .. '${APP_DELTAS_SUFFIX}'
local out = {}
local hi = to
while true do
  local ids = redis.call('ZRANGE', KEYS[1], hi, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, ${CHAIN_BATCH})
  local missing, slots = {}, {}
  local done = false
  for _, id in ipairs(ids) do
    local row = redis.call('HMGET', prefix .. id, 'position', 'base_sequence_id', 'base_position', 'state')
    if row[1] then
      local status, created_at = false, false
      if id == to then
        local fields = redis.call('HMGET', prefix .. id, 'status', 'created_at')
        status, created_at = fields[1], fields[2]
      end
      local n = #out
      out[n + 1], out[n + 2], out[n + 3], out[n + 4] = id, row[1], status, created_at
      out[n + 5], out[n + 6], out[n + 7] = row[2], row[3], row[4]
      if not row[4] then missing[#missing + 1] = id; slots[#missing] = n + 7 end
      if tonumber(id) <= from and not row[2] then done = true; break end
    end
  end
  if #missing > 0 then
    local states = redis.call('HMGET', deltas_key, unpack(missing))
    for i = 1, #missing do out[slots[i]] = states[i] end
  end
  if done or #ids < ${CHAIN_BATCH} then return out end
  hi = '(' .. ids[#ids]
end
`);

/**
 * The key fields of an app's stored steps with sequence ids from `lo` to `hi`
 * (a prune's batch and the window after it), without their states.
 * KEYS: the app's index. ARGV: app key prefix, lo, hi.
 * Returns rows {sequence_id, position, created_at, base_sequence_id, base_position}.
 */
export const STEP_LINKS = new LuaScript(`
local rows = {}
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3], 'BYSCORE')) do
  local row = redis.call('HMGET', ARGV[1] .. id, 'sequence_id', 'position', 'created_at', 'base_sequence_id', 'base_position')
  if row[1] then rows[#rows + 1] = row end
end
return rows
`);

/**
 * Makes a delta a snapshot: sets its state and drops its base (and its entry
 * in the app's hash of delta states), if it still names that base.
 * KEYS: the step hash, the app's hash of delta states. ARGV: base sequence
 * id, base position, state, the step's sequence id. Returns 1, or 0 (nothing
 * changed).
 */
export const REWRITE_AS_SNAPSHOT = new LuaScript(`
local base = redis.call('HMGET', KEYS[1], 'base_sequence_id', 'base_position')
if base[1] ~= ARGV[1] or base[2] ~= ARGV[2] then return 0 end
redis.call('HSET', KEYS[1], 'state', ARGV[3])
redis.call('HDEL', KEYS[1], 'base_sequence_id', 'base_position')
redis.call('HDEL', KEYS[2], ARGV[4])
return 1
`);

/**
 * Whether an app's latest step is stored: its sequence id from Python's
 * sorted set, then EXISTS of its hash. Answers for the other storage mode's
 * layout. KEYS: apps by sequence id. ARGV: app id, the app's key prefix.
 */
export const APP_IS_STORED = new LuaScript(`
local latest = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not latest then return 0 end
return redis.call('EXISTS', ARGV[2] .. latest)
`);

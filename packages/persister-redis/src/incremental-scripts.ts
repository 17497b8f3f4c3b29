import { LuaScript, withPrelude } from './scripts.js';

/** Index entries one pass of {@link CHAIN_ROWS} reads at a time. */
const CHAIN_BATCH = 64;

/** Values {@link CHAIN_ROWS} returns for a row it read from the row's step hash (or for the row at `to`). */
export const CHAIN_ROW_FIELDS = 7;
/** Values {@link CHAIN_ROWS} returns for a delta it took from its entry alone. */
export const CHAIN_ENTRY_FIELDS = 2;

/**
 * An app's rows of incremental storage from its nearest snapshot at or below
 * `from` up to `to`, newest first, in one consistent read: walks the app's
 * index down from `to` a batch at a time, takes the batch's entries of the
 * app's hash of delta states in one HMGET, and stops after the first snapshot
 * at or below `from`, or at the index's end. A delta whose entry has a head
 * (see `delta_entry`) is taken from that entry alone; other rows (snapshots,
 * large deltas kept in their step hash, entries without head) from their step
 * hash, and entries whose hash is gone are passed over.
 * KEYS: the app's index, apps by sequence id.
 * ARGV: app key prefix, app id, from, to (both '' for the app's latest step).
 * Returns one flat array of rows, newest first. A delta taken from its entry
 * is {@link CHAIN_ENTRY_FIELDS} values: its sequence id as text, its entry.
 * Any other row is {@link CHAIN_ROW_FIELDS} values, starting with its
 * sequence id as an integer: sequence_id, position, status, created_at,
 * base_sequence_id, base_position, state; status and created_at only at `to`
 * (the other rows are only replayed); at `to`, a delta taken from its entry
 * has nil position and base and its whole entry as state.
 */
export const CHAIN_ROWS = withPrelude(`
local prefix, from, to = ARGV[1], ARGV[3], ARGV[4]
if to == '' then
  to = redis.call('ZSCORE', KEYS[2], ARGV[2])
  if not to then return {} end
  from = to
end
from = tonumber(from)
local deltas_key = prefix .. DELTAS_SUFFIX
local out = {}
local hi = to
while true do
  local ids = redis.call('ZRANGE', KEYS[1], hi, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, ${CHAIN_BATCH})
  if #ids == 0 then return out end
  local entries = redis.call('HMGET', deltas_key, unpack(ids))
  for i, id in ipairs(ids) do
    local status, created_at = false, false
    if id == to then
      local fields = redis.call('HMGET', prefix .. id, 'status', 'created_at')
      status, created_at = fields[1], fields[2]
    end
    local entry, n = entries[i], #out
    if entry and string.byte(entry, 1) == 91 then
      if status then
        out[n + 1], out[n + 2], out[n + 3], out[n + 4], out[n + 5], out[n + 6], out[n + 7] = tonumber(id), false, status, created_at, false, false, entry
      else
        out[n + 1], out[n + 2] = id, entry
      end
    else
      local row = redis.call('HMGET', prefix .. id, 'position', 'base_sequence_id', 'base_position', 'state')
      if row[1] then
        out[n + 1], out[n + 2], out[n + 3], out[n + 4] = tonumber(id), row[1], status, created_at
        out[n + 5], out[n + 6], out[n + 7] = row[2], row[3], row[4] or entry
        if tonumber(id) <= from and not row[2] then return out end
      end
    end
  end
  if #ids < ${CHAIN_BATCH} then return out end
  hi = '(' .. ids[#ids]
end
`);

/**
 * The key fields of an app's stored steps with sequence ids from `lo` to `hi`
 * (a prune's batch and the window after it), without their states.
 * KEYS: the app's index. ARGV: app key prefix, lo, hi.
 * Returns rows {sequence_id, position, created_at, base_sequence_id, base_position}.
 */
export const STEP_LINKS = withPrelude(`
local rows = {}
-- The row read just before, ascending: a head [position] names it as the base, whose position is then known.
local last_id, last_position = -1, nil
for _, id in ipairs(redis.call('ZRANGE', KEYS[1], ARGV[2], ARGV[3], 'BYSCORE')) do
  local row = redis.call('HMGET', ARGV[1] .. id, 'position', 'created_at', 'base_sequence_id', 'base_position')
  if row[1] then
    local before_position = last_id == tonumber(id) - 1 and last_position or nil
    local base_id, base_position = delta_base(ARGV[1], id, {row[3], row[4]}, before_position)
    rows[#rows + 1] = {id, row[1], row[2], base_id or false, base_position or false}
    last_id, last_position = tonumber(id), row[1]
  end
end
return rows
`);

/**
 * Makes a delta a snapshot: sets its state (and the key fields a full-mode
 * step's hash has) and drops its base (and its entry in the app's hash of
 * delta states), if it still names that base.
 * KEYS: the step hash, the app's hash of delta states. ARGV: base sequence
 * id, base position, state, the step's sequence id, the app's key prefix,
 * partition key, app id. Returns 1, or 0 (nothing changed).
 */
export const REWRITE_AS_SNAPSHOT = withPrelude(`
local base_id, base_position = delta_base(ARGV[5], ARGV[4], redis.call('HMGET', KEYS[1], 'base_sequence_id', 'base_position'))
if base_id ~= ARGV[1] or base_position ~= ARGV[2] then return 0 end
-- A snapshot's hash is a full-mode step's: a delta written with a head held only its position, status and save time.
redis.call('HSET', KEYS[1], 'partition_key', ARGV[6], 'app_id', ARGV[7], 'sequence_id', ARGV[4], 'state', ARGV[3])
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

import { withPrelude } from './scripts.js';

/** Values {@link CHAIN_ROWS} returns for a delta it took from its entry alone, in the reply's list itself. */
export const CHAIN_ENTRY_FIELDS = 2;

/**
 * An app's rows of incremental storage from its nearest snapshot at or below
 * `from` up to `to`, in one consistent read. Walks the app's index down
 * from `to` a segment's range at a time (see `LUA_PACKED`): takes the
 * segment's records when the index holds it, and reads each step of the range
 * that has its own index entry as a row of its own: a delta written before
 * packing from its entry in the app's hash of delta states (when it has a
 * head, see `LUA_PRELUDE`), any other row (snapshots, large deltas) from its
 * step hash; steps whose hash is gone are passed over. Stops after the first
 * snapshot at or below `from`, or at the index's end.
 * KEYS: the app's index, apps by sequence id.
 * ARGV: app key prefix, app id, from, to (both '' for the app's latest step).
 * Returns {rows, segments, stop, to}: `rows` the rows read on their own,
 * newest first; `segments` the segments met, each a list of its records, whose records
 * above `stop` and at or below `to` are in the chain; `stop` the sequence id
 * of the snapshot the walk stopped at, or -1. Sequence ids are text: an
 * integer reply near 2^53 does not reach JavaScript exactly. A delta taken
 * from its entry is two values in `rows`: its sequence id, its entry. Any
 * other row is one array of seven values: sequence_id,
 * position, status, created_at, base_sequence_id, base_position, state;
 * status and created_at only at `to` (the other rows are only replayed); at
 * `to`, a delta taken from its entry has nil position and base and its
 * whole entry as state.
 */
export const CHAIN_ROWS = withPrelude(`
local prefix, from, to = ARGV[1], ARGV[3], ARGV[4]
if to == '' then
  to = redis.call('ZSCORE', KEYS[2], ARGV[2])
  if not to then return {{}, {}, '-1', '-1'} end
  from = to
end
from = tonumber(from)
local deltas_key = prefix .. DELTAS_SUFFIX
local out, segments = {}, {}
-- Adds a row read on its own to out; true when it is the chain's snapshot.
local function take(id, entry)
  local status, created_at = false, false
  if id == to then
    local fields = redis.call('HMGET', prefix .. id, 'status', 'created_at')
    status, created_at = fields[1], fields[2]
  end
  local n = #out
  if entry and string.byte(entry, 1) == 91 then
    if status then
      out[n + 1] = {id, false, status, created_at, false, false, entry}
    else
      out[n + 1], out[n + 2] = id, entry
    end
    return false
  end
  local row = redis.call('HMGET', prefix .. id, 'position', 'base_sequence_id', 'base_position', 'state')
  if not row[1] then return false end
  out[n + 1] = {id, row[1], status, created_at, row[2], row[3], row[4] or entry}
  return tonumber(id) <= from and not row[2]
end
local to_n = tonumber(to)
local n = next_segment(KEYS[1], fmt(segment_end(math.floor(to_n / SEGMENT_STEPS))), true)
while n do
  local ids, marker = segment_group(KEYS[1], n)
  if marker then
    local records = redis.call('LRANGE', prefix .. segment_field(n * SEGMENT_STEPS), 0, -1)
    if #records > 0 then segments[#segments + 1] = records end
  end
  table.sort(ids, function(a, b) return a > b end)
  local below = {}
  for _, id in ipairs(ids) do if id <= to_n then below[#below + 1] = fmt(id) end end
  if #below > 0 then
    local entries = redis.call('HMGET', deltas_key, unpack(below))
    for i, id in ipairs(below) do
      if take(id, entries[i]) then return {out, segments, id, fmt(to_n)} end
    end
  end
  if n == 0 then break end
  n = next_segment(KEYS[1], fmt(n * SEGMENT_STEPS - 1), true)
end
return {out, segments, '-1', fmt(to_n)}
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
local segments = {}
visit_steps(KEYS[1], ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3]), false, function(id)
  local row = step_fields(ARGV[1], id, segments)
  if row then
    local before_position = last_id == tonumber(id) - 1 and last_position or nil
    local base_id, base_position = delta_base(ARGV[1], id, {row[4], row[5]}, before_position, segments)
    rows[#rows + 1] = {id, row[1], row[3], base_id or false, base_position or false}
    last_id, last_position = tonumber(id), row[1]
  end
  return true
end, segments)
return rows
`);

/**
 * Makes a delta a snapshot: sets its state (and the key fields a full-mode
 * step's hash has) and drops its base (and its entry in the app's hash of
 * delta states, or its record in its segment: a packed delta gets a step
 * hash), if it still names that base and has that save time (another run's
 * step, after the app was deleted and saved again, is left alone).
 * KEYS: the step hash, the app's hash of delta states. ARGV: base sequence
 * id, base position, state, the step's sequence id, the app's key prefix,
 * partition key, app id, the step's created_at. Returns 1, or 0 (nothing changed).
 */
export const REWRITE_AS_SNAPSHOT = withPrelude(`
local segments = {}
local fields = step_fields(ARGV[5], ARGV[4], segments)
if not fields or fields[3] ~= ARGV[8] then return 0 end
local base_id, base_position = delta_base(ARGV[5], ARGV[4], {fields[4], fields[5]}, nil, segments)
if base_id ~= ARGV[1] or base_position ~= ARGV[2] then return 0 end
if fields.packed then
  -- A packed delta: its record leaves its segment, and it gets a step hash and an entry in the app's index of its own.
  local changed = {}
  packed_remove(ARGV[5], ARGV[4], segments, changed)
  packed_flush(ARGV[5], segments, changed)
  redis.call('HSET', KEYS[1], 'position', fields[1], 'status', fields[2], 'created_at', fields[3])
  redis.call('ZADD', ARGV[5] .. STEPS_SUFFIX, ARGV[4], ARGV[4])
end
-- A snapshot's hash is a full-mode step's: a delta written with a head held only its position, status and save time.
redis.call('HSET', KEYS[1], 'partition_key', ARGV[6], 'app_id', ARGV[7], 'sequence_id', ARGV[4], 'state', ARGV[3])
redis.call('HDEL', KEYS[1], 'base_sequence_id', 'base_position')
redis.call('HDEL', KEYS[2], ARGV[4])
return 1
`);

/**
 * Whether an app's latest step is stored: its sequence id from Python's
 * sorted set, then its hash or packed record. Answers for the other storage
 * mode's layout. KEYS: apps by sequence id. ARGV: app id, the app's key prefix.
 */
export const APP_IS_STORED = withPrelude(`
local latest = redis.call('ZSCORE', KEYS[1], ARGV[1])
if not latest then return 0 end
return step_stored(ARGV[2], latest) and 1 or 0
`);

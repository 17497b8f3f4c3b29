import { withPrelude } from './scripts.js';

/**
 * Deletes an app at once, atomically for readers: UNLINK of every step hash and segment
 * of packed deltas in its index, DEL of the index, marker and hash of delta
 * states (deltas of earlier versions), and the app out of Python's set, apps_by_save and
 * saved_at. Returns the number of steps removed. While
 * steps saved without the index remain unchecked, it first indexes one chunk
 * of them and returns -1 (call again): nothing is deleted until every step is
 * known, so a reader never sees part of the app gone.
 * KEYS: the app's index, its marker, apps by sequence id, apps by save time, saved_at.
 * ARGV: app key prefix, app id.
 */
export const REMOVE_APP = withPrelude(`
local top = unindexed_top(KEYS[1], KEYS[2], KEYS[3], ARGV[2], ARGV[1])
if top >= 0 and adopt_chunk(KEYS[1], KEYS[2], ARGV[1], top) >= 0 then return -1 end
local ids, markers = {}, {}
for _, member in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  if is_marker(member) then markers[#markers + 1] = member else ids[#ids + 1] = member end
end
local removed = 0
for i = 1, #ids, 500 do
  local keys = {}
  for j = i, math.min(i + 499, #ids) do keys[#keys + 1] = ARGV[1] .. ids[j] end
  removed = removed + redis.call('UNLINK', unpack(keys))
end
-- Packed deltas have no hash: each segment goes with its records.
for _, marker in ipairs(markers) do
  local in_segment = {}
  segment_ids(segment_offsets(read_segment(ARGV[1], marker) or ''), in_segment)
  removed = removed + #in_segment
  redis.call('UNLINK', ARGV[1] .. marker)
end
redis.call('DEL', KEYS[1], KEYS[2], ARGV[1] .. DELTAS_SUFFIX)
redis.call('ZREM', KEYS[3], ARGV[2])
redis.call('ZREM', KEYS[4], ARGV[2])
redis.call('HDEL', KEYS[5], ARGV[2])
return removed
`);

/**
 * Removes the steps of one app whose sequence ids lie in ARGV[3]..ARGV[4]
 * (inclusive, found through the index: see `visit_steps`), only those whose created_at is before
 * ARGV[5] when it is given (as `YYYY-MM-DDTHH:MM:SS.ffffff`, compared with
 * `iso_micros` of the stored text; a created_at in another form stays).
 * `prune` never asks for an app's latest step; a conversion does, and when
 * the latest goes, Python's set is kept true: its score moves to the highest
 * step left, or, with none left, the app leaves the sets as in `REMOVE_APP`.
 * Returns how many steps went (hashes and packed deltas); -1 after indexing
 * one chunk of unindexed steps (call again); -2, nothing removed, when
 * ARGV[6] is given and a step that stays (within that many sequence ids
 * after `to`, or kept in the range) is a delta on a step that would go.
 * Index entries whose step is gone leave the index. When ARGV[7] is given,
 * nothing goes (0) unless the step at that sequence id is stored with
 * position ARGV[8] and created_at ARGV[9] ('' for none): the step a prune
 * keeps, gone when the app was deleted and started again.
 * KEYS: the app's index, its marker, apps by sequence id, apps by save time, saved_at.
 * ARGV: app key prefix, app id, from, to, created before ('' for any time),
 * for incremental storage the window of dependents ('' for none), and the
 * kept step's sequence id, position and created_at (or none).
 */
export const REMOVE_STEPS = withPrelude(`
local top = unindexed_top(KEYS[1], KEYS[2], KEYS[3], ARGV[2], ARGV[1])
if top >= 0 and adopt_chunk(KEYS[1], KEYS[2], ARGV[1], top) >= 0 then return -1 end
local segments, changed, ids = {}, {}, {}
if ARGV[7] then
  local kept = step_fields(ARGV[1], ARGV[7], segments)
  if not kept or (kept[1] or '') ~= ARGV[8] or (kept[3] or '') ~= ARGV[9] then return 0 end
end
local latest = tonumber(redis.call('ZSCORE', KEYS[3], ARGV[2]) or '-1')
local before = ARGV[5]
local removed = 0
local latest_gone = false
visit_steps(KEYS[1], ARGV[1], tonumber(ARGV[3]), tonumber(ARGV[4]), false, function(id)
  local fields = step_fields(ARGV[1], id, segments)
  local going = true
  if before ~= '' then
    local at = fields and fields[3] and iso_micros(fields[3])
    going = (at and bytes_less(at, before)) or false
  end
  if going or not fields then ids[#ids + 1] = id end
  return true
end, segments)
local window = tonumber(ARGV[6] or '')
if window then
  -- A step that stays (after the range, within the window, or kept in it) whose base goes: a delta saved since the
  -- caller looked for them. Nothing goes; the caller looks again.
  local goes = {}
  for _, id in ipairs(ids) do goes[id] = true end
  local lo, hi = tonumber(ARGV[3]), tonumber(ARGV[4]) + window
  local found = visit_steps(KEYS[1], ARGV[1], lo + 1, hi, false, function(id)
    if goes[id] then return true end
    local fields = step_fields(ARGV[1], id, segments)
    if not fields then return true end
    local base_id = delta_base(ARGV[1], id, {fields[4], fields[5]}, nil, segments)
    return not (base_id and goes[base_id])
  end, segments)
  if found then return -2 end
end
for _, id in ipairs(ids) do
  removed = removed + redis.call('UNLINK', ARGV[1] .. id)
  if packed_remove(ARGV[1], id, segments, changed) then removed = removed + 1 end
  redis.call('HDEL', ARGV[1] .. DELTAS_SUFFIX, id)
  redis.call('ZREM', KEYS[1], id)
  if tonumber(id) == latest then latest_gone = true end
end
packed_flush(ARGV[1], segments, changed)
if latest_gone then
  local highest = redis.call('ZRANGE', KEYS[1], -1, -1)[1]
  if highest and is_marker(highest) then
    -- The top segment's range: its records and the steps with a hash there.
    local in_range = segment_group(KEYS[1], math.floor(tonumber(redis.call('ZSCORE', KEYS[1], highest)) / SEGMENT_STEPS))
    segment_ids(segment_offsets(read_segment(ARGV[1], highest) or ''), in_range)
    highest = #in_range > 0 and fmt(math.max(unpack(in_range))) or nil
  end
  if highest then
    redis.call('ZADD', KEYS[3], highest, ARGV[2])
  else
    redis.call('DEL', KEYS[1], KEYS[2], ARGV[1] .. DELTAS_SUFFIX)
    redis.call('ZREM', KEYS[3], ARGV[2])
    redis.call('ZREM', KEYS[4], ARGV[2])
    redis.call('HDEL', KEYS[5], ARGV[2])
  end
end
return removed
`);

/** Sequence ids whose deltas share one field (a segment) of the app's hash of delta states. */
export const SEGMENT_STEPS = 64;

/**
 * Lua helpers for packed deltas, part of the shared prelude (after `fmt`).
 * Incremental storage keeps a delta of ordinary size (not a snapshot, not a
 * large state) without a step hash of its own: its record is appended to a
 * segment, the field `#n` of the app's hash of delta states, which holds the
 * deltas of sequence ids `n * SEGMENT_STEPS` to `n * SEGMENT_STEPS + SEGMENT_STEPS - 1`.
 * A step hash and a field cost about 480 bytes a step in Redis's memory;
 * a record costs its text.
 *
 * A segment is the count of its records in decimal, then the records, each
 * `\n`, a head, `\n`, the state (JSON text holds no raw newline, so a newline
 * only ever ends a head or a state). A head is a JSON array:
 * `[sequence_id, position, created_at]` for a completed step on the step
 * before it, `[sequence_id, position, created_at, status]` for any other
 * status, `[sequence_id, position, created_at, status, base_sequence_id,
 * base_position]` on a base further down. The count lets a chain read know
 * that every indexed step of a segment's range is packed without parsing it.
 *
 * - `segment_field(id)`: the field holding the record of sequence id `id`.
 * - `segment_count(segment)`: how many records the segment holds.
 * - `packed_record(id, position, status, created_at, base_id, base_position, state)`: a record.
 * - `packed_append(deltas_key, field, segment, record)`: writes the segment
 *   (the text read before, or false) with the record added.
 * - `packed_find(segment, id)`: where the record of `id` lies: the start of
 *   its head (`[`), the newline ending its head, the end of its state; nil
 *   when the segment does not hold it.
 * - `packed_step(app_prefix, id[, cache])`: the record of `id` decoded
 *   `{position, status, created_at, base_id, base_position, state_from,
 *   state_to, segment, field}` (base_position false when the base is the
 *   step before), or nil; `cache` (field → segment text or false) saves
 *   reading a segment twice in one script.
 * - `packed_remove(app_prefix, id, cache, dirty)`: drops the record of `id`
 *   from its segment in `cache` and marks the field in `dirty`; returns
 *   whether the segment held it. `packed_flush(app_prefix, cache, dirty)`
 *   then writes each segment changed once (the field goes with its last
 *   record), so a batch of removals rewrites a segment once.
 */
export const LUA_PACKED = `
local SEGMENT_STEPS = ${SEGMENT_STEPS}

local function segment_field(id) return '#' .. fmt(math.floor(tonumber(id) / SEGMENT_STEPS)) end

local function segment_count(segment) return tonumber(string.match(segment, '^%d+')) or 0 end

local function packed_record(id, position, status, created_at, base_id, base_position, state)
  local head = '[' .. id .. ',' .. cjson.encode(position) .. ',' .. cjson.encode(created_at)
  local on_step_before = tonumber(base_id) == tonumber(id) - 1
  if status ~= 'completed' or not on_step_before then head = head .. ',' .. cjson.encode(status) end
  if not on_step_before then head = head .. ',' .. base_id .. ',' .. cjson.encode(base_position) end
  return '\\n' .. head .. ']\\n' .. state
end

local function packed_append(deltas_key, field, segment, record)
  local count, rest = 0, ''
  if segment then
    count = segment_count(segment)
    rest = string.sub(segment, #fmt(count) + 1)
  end
  redis.call('HSET', deltas_key, field, fmt(count + 1) .. rest .. record)
end

local function packed_find(segment, id)
  local at = string.find(segment, '\\n[' .. id .. ',', 1, true)
  if not at then return nil end
  local head_end = string.find(segment, '\\n', at + 1, true)
  if not head_end then return nil end
  local state_end = (string.find(segment, '\\n', head_end + 1, true) or (#segment + 1)) - 1
  return at + 1, head_end, state_end
end

local function packed_segment(app_prefix, id, cache)
  local field = segment_field(id)
  local segment = cache and cache[field]
  if segment == nil then
    segment = redis.call('HGET', app_prefix .. DELTAS_SUFFIX, field)
    if cache then cache[field] = segment end
  end
  return segment, field
end

local function packed_step(app_prefix, id, cache)
  local segment, field = packed_segment(app_prefix, id, cache)
  if not segment then return nil end
  local head_start, head_end, state_end = packed_find(segment, id)
  if not head_start then return nil end
  local ok, head = pcall(cjson.decode, string.sub(segment, head_start, head_end - 1))
  if not ok or type(head) ~= 'table' or type(head[2]) ~= 'string' or type(head[3]) ~= 'string' then
    error(redis.error_reply('ERR the packed delta at sequence ' .. id .. ' has no valid head'))
  end
  local base_id, base_position = fmt(tonumber(id) - 1), false
  if head[5] ~= nil then base_id, base_position = fmt(head[5]), head[6] end
  return {position = head[2], created_at = head[3], status = head[4] or 'completed', base_id = base_id, base_position = base_position,
    state_from = head_end + 1, state_to = state_end, segment = segment, field = field}
end

local function packed_remove(app_prefix, id, cache, dirty)
  local segment, field = packed_segment(app_prefix, id, cache)
  if not segment then return false end
  local head_start, _, state_end = packed_find(segment, id)
  if not head_start then return false end
  local count = segment_count(segment) - 1
  if count <= 0 then
    cache[field] = false
  else
    cache[field] = fmt(count) .. string.sub(segment, #fmt(count + 1) + 1, head_start - 2) .. string.sub(segment, state_end + 1)
  end
  dirty[field] = true
  return true
end

local function packed_flush(app_prefix, cache, dirty)
  local deltas_key = app_prefix .. DELTAS_SUFFIX
  for field in pairs(dirty) do
    if cache[field] then redis.call('HSET', deltas_key, field, cache[field]) else redis.call('HDEL', deltas_key, field) end
  end
end
`;

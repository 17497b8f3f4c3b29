/** Sequence ids whose deltas share one segment (a list of their records). */
export const SEGMENT_STEPS = 64;

/**
 * Lua helpers for packed deltas, part of the shared prelude (after `fmt`).
 * Incremental storage keeps a delta of ordinary size (not a snapshot, not a
 * large state) without a step hash of its own: its record is pushed onto a
 * segment, the list `<app prefix>#n`, which holds the deltas of sequence ids
 * `n * SEGMENT_STEPS` to `n * SEGMENT_STEPS + SEGMENT_STEPS - 1`. A save
 * appends its record as an item (`RPUSH`), so it writes (and replicas and the
 * AOF receive) its record alone, and it reads its base's item, not the
 * segment (see `SAVE_STEP`). The save that starts a segment seals the one
 * below: its items become one (so a load reads a segment in one piece, not
 * 64: per-item costs made 10,000-step loads 20-50% slower). A step hash, a
 * field and an index entry cost about 480 bytes a step in Redis's memory; a
 * record costs its text.
 *
 * A record is `\n`, a head, `\n`, the state (JSON text holds no raw newline,
 * so a newline only ever ends a head or a state); an item is one record or
 * several one after the other, and a segment's text its items'. A head is a JSON array:
 * `[sequence_id, position, created_at]` for a completed step on the step
 * before it, `[sequence_id, position, created_at, status]` for any other
 * status, `[sequence_id, position, created_at, status, base_sequence_id,
 * base_position]` on a base further down.
 *
 * - `segment_field(id)`: the name of the segment of sequence id `id` (`#n`):
 *   its key is the app prefix and the name, its member in the app's index the name.
 * - `read_segment(app_prefix, field)`: the segment's text, or false.
 * - `packed_record(id, position, status, created_at, base_id, base_position, state)`: a record.
 * - `packed_append(app_prefix, field, record)`: pushes the record onto the
 *   segment; returns the segment's items.
 * - `seal_segment(app_prefix, field)`: makes the segment's items one.
 * - `packed_last(app_prefix, field)`: the sequence id, position and
 *   created_at of the first record of the segment's last item (one
 *   `LINDEX`; the last record, unless the segment was sealed), or nil.
 * - `packed_find(segment, id)`: where the record of `id` lies: the start of
 *   its head (`[`), the newline ending its head, the end of its state; nil
 *   when the segment does not hold it.
 * - `packed_step(app_prefix, id[, cache])`: the record of `id` decoded
 *   `{position, status, created_at, base_id, base_position, state_from,
 *   state_to, segment, field}` (base_position false when the base is the
 *   step before), or nil; `cache` (field → segment text or false) saves
 *   reading a segment twice in one script, and a second lookup in a segment
 *   indexes its records (`segment_offsets`). A record whose head does not
 *   decode has every field false (listed as such, never a base: a load of
 *   it reports the broken head).
 * - The app's index holds a packed delta's segment, not the delta: the member
 *   `#n` (the segment's name), scored at the segment's last sequence id
 *   (`segment_end(n)`), so a walk down the index meets a segment before any
 *   step of its range; steps with a hash keep their own entries. A sorted-set
 *   member costs Redis about 95 bytes, half a chat message.
 * - `visit_steps(index_key, app_prefix, lo, hi, desc, visit[, cache])`: calls
 *   `visit(id)` for each stored step with a sequence id from `lo` to `hi`
 *   (numbers, `math.huge` for no bound), ascending or descending, a
 *   segment's range at a time (its steps with a hash and its records, sorted),
 *   until `visit` returns false (then it returns true); it leaves each
 *   segment's offsets in `cache`, so the visitor's lookups parse nothing again.
 * - `packed_remove(app_prefix, id, cache, dirty)`: drops the record of `id`
 *   from its segment in `cache` and marks the segment in `dirty`; returns
 *   whether the segment held it. `packed_flush(app_prefix, cache, dirty)`
 *   then writes each segment changed once, as one item (the list and its
 *   index entry go with its last record), so a batch of removals rewrites a
 *   segment once.
 */
export const LUA_PACKED = `
local SEGMENT_STEPS = ${SEGMENT_STEPS}

local function segment_field(id) return '#' .. fmt(math.floor(tonumber(id) / SEGMENT_STEPS)) end

local function read_segment(app_prefix, field)
  local records = redis.call('LRANGE', app_prefix .. field, 0, -1)
  return #records > 0 and table.concat(records)
end

local function packed_record(id, position, status, created_at, base_id, base_position, state)
  local head = '[' .. id .. ',' .. cjson.encode(position) .. ',' .. cjson.encode(created_at)
  local on_step_before = tonumber(base_id) == tonumber(id) - 1
  if status ~= 'completed' or not on_step_before then head = head .. ',' .. cjson.encode(status) end
  if not on_step_before then head = head .. ',' .. base_id .. ',' .. cjson.encode(base_position) end
  return '\\n' .. head .. ']\\n' .. state
end

local function packed_append(app_prefix, field, record)
  return redis.call('RPUSH', app_prefix .. field, record)
end

local function seal_segment(app_prefix, field)
  local items = redis.call('LRANGE', app_prefix .. field, 0, -1)
  if #items < 2 then return end
  redis.call('DEL', app_prefix .. field)
  redis.call('RPUSH', app_prefix .. field, table.concat(items))
end

local function packed_last(app_prefix, field)
  local record = redis.call('LINDEX', app_prefix .. field, -1)
  if not record then return nil end
  local head_end = string.find(record, '\\n', 2, true)
  local ok, head = pcall(cjson.decode, string.sub(record, 2, (head_end or 1) - 1))
  if not ok or type(head) ~= 'table' or type(head[1]) ~= 'number' then return nil end
  return fmt(head[1]), head[2], head[3]
end

local function packed_find(segment, id)
  local at = string.find(segment, '\\n[' .. id .. ',', 1, true)
  if not at then return nil end
  local head_end = string.find(segment, '\\n', at + 1, true)
  if not head_end then return nil end
  local state_end = (string.find(segment, '\\n', head_end + 1, true) or (#segment + 1)) - 1
  return at + 1, head_end, state_end
end

local function segment_offsets(segment)
  local offsets, at = {}, 1
  while at do
    local id = string.match(segment, '^\\n%[(%d+),', at)
    if not id then return offsets end
    local head_end = string.find(segment, '\\n', at + 1, true)
    if not head_end then return offsets end
    local next_at = string.find(segment, '\\n', head_end + 1, true)
    offsets[id] = {at + 1, head_end, (next_at or (#segment + 1)) - 1}
    at = next_at
  end
  return offsets
end

-- A segment's offsets, kept in the script's cache (cache['@' .. field]) when it has one.
local function cached_offsets(segment, field, cache)
  local offsets = cache and cache['@' .. field]
  if not offsets then
    offsets = segment_offsets(segment)
    if cache then cache['@' .. field] = offsets end
  end
  return offsets
end

-- packed_find, but a script's second lookup in a segment indexes it (or uses the index visit_steps left), so a
-- listing or prune does not search the segment from its start for each of its steps.
local function packed_locate(segment, field, id, cache)
  if cache then
    local offsets = cache['@' .. field]
    if offsets == false then offsets = cached_offsets(segment, field, cache) end
    if offsets then
      local found = offsets[id]
      if not found then return nil end
      return found[1], found[2], found[3]
    end
    cache['@' .. field] = false
  end
  return packed_find(segment, id)
end

local function packed_segment(app_prefix, id, cache)
  local field = segment_field(id)
  local segment = cache and cache[field]
  if segment == nil then
    segment = read_segment(app_prefix, field)
    if cache then cache[field] = segment end
  end
  return segment, field
end

local function packed_step(app_prefix, id, cache)
  local segment, field = packed_segment(app_prefix, id, cache)
  if not segment then return nil end
  local head_start, head_end, state_end = packed_locate(segment, field, id, cache)
  if not head_start then return nil end
  local record = {state_from = head_end + 1, state_to = state_end, segment = segment, field = field}
  local ok, head = pcall(cjson.decode, string.sub(segment, head_start, head_end - 1))
  if not ok or type(head) ~= 'table' or type(head[2]) ~= 'string' or type(head[3]) ~= 'string' then
    -- A broken head: the step is listed without its fields and never taken as a base; a load reports it.
    record.position, record.created_at, record.status, record.base_id, record.base_position = false, false, false, false, false
    return record
  end
  local base_id, base_position = fmt(tonumber(id) - 1), false
  if head[5] ~= nil then base_id, base_position = fmt(head[5]), head[6] end
  record.position, record.created_at, record.status, record.base_id, record.base_position = head[2], head[3], head[4] or 'completed', base_id, base_position
  return record
end

local function packed_remove(app_prefix, id, cache, dirty)
  local segment, field = packed_segment(app_prefix, id, cache)
  if not segment then return false end
  local head_start, _, state_end = packed_locate(segment, field, id, cache)
  if not head_start then return false end
  local rest = string.sub(segment, 1, head_start - 2) .. string.sub(segment, state_end + 1)
  cache[field] = rest ~= '' and rest
  cache['@' .. field] = nil
  dirty[field] = true
  return true
end

local function packed_flush(app_prefix, cache, dirty)
  for field in pairs(dirty) do
    redis.call('DEL', app_prefix .. field)
    if cache[field] then
      redis.call('RPUSH', app_prefix .. field, cache[field])
    else
      redis.call('ZREM', app_prefix .. STEPS_SUFFIX, field)
    end
  end
end

local function segment_end(n) return n * SEGMENT_STEPS + SEGMENT_STEPS - 1 end

local function is_marker(member) return string.byte(member, 1) == 35 end

local function segment_group(index_key, n)
  local ids, marker = {}, false
  for _, member in ipairs(redis.call('ZRANGE', index_key, fmt(n * SEGMENT_STEPS), fmt(segment_end(n)), 'BYSCORE')) do
    if is_marker(member) then marker = true else ids[#ids + 1] = tonumber(member) end
  end
  return ids, marker
end

local function next_segment(index_key, from_score, desc)
  local entry
  if desc then entry = redis.call('ZRANGE', index_key, from_score, '-inf', 'BYSCORE', 'REV', 'LIMIT', 0, 1, 'WITHSCORES')
  else entry = redis.call('ZRANGE', index_key, from_score, '+inf', 'BYSCORE', 'LIMIT', 0, 1, 'WITHSCORES') end
  if not entry[2] then return nil end
  return math.floor(tonumber(entry[2]) / SEGMENT_STEPS)
end

local function segment_ids(offsets, into)
  for id in pairs(offsets) do into[#into + 1] = tonumber(id) end
end

local function visit_steps(index_key, app_prefix, lo, hi, desc, visit, cache)
  local n
  if desc then n = next_segment(index_key, hi == math.huge and '+inf' or fmt(segment_end(math.floor(hi / SEGMENT_STEPS))), true)
  else n = next_segment(index_key, fmt(math.floor(math.max(lo, 0) / SEGMENT_STEPS) * SEGMENT_STEPS), false) end
  while n do
    if desc and segment_end(n) < lo then return false end
    if not desc and n * SEGMENT_STEPS > hi then return false end
    local group, marker = segment_group(index_key, n)
    if marker then
      local segment, field = packed_segment(app_prefix, n * SEGMENT_STEPS, cache)
      if segment then segment_ids(cached_offsets(segment, field, cache), group) end
    end
    if desc then table.sort(group, function(a, b) return a > b end) else table.sort(group) end
    for _, seq in ipairs(group) do
      if seq >= lo and seq <= hi and not visit(fmt(seq)) then return true end
    end
    if desc then
      if n == 0 then return false end
      n = next_segment(index_key, fmt(n * SEGMENT_STEPS - 1), true)
    else
      n = next_segment(index_key, fmt(segment_end(n) + 1), false)
    end
  end
  return false
end
`;

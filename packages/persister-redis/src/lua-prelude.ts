import { APP_DELTAS_SUFFIX, APP_STEPS_SUFFIX, APP_UNINDEXED_SUFFIX, PARTITION_EXPIRING_SUFFIX } from './keys.js';
import { LUA_PACKED } from './lua-packed.js';

/** Sequence ids one call checks for steps missing from an app's index (see {@link LUA_PRELUDE}'s `adopt_chunk`). */
export const ADOPT_CHUNK = 2000;

/**
 * Lua helpers the scripts share, pasted in front of each one. Key names they
 * build come from keys.ts (the suffixes below), so the layout is defined once.
 *
 * - `fmt(n)`: a sequence id or score as decimal text. Lua's own `..` writes
 *   numbers past 10^14 in exponent form, which no key uses.
 * - `bytes_less(a, b)`: byte-wise `a < b`. Lua's `<` follows the server's
 *   collation locale (Redis calls `setlocale(LC_COLLATE, "")`); sorted sets
 *   order members byte-wise.
 * - `iso_micros(text)`: a stored `created_at` (ISO 8601 in UTC, as we and
 *   Python Burr write it, with or without a fraction) as
 *   `YYYY-MM-DDTHH:MM:SS.ffffff`, so times compare byte-wise; `nil` for any
 *   other form or zone.
 * - `unindexed_top(...)`: the highest sequence id at or below which an app may
 *   have step hashes missing from its index (steps Python Burr wrote, or we
 *   wrote before the index existed), or -1 when the index is complete. That is
 *   the app's marker, or its latest sequence id (Python's set) when that step
 *   exists but is not in the index: an app only Python wrote, or one Python
 *   saved after us (a rewind included). Its last argument, when given, is that set's score for the app
 *   (false for none), read by the caller already.
 * - `adopt_chunk(...)`: indexes the steps among the next {@link ADOPT_CHUNK}
 *   sequence ids down from that top (EXISTS on each), then stores where to go
 *   on in the marker (deleted when done). Returns the new top, -1 when done.
 * - `keep_alive(key, ttl_ms, existed)`: for a save with a TTL, a new key
 *   expires in `ttl_ms`, an expiring key is pushed to at least `ttl_ms`, a
 *   key that existed without expiry stays so (a writer without TTL shares it).
 * - `walk(key, asc, start, visit)`: calls `visit(member, score)` from rank
 *   `start` on, in ascending or descending order, until it returns false
 *   (then `walk` returns true) or the set ends (false).
 * - `seek(key, asc, score, member)`: the rank, in that order, of the first
 *   element after (score, member), which need not be in the set any more:
 *   ZCOUNT bounds the members at that score, a binary search places the member
 *   among them. O(log² n).
 * - `app_alive(partition_prefix, app_id, latest)`: whether the app's latest
 *   step is stored (`latest` from Python's set; nil when absent).
 * - packed deltas (`segment_field`, `packed_step`...): see {@link LUA_PACKED}.
 * - `step_position(app_prefix, id[, cache])`, `step_stored(...)`,
 *   `step_fields(...)`: a step's position; whether it is stored; its
 *   `{position, status, created_at, base_sequence_id, base_position}` (nil
 *   when not stored): from its hash, else from its packed record (base
 *   position false when the base is the step before; `packed` true).
 * - `stored_state(app_prefix, id, want_state[, cache])`: a step's state
 *   length in bytes, whether it is a delta's (packed, or in the app's hash of
 *   delta states, where its head is not counted), and with `want_state` the
 *   state itself; a snapshot's length is read without copying its state.
 * - Deltas stored before packing: a step hash of `position`, `status` and
 *   `created_at`, and an entry under the sequence id in the app's hash of
 *   delta states: a head, the JSON array `[position, base sequence id, base
 *   position]`, or only `[position]` when the base is the step before (a
 *   sequence id holds one step in this layout, so that names it), a newline,
 *   then the state. An entry starting with `{` is a state without head
 *   (written before heads; its base is in the step hash). Still read.
 * - `delta_base(app_prefix, id, fields[, before_position[, cache]])`: the
 *   base (sequence id, position) of a step, or nil for a snapshot: from
 *   `fields` (its hash's `base_sequence_id` and `base_position`), else from
 *   the head of its entry in the app's hash of delta states, else from its
 *   packed record; a base on the step before takes `before_position` when
 *   the caller read it, else that step's position.
 * - `forget_app(...)`: removes an app whose latest step is gone from the
 *   partition's sets, unless its index or marker shows steps may remain.
 */
export const LUA_PRELUDE = `
local ADOPT_CHUNK = ${ADOPT_CHUNK}
local STEPS_SUFFIX, UNINDEXED_SUFFIX, DELTAS_SUFFIX = '${APP_STEPS_SUFFIX}', '${APP_UNINDEXED_SUFFIX}', '${APP_DELTAS_SUFFIX}'
local EXPIRING_SUFFIX = '${PARTITION_EXPIRING_SUFFIX}'

local function fmt(n) return string.format('%d', n) end
${LUA_PACKED}
local function step_position(app_prefix, id, cache)
  local position = redis.call('HGET', app_prefix .. id, 'position')
  if position then return position end
  local packed = packed_step(app_prefix, id, cache)
  return packed and packed.position or false
end

local function step_stored(app_prefix, id, cache)
  return redis.call('EXISTS', app_prefix .. id) == 1 or packed_step(app_prefix, id, cache) ~= nil
end

local function step_fields(app_prefix, id, cache)
  local row = redis.call('HMGET', app_prefix .. id, 'position', 'status', 'created_at', 'base_sequence_id', 'base_position')
  if row[1] or row[2] or row[3] then return row end
  local packed = packed_step(app_prefix, id, cache)
  if packed then return {packed.position, packed.status, packed.created_at, packed.base_id, packed.base_position, packed = true} end
  if redis.call('EXISTS', app_prefix .. id) == 1 then return row end
  return nil
end

-- Where the head of a delta's entry ends (its newline), or nil for an entry without head (or a broken one: a load
-- then reports that entry as corrupt).
local function delta_head_end(entry)
  if string.byte(entry, 1) ~= 91 then return nil end
  return string.find(entry, '\\n', 1, true)
end

local function delta_base(app_prefix, id, fields, before_position, cache)
  if fields[1] then return fields[1], fields[2] or before_position or step_position(app_prefix, fields[1], cache) end
  local entry = redis.call('HGET', app_prefix .. DELTAS_SUFFIX, id)
  if not entry then
    local packed = packed_step(app_prefix, id, cache)
    if not packed or not packed.base_id then return nil, nil end
    return packed.base_id, packed.base_position or before_position or step_position(app_prefix, packed.base_id, cache)
  end
  local head_end = delta_head_end(entry)
  if not head_end then return nil, nil end
  local ok, head = pcall(cjson.decode, string.sub(entry, 1, head_end - 1))
  if not ok or type(head) ~= 'table' or type(head[1]) ~= 'string' then return nil, nil end
  if head[2] ~= nil then return string.format('%d', head[2]), head[3] end
  local before = string.format('%d', tonumber(id) - 1)
  return before, before_position or step_position(app_prefix, before, cache)
end

local function stored_state(app_prefix, id, want_state, cache)
  if want_state then
    local state = redis.call('HGET', app_prefix .. id, 'state')
    if state then return #state, false, state end
  else
    local bytes = redis.call('HSTRLEN', app_prefix .. id, 'state')
    if bytes > 0 then return bytes, false, nil end
  end
  local entry = redis.call('HGET', app_prefix .. DELTAS_SUFFIX, id)
  if not entry then
    local packed = packed_step(app_prefix, id, cache)
    if not packed then return 0, false, false end
    return packed.state_to - packed.state_from + 1, true, want_state and string.sub(packed.segment, packed.state_from, packed.state_to) or nil
  end
  local start = (delta_head_end(entry) or 0) + 1
  return #entry - start + 1, true, want_state and string.sub(entry, start) or nil
end

local function bytes_less(a, b)
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function iso_micros(text)
  local date, clock, rest = string.match(text, '^(%d%d%d%d%-%d%d%-%d%d)[T ](%d%d:%d%d:%d%d)(.*)$')
  if not date then return nil end
  local fraction, zone = string.match(rest, '^%.(%d+)(.*)$')
  if not fraction then fraction, zone = '', rest end
  if zone ~= '' and zone ~= 'Z' and zone ~= '+00:00' then return nil end
  return date .. 'T' .. clock .. '.' .. string.sub(fraction .. '000000', 1, 6)
end

local function unindexed_top(index_key, marker_key, apps_key, app_id, app_prefix, latest)
  local marker = redis.call('GET', marker_key)
  local top = marker and tonumber(marker) or -1
  if latest == nil then latest = redis.call('ZSCORE', apps_key, app_id) end
  if latest then
    local n = tonumber(latest)
    local id = fmt(n)
    if n > top and not redis.call('ZRANK', index_key, id) and redis.call('EXISTS', app_prefix .. id) == 1 then top = n end
  end
  return top
end

local function adopt_chunk(index_key, marker_key, app_prefix, top)
  local low = math.max(0, top - ADOPT_CHUNK + 1)
  for seq = top, low, -1 do
    local id = fmt(seq)
    if redis.call('EXISTS', app_prefix .. id) == 1 then redis.call('ZADD', index_key, id, id) end
  end
  if low == 0 then
    redis.call('DEL', marker_key)
    return -1
  end
  redis.call('SET', marker_key, fmt(low - 1))
  return low - 1
end

local function keep_alive(key, ttl_ms, existed)
  if existed == 1 then
    local left = redis.call('PTTL', key)
    if left < 0 or left >= ttl_ms then return end
  end
  redis.call('PEXPIRE', key, ttl_ms)
end

local function walk(key, asc, start, visit)
  local rank = start
  while true do
    local batch
    if asc then batch = redis.call('ZRANGE', key, rank, rank + 99, 'WITHSCORES')
    else batch = redis.call('ZRANGE', key, rank, rank + 99, 'REV', 'WITHSCORES') end
    if #batch == 0 then return false end
    for i = 1, #batch, 2 do
      if not visit(batch[i], batch[i + 1]) then return true end
    end
    rank = rank + #batch / 2
  end
end

local function seek(key, asc, score, member)
  local lo, hi
  if asc then
    lo = redis.call('ZCOUNT', key, '-inf', '(' .. score)
    hi = redis.call('ZCOUNT', key, '-inf', score)
  else
    lo = redis.call('ZCOUNT', key, '(' .. score, '+inf')
    hi = redis.call('ZCOUNT', key, score, '+inf')
  end
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    local past
    if asc then past = bytes_less(member, redis.call('ZRANGE', key, mid, mid)[1])
    else past = bytes_less(redis.call('ZRANGE', key, mid, mid, 'REV')[1], member) end
    if past then hi = mid else lo = mid + 1 end
  end
  return lo
end

local function app_alive(partition_prefix, app_id, latest)
  return latest ~= false and latest ~= nil and step_stored(partition_prefix .. app_id .. ':', latest)
end

local function forget_app(partition_prefix, app_id, apps_key, saves_key, saved_at_key)
  local app_prefix = partition_prefix .. app_id .. ':'
  if redis.call('EXISTS', app_prefix .. STEPS_SUFFIX, app_prefix .. UNINDEXED_SUFFIX) > 0 then return end
  redis.call('ZREM', apps_key, app_id)
  redis.call('ZREM', saves_key, app_id)
  redis.call('HDEL', saved_at_key, app_id)
end
`;

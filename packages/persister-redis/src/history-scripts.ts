import { withPrelude } from './scripts.js';

/**
 * One page of an app's steps, from its index: ZRANGE BYSCORE with LIMIT, then
 * each step's key fields and state length (the state with ARGV[7] '1') from
 * its hash, or from its record when it is a packed delta. Index entries whose
 * step is gone (expired) are dropped as met, and the page is filled from
 * further on.
 * While steps saved without the index remain unchecked, the call indexes one
 * chunk of them and returns {0}: call again. Otherwise returns {1, rows},
 * each row {sequence id, position, status, created_at, state bytes, 1 for a
 * delta of incremental storage (its hash names a base, or it has an entry in
 * the app's hash of delta states) else 0[, state]}.
 * KEYS: the app's index, its unindexed marker, apps by sequence id.
 * ARGV: app key prefix, app id, '1' newest first, lower and upper score bound
 * (ZRANGE syntax: `-inf`, `+inf` or `(n`), limit, '1' with state, '1' for
 * the incremental layout (whose index holds segments of packed deltas: see
 * `visit_steps`).
 */
export const FIND_STEPS = withPrelude(`
local top = unindexed_top(KEYS[1], KEYS[2], KEYS[3], ARGV[2], ARGV[1])
if top >= 0 and adopt_chunk(KEYS[1], KEYS[2], ARGV[1], top) >= 0 then return {0} end
local newest, lo, hi, limit = ARGV[3] == '1', ARGV[4], ARGV[5], tonumber(ARGV[6])
local rows, segments = {}, {}
local function add(id, fields)
  local bytes, in_deltas, state = stored_state(ARGV[1], id, ARGV[7] == '1', segments)
  local row = {id, fields[1], fields[2], fields[3], bytes, (fields[4] or in_deltas) and 1 or 0}
  if ARGV[7] == '1' then row[7] = state end
  rows[#rows + 1] = row
end
if ARGV[8] == '1' then
  -- Incremental layout: packed deltas are found through their segments' entries (see visit_steps).
  local function bound(text, lower)
    if text == '-inf' then return -1 elseif text == '+inf' then return math.huge end
    local exclusive = string.byte(text, 1) == 40
    local n = tonumber(exclusive and string.sub(text, 2) or text)
    if exclusive then n = lower and n + 1 or n - 1 end
    return n
  end
  visit_steps(KEYS[1], ARGV[1], bound(lo, true), bound(hi, false), newest, function(id)
    local fields = step_fields(ARGV[1], id, segments)
    if fields then add(id, fields) end
    return #rows < limit
  end, segments)
  return {1, rows}
end
while #rows < limit do
  local want = limit - #rows
  local ids
  if newest then ids = redis.call('ZRANGE', KEYS[1], hi, lo, 'BYSCORE', 'REV', 'LIMIT', 0, want)
  else ids = redis.call('ZRANGE', KEYS[1], lo, hi, 'BYSCORE', 'LIMIT', 0, want) end
  for _, id in ipairs(ids) do
    local fields = step_fields(ARGV[1], id, segments)
    if not fields then redis.call('ZREM', KEYS[1], id) else add(id, fields) end
  end
  if #ids < want then break end
  if newest then hi = '(' .. ids[#ids] else lo = '(' .. ids[#ids] end
end
return {1, rows}
`);

/**
 * A partition's apps, most recently saved first: first ours, from apps_by_save
 * (descending score, ties by descending app id, as ZRANGE REV orders them),
 * then apps only Python Burr wrote, from its set (by latest sequence id, the
 * same ties), skipping those already listed. An app whose latest step hash is
 * gone (expired) is skipped, and dropped from the sets when nothing of it is
 * left. The summary comes from the latest step hash (Python's score); the
 * save time from our saved_at hash, or the latest step's created_at when that
 * is later (Python saved after us).
 * With limit 0, returns every live app id; otherwise up to limit rows
 * {app id, latest sequence id, position, status, saved at, phase, score},
 * phase 'save' or 'seq' naming the set the score is from.
 * KEYS: apps by save time, apps by sequence id, saved_at hash.
 * ARGV: partition key prefix, limit, phase of the cursor ('save' or 'seq'),
 * cursor score ('' for the first page), cursor app id.
 */
export const FIND_APPS = withPrelude(`
local partition_prefix, limit = ARGV[1], tonumber(ARGV[2])
local ids_only = limit == 0
local rows, gone = {}, {}
local function add(app_id, latest, phase, score)
  if ids_only then
    rows[#rows + 1] = app_id
    return
  end
  local fields = step_fields(partition_prefix .. app_id .. ':', latest) or {false, false, false}
  local saved_at = redis.call('HGET', KEYS[3], app_id)
  if fields[3] and (not saved_at or bytes_less(iso_micros(saved_at) or '', iso_micros(fields[3]) or '')) then saved_at = fields[3] end
  rows[#rows + 1] = {app_id, latest, fields[1], fields[2], saved_at or false, phase, score}
end
local function room() return ids_only or #rows < limit end
local function visit_saves(app_id, score)
  local latest = redis.call('ZSCORE', KEYS[2], app_id)
  if app_alive(partition_prefix, app_id, latest) then add(app_id, latest, 'save', score) else gone[#gone + 1] = app_id end
  return room()
end
local function visit_python_only(app_id, score)
  if redis.call('ZSCORE', KEYS[1], app_id) then return true end
  if app_alive(partition_prefix, app_id, score) then add(app_id, score, 'seq', score) else gone[#gone + 1] = app_id end
  return room()
end
local phase, start = ARGV[3], 0
if ARGV[4] ~= '' then
  local key = KEYS[2]
  if phase == 'save' then key = KEYS[1] end
  start = seek(key, false, ARGV[4], ARGV[5])
end
local full = false
if phase == 'save' then
  full = walk(KEYS[1], false, start, visit_saves)
  start = 0
end
if not full then walk(KEYS[2], false, start, visit_python_only) end
for _, app_id in ipairs(gone) do forget_app(partition_prefix, app_id, KEYS[2], KEYS[1], KEYS[3]) end
return rows
`);

/**
 * A stretch of a scan over one partition's apps, in a stable order: Python's
 * set (every app: ours are added to both sets by the save script) by
 * ascending latest sequence id, then members of apps_by_save missing from it.
 * Scores only grow, so an app that saves during the scan moves forward and is
 * met again rather than missed. Stops at limit apps or after examining
 * `budget` members; returns {apps} when the partition is done, else {apps,
 * phase, score, member} to resume after.
 * KEYS: apps by sequence id, apps by save time.
 * ARGV: phase ('apps' or 'saves'), score and member to resume after ('' to
 * start the phase), limit, budget.
 */
export const SCAN_PARTITION = withPrelude(`
local limit, budget = tonumber(ARGV[4]), tonumber(ARGV[5])
local found, examined, last_score, last_member = {}, 0, '', ''
local function visitor(other)
  return function(app_id, score)
    examined = examined + 1
    last_score, last_member = score, app_id
    if not other or not redis.call('ZSCORE', other, app_id) then found[#found + 1] = app_id end
    return #found < limit and examined < budget
  end
end
local resuming = ARGV[2] ~= ''
if ARGV[1] == 'apps' then
  local start = 0
  if resuming then start = seek(KEYS[1], true, ARGV[2], ARGV[3]) end
  if walk(KEYS[1], true, start, visitor(nil)) then return {found, 'apps', last_score, last_member} end
  resuming = false
end
local start = 0
if resuming then start = seek(KEYS[2], true, ARGV[2], ARGV[3]) end
if walk(KEYS[2], true, start, visitor(KEYS[1])) then return {found, 'saves', last_score, last_member} end
return {found}
`);

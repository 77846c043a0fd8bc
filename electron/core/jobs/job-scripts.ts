import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { JOB_STATES, JOB_TYPES } from "../../../shared/job";
import { SUMMARY_FIELDS } from "./job-codec";

/*
 * Every write to a job is one Lua script: the checks, then the write, the TTL refresh of the
 * hash and its indexes, and the change event, atomically or not at all (Lua does not roll
 * back, so every check comes before the first write). Errors come back as "<CODE> <message>"
 * so the store can map them to AppError codes.
 *
 * As in BullMQ, a script touches only the keys it is given in KEYS (never a name built inside
 * the script), so the store works on a Redis Cluster when its keys share a hash tag. The
 * index keys depend on the record's teamId/userId: the store reads them first (ownerScript)
 * and the writing script checks that they still hold before it writes.
 *
 * A team's secondary indexes come as a block of KEYS, in this order (teamIndexBlock in the
 * store): the team index, its unindexed set, one state index per JOB_STATES entry, one type
 * index per JOB_TYPES entry, the resource map (a hash: job id -> resourceId), then the
 * expiry set (job id -> when its record expires, ms: written wherever a record's TTL is set
 * or refreshed, with the record's own expiry time, so a listing can take expired ids out of
 * every index without reading pages: pruneExpiredScript).
 * Every member of the team index is in exactly one of the unindexed set and the state
 * indexes once indexed; a member in none of them is one the backfill has not reached (or the
 * web app's, added since): the store files it (fileScript) when a count shows one is missing.
 * A member of a state index is also in its type and resource index and in the resource map,
 * which names that resource index once the record is gone: an id leaves all of them at once.
 * So is a web-app record of the unindexed set (its type and resourceId never change; only
 * its state does): a listing filtered by type or resource reads only the unindexed members
 * in that index, and those the map does not name (malformed ones, or parked: never filed).
 * The resource index is the one key a script cannot know from the block: the store reads the
 * map first and passes the resource keys with their ids in ARGV, and the script leaves an id
 * whose map entry names a resource it was not given (forgetResource).
 */

/**
 * The layout of the secondary indexes. A team whose version marker holds another value (or
 * none: jobs written before the indexes existed) is indexed again from its team index.
 */
export const INDEX_VERSION = "4";

/** A team's block in KEYS: its team index at the script's `b`, unindexed, the state and type indexes, the resource map, the expiry set. */
export const TEAM_BLOCK_LENGTH = 4 + JOB_STATES.length + JOB_TYPES.length;

/**
 * Lua (after CHECK_INDEXES): the state of a hash record (the Lua side of jobStateOf in
 * shared/job.ts: a FAILED record whose cancel was requested, "true" in the hash, is
 * CANCELLED) and the team block helpers: its layout, the state index of a state, whether an
 * id is filed (in a state index or the unindexed set), filing it under one state, type and
 * resource, and taking it out of its resource index through the resource map.
 */
const TEAM_BLOCK = `
local STATES = {${JOB_STATES.map((state) => `'${state}'`).join(", ")}}
local STATE_SLOT = {}
for i, name in ipairs(STATES) do STATE_SLOT[name] = i end
local TYPE_COUNT = ${JOB_TYPES.length}
local function mapSlot(b) return b + 2 + #STATES + TYPE_COUNT end
local function expirySlot(b) return mapSlot(b) + 1 end
local function badBlock(b) return badKeys(b, expirySlot(b), mapSlot(b)) end
-- Redis's clock in ms (TIME: the same clock as the keys' TTLs). Effects replication, so a
-- script may write after reading it (always so from Redis 7; asked for before that).
if redis.replicate_commands then redis.replicate_commands() end
local function nowMs()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
-- When the record at key expires (ms since the epoch); -1: it has no TTL, -2: it is gone.
local function expiresAt(key)
  local at = redis.pcall('PEXPIRETIME', key) -- Redis 7; before that TIME + PTTL
  if type(at) == 'number' then return at end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then return ttl end
  return nowMs() + ttl
end
-- Writes when the record of id (at jobKey) expires in the block's expiry set (none: no TTL).
local function noteExpiry(b, id, jobKey, ttl)
  local at = expiresAt(jobKey)
  if at == -1 then
    redis.call('ZREM', KEYS[expirySlot(b)], id)
    return
  end
  if at < 0 then at = nowMs() end -- gone already: due at once
  redis.call('ZADD', KEYS[expirySlot(b)], string.format('%.0f', at), id)
  redis.call('EXPIRE', KEYS[expirySlot(b)], ttl)
end
local function stateOf(status, cancelRequested)
  if status == 'FAILED' and cancelRequested == 'true' then return 'CANCELLED' end
  return status
end
local function stateKey(b, state) return KEYS[b + 1 + STATE_SLOT[state]] end
local function isFiled(b, id)
  for i = b + 1, b + 1 + #STATES do
    if redis.call('ZSCORE', KEYS[i], id) then return true end
  end
  return false
end
local function unfile(b, id)
  for i = b + 1, b + 1 + #STATES do redis.call('ZREM', KEYS[i], id) end
end
-- Out of the unindexed set, every state and type index and the expiry set (not the team index, not the map).
local function unfileAll(b, id)
  for i = b + 1, mapSlot(b) - 1 do redis.call('ZREM', KEYS[i], id) end
  redis.call('ZREM', KEYS[expirySlot(b)], id)
end
local function fileAs(b, id, score, state, ttl, typeKey, resourceKey, resourceId)
  unfile(b, id)
  for _, key in ipairs({stateKey(b, state), typeKey, resourceKey}) do
    redis.call('ZADD', key, score, id)
    redis.call('EXPIRE', key, ttl)
  end
  redis.call('HSET', KEYS[mapSlot(b)], id, resourceId)
  redis.call('EXPIRE', KEYS[mapSlot(b)], ttl)
end
-- The resource indexes a script was given: KEYS[firstKey + i] is the index of ARGV[firstArg + i].
local RESOURCE_KEY = {}
local function givenResources(firstKey, firstArg, count)
  for i = 0, count - 1 do RESOURCE_KEY[ARGV[firstArg + i]] = KEYS[firstKey + i] end
end
-- The resource the map names for id when its index was not given (nil: none named, or given).
local function unknownResource(b, id)
  local resourceId = redis.call('HGET', KEYS[mapSlot(b)], id)
  if resourceId and not RESOURCE_KEY[resourceId] then return resourceId end
  return nil
end
-- Takes id out of the resource index the map names (given: check unknownResource first) and out of the map.
local function forgetResource(b, id)
  local resourceId = redis.call('HGET', KEYS[mapSlot(b)], id)
  if not resourceId then return end
  redis.call('ZREM', RESOURCE_KEY[resourceId], id)
  redis.call('HDEL', KEYS[mapSlot(b)], id)
end
`;

/** Lua: the teamId and userId of a hash record or of a web-app JSON record (else nil). */
const READ_OWNER = `
local function readOwner(key)
  local kind = redis.call('TYPE', key).ok
  local teamId, userId
  if kind == 'hash' then
    local meta = redis.call('HMGET', key, 'teamId', 'userId')
    teamId, userId = meta[1], meta[2]
  elseif kind == 'string' then
    local ok, record = pcall(cjson.decode, redis.call('GET', key))
    if ok and type(record) == 'table' then teamId, userId = record.teamId, record.userId end
  end
  if type(teamId) ~= 'string' then teamId = nil end
  if type(userId) ~= 'string' then userId = nil end
  return kind, teamId, userId
end
`;

/**
 * Lua: an error reply when an index key holds something other than a sorted set (checked
 * before the first write: a ZADD or ZREM that fails half-way is not rolled back).
 */
const CHECK_INDEXES = `
local function badIndex(first, last)
  for i = first, last do
    local kind = redis.call('TYPE', KEYS[i]).ok
    if kind ~= 'zset' and kind ~= 'none' then
      return redis.error_reply('MALFORMED_RECORD ' .. KEYS[i] .. ' holds a ' .. kind .. ', not a job index: nothing was written')
    end
  end
  return nil
end
local function badMap(i)
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind ~= 'hash' and kind ~= 'none' then
    return redis.error_reply('MALFORMED_RECORD ' .. KEYS[i] .. ' holds a ' .. kind .. ', not a resource map: nothing was written')
  end
  return nil
end
-- KEYS[first..last] are sorted sets but for the resource map at KEYS[map] (0 = none).
local function badKeys(first, last, map)
  if map < first or map > last then return badIndex(first, last) end
  return badIndex(first, map - 1) or badMap(map) or badIndex(map + 1, last)
end
`;

/** A team's audit trail keeps this many entries, the newest. */
export const AUDIT_TRAIL_LENGTH = 1000;

/**
 * Lua: the audit trail at KEYS[i] must be a list (checked before the first write), then
 * the entry goes on its head, the oldest beyond AUDIT_TRAIL_LENGTH drop, and its TTL is
 * refreshed like the indexes'.
 */
const AUDIT = `
local function badAudit(i)
  local kind = redis.call('TYPE', KEYS[i]).ok
  if kind ~= 'list' and kind ~= 'none' then
    return redis.error_reply('MALFORMED_RECORD ' .. KEYS[i] .. ' holds a ' .. kind .. ', not an audit trail: nothing was written')
  end
  return nil
end
local function audit(i, entry, ttl)
  redis.call('LPUSH', KEYS[i], entry)
  redis.call('LTRIM', KEYS[i], 0, ${AUDIT_TRAIL_LENGTH - 1})
  redis.call('EXPIRE', KEYS[i], ttl)
end
`;

const SUMMARY_FIELD_LIST = SUMMARY_FIELDS.map((name) => `'${name}'`).join(", ");

/**
 * Lua: the fingerprint of a hash record's summary fields, as recordFingerprint computes it
 * in Node: the store decodes the record first and the write goes ahead only if the record
 * is still the one that decoded.
 */
const FINGERPRINT = `
local function fingerprint(key)
  local values = redis.call('HMGET', key, ${SUMMARY_FIELD_LIST})
  local parts = {}
  for i = 1, #values do
    local v = values[i]
    if v then parts[i] = '+' .. #v .. ':' .. v else parts[i] = '-' end
  end
  return redis.sha1hex(table.concat(parts))
end
`;

/** Node side of FINGERPRINT, over the values the summaries script returns (null = missing). */
export function recordFingerprint(values: readonly (string | null)[]): string {
  const text = values.map((value) => (value === null ? "-" : `+${Buffer.byteLength(value, "utf8")}:${value}`)).join("");
  return createHash("sha1").update(text, "utf8").digest("hex");
}

/**
 * KEYS: job. Returns {type of the key, teamId or false, userId or false, resourceId or
 * false, resourceName or false} (the resource for the audit trail and its resource index
 * entry; the team block holds every type index).
 */
const ownerScript = `${READ_OWNER}
local kind, teamId, userId = readOwner(KEYS[1])
local resourceId, resourceName
if kind == 'hash' then
  local meta = redis.call('HMGET', KEYS[1], 'resourceId', 'resourceName')
  resourceId, resourceName = meta[1], meta[2]
elseif kind == 'string' then
  local ok, record = pcall(cjson.decode, redis.call('GET', KEYS[1]))
  if ok and type(record) == 'table' then resourceId, resourceName = record.resourceId, record.resourceName end
end
if type(resourceId) ~= 'string' then resourceId = false end
if type(resourceName) ~= 'string' then resourceName = false end
return {kind, teamId or false, userId or false, resourceId, resourceName}
`;

/**
 * KEYS: job, userIndex, auditTrail, the team block (team index, unindexed, state indexes),
 * type index, resource index, the team's index version marker (set when the team index is
 * new, as there is nothing older to index; else its TTL is refreshed).
 * ARGV: ttl, scoreMs, id, channel, event, audit entry, field, value, ...
 */
const createScript = `${CHECK_INDEXES}${AUDIT}${TEAM_BLOCK}
local TEAM = 4
local TYPE_INDEX, RESOURCE_INDEX, VERSION = TEAM + ${TEAM_BLOCK_LENGTH}, TEAM + ${TEAM_BLOCK_LENGTH + 1}, TEAM + ${TEAM_BLOCK_LENGTH + 2}
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('CONFLICT a job with this id exists already')
end
local bad = badBlock(TEAM) or badIndex(2, 2) or badIndex(TYPE_INDEX, RESOURCE_INDEX) or badAudit(3)
if bad then return bad end
local fields = {}
local status, cancelRequested, resourceId
for i = 7, #ARGV, 2 do
  fields[#fields + 1] = ARGV[i]
  fields[#fields + 1] = ARGV[i + 1]
  if ARGV[i] == 'status' then status = ARGV[i + 1] end
  if ARGV[i] == 'cancelRequested' then cancelRequested = ARGV[i + 1] end
  if ARGV[i] == 'resourceId' then resourceId = ARGV[i + 1] end
end
local state = stateOf(status, cancelRequested)
if not STATE_SLOT[state] then return redis.error_reply('BAD_INPUT a new job needs a known status') end
if not resourceId then return redis.error_reply('BAD_INPUT a new job needs a resourceId') end
local ttl, score, id = tonumber(ARGV[1]), ARGV[2], ARGV[3]
if redis.call('EXISTS', KEYS[TEAM]) == 0 then
  redis.call('SET', KEYS[VERSION], '${INDEX_VERSION}', 'EX', ttl)
else
  redis.call('EXPIRE', KEYS[VERSION], ttl)
end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[TEAM], score, id)
redis.call('EXPIRE', KEYS[TEAM], ttl)
redis.call('ZADD', KEYS[2], score, id)
redis.call('EXPIRE', KEYS[2], ttl)
fileAs(TEAM, id, score, state, ttl, KEYS[TYPE_INDEX], KEYS[RESOURCE_INDEX], resourceId)
noteExpiry(TEAM, id, KEYS[1], ttl)
audit(3, ARGV[6], ttl)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`;

/**
 * Conditional status change; the job moves to the state index of its new state, and the
 * TTLs of the record, its indexes and the team's version marker are refreshed together.
 * KEYS: job, userIndex, auditTrail, the team block, type index, resource index, the team's
 * index version marker (all absent when the owner read found none), then optionally a
 * result source: a string key whose
 * value becomes `result` and is deleted, so a CSV streamed into Redis never passes through
 * Node in one piece.
 * ARGV: ttl, target status, allowed from-statuses (comma list), updatedAt, channel,
 * expected runId ('' = any), expected teamId, expected userId ('' = none found), number
 * of set pairs N, the fingerprint of the record as it decoded (recordFingerprint), the
 * audit entry ('' = none: a runner's own step), N pairs, then names of fields to delete.
 * Returns the record's previous status.
 */
const transitionScript = `${READ_OWNER}${CHECK_INDEXES}${FINGERPRINT}${AUDIT}${TEAM_BLOCK}
local TEAM = 4
local TYPE_INDEX, RESOURCE_INDEX, VERSION = TEAM + ${TEAM_BLOCK_LENGTH}, TEAM + ${TEAM_BLOCK_LENGTH + 1}, TEAM + ${TEAM_BLOCK_LENGTH + 2}
local RESULT_SOURCE = VERSION + 1
local key = KEYS[1]
local ttl, target, allowed, now, channel, runId = tonumber(ARGV[1]), ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local kind, teamId, userId = readOwner(key)
if kind == 'none' then return redis.error_reply('NOT_FOUND no such job') end
if kind == 'string' then return redis.error_reply("FOREIGN_RECORD this job was created by Papermark's web app and is managed by its runner") end
if kind ~= 'hash' then return redis.error_reply('MALFORMED_RECORD the job key holds a ' .. kind) end
local current = redis.call('HGET', key, 'status')
if not current then return redis.error_reply('MALFORMED_RECORD the job has no status') end
if not teamId or not userId then return redis.error_reply('MALFORMED_RECORD the job has no teamId or userId') end
if teamId ~= ARGV[7] or userId ~= ARGV[8] then return redis.error_reply('CONFLICT the job changed owner while it was being written') end
if fingerprint(key) ~= ARGV[10] then return redis.error_reply('CONFLICT the job changed while it was being written') end
if not STATE_SLOT[target] then return redis.error_reply('BAD_INPUT unknown status ' .. target) end
local entry = ARGV[11]
local bad = badBlock(TEAM) or badIndex(2, 2) or badIndex(TYPE_INDEX, RESOURCE_INDEX) or (entry ~= '' and badAudit(3)) or nil
if bad then return bad end
local ok = false
for s in string.gmatch(allowed, '[^,]+') do if s == current then ok = true end end
if not ok then return redis.error_reply('CONFLICT cannot move a ' .. current .. ' job to ' .. target) end
if runId ~= '' and redis.call('HGET', key, 'runId') ~= runId then
  return redis.error_reply('CONFLICT the job is no longer owned by this run')
end
local n = tonumber(ARGV[9])
local sets = {'status', target, 'updatedAt', now}
for i = 12, 11 + 2 * n do sets[#sets + 1] = ARGV[i] end
if KEYS[RESULT_SOURCE] then
  sets[#sets + 1] = 'result'
  sets[#sets + 1] = redis.call('GET', KEYS[RESULT_SOURCE]) or ''
  redis.call('DEL', KEYS[RESULT_SOURCE])
end
redis.call('HSET', key, unpack(sets))
for i = 12 + 2 * n, #ARGV do redis.call('HDEL', key, ARGV[i]) end
redis.call('EXPIRE', key, ttl)
redis.call('EXPIRE', KEYS[TEAM], ttl)
redis.call('EXPIRE', KEYS[VERSION], ttl)
redis.call('EXPIRE', KEYS[2], ttl)
if entry ~= '' then audit(3, entry, ttl) end
local meta = redis.call('HMGET', key, 'id', 'progress', 'total', 'cancelRequested', 'resourceId')
-- A job the team index no longer lists (pruned) is listed by none of its secondary indexes either.
local score = redis.call('ZSCORE', KEYS[TEAM], meta[1])
if score then
  fileAs(TEAM, meta[1], score, stateOf(target, meta[4]), ttl, KEYS[TYPE_INDEX], KEYS[RESOURCE_INDEX], meta[5])
  noteExpiry(TEAM, meta[1], key, ttl)
else
  unfileAll(TEAM, meta[1])
  redis.call('ZREM', KEYS[RESOURCE_INDEX], meta[1])
  redis.call('HDEL', KEYS[mapSlot(TEAM)], meta[1])
end
local event = {kind = 'updated', id = meta[1], teamId = teamId, userId = userId, status = target, at = now}
if meta[2] then event.progress = tonumber(meta[2]) end
if meta[3] then event.total = tonumber(meta[3]) end
redis.call('PUBLISH', channel, cjson.encode(event))
return current
`;

/**
 * Deletes a hash or JSON (web app) record and its index entries.
 * KEYS: job, then every index that may list it (the team block from KEYS[2] when the owner
 * read found a team, its resource index, the user index: what the owner read found), then
 * the team's auditTrail if ARGV audit entry is not ''.
 * ARGV: id, channel, now, expected teamId, expected userId ('' = none found), ttl, audit
 * entry, 1 if KEYS[2] starts a team block else 0.
 * Returns 1 if deleted, 0 if it did not exist.
 */
const deleteScript = `${READ_OWNER}${CHECK_INDEXES}${AUDIT}${TEAM_BLOCK}
local key = KEYS[1]
local id, channel, now, expectedTeam, expectedUser = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ttl, entry = tonumber(ARGV[6]), ARGV[7]
local map = 0
if ARGV[8] == '1' then map = mapSlot(2) end
local kind, teamId, userId = readOwner(key)
if kind == 'none' then return 0 end
if (teamId or '') ~= expectedTeam or (userId or '') ~= expectedUser then
  return redis.error_reply('CONFLICT the job changed owner while it was being deleted')
end
local lastIndex = #KEYS
if entry ~= '' then lastIndex = lastIndex - 1 end
local bad = badKeys(2, lastIndex, map) or (entry ~= '' and badAudit(#KEYS)) or nil
if bad then return bad end
redis.call('DEL', key)
for i = 2, lastIndex do
  if i ~= map then redis.call('ZREM', KEYS[i], id) end
end
if map > 0 then redis.call('HDEL', KEYS[map], id) end
if entry ~= '' then audit(#KEYS, entry, ttl) end
local event = {kind = 'deleted', id = id, at = now, teamId = teamId or '', userId = userId or ''}
redis.call('PUBLISH', channel, cjson.encode(event))
return 1
`;

/**
 * Summary fields of many jobs in one round trip, whatever their encoding, without `result`.
 * KEYS: M keys to prune (an id whose record expired is removed from all of them: a team
 * block first, or a user index), R resource indexes, then the job key of each id.
 * ARGV: M; 'listed' if KEYS[1] must list an id (one it does not is pruned like an expired
 * one) else ''; 1 if KEYS[1] starts a team block else 0; 1 to report where each id is filed
 * in that block else 0; R; the R resource ids; the ids.
 * Returns one entry per id: {'hash'|'json', filed, field values...} | {'gone'} |
 * {'gone', resourceId} (left as it was: the map names a resource index not given) |
 * {'bad', filed, reason}, where filed is the state whose index in the team block lists the
 * id, 'unindexed', 'several' (more than one of those), or '' (none, or not asked).
 */
const summariesScript = `${CHECK_INDEXES}${TEAM_BLOCK}
local m, listedOnly, block, reportFiled, r = tonumber(ARGV[1]), ARGV[2] == 'listed', ARGV[3] == '1', ARGV[4] == '1', tonumber(ARGV[5])
local map = 0
if block then map = mapSlot(1) end
local bad = badKeys(1, m, map) or badIndex(m + 1, m + r)
if bad then return bad end
givenResources(m + 1, 6, r)
local firstId = 6 + r
local function filedAs(id)
  if not reportFiled then return '' end
  local filed = ''
  if redis.call('ZSCORE', KEYS[2], id) then filed = 'unindexed' end
  for _, state in ipairs(STATES) do
    if redis.call('ZSCORE', stateKey(1, state), id) then
      if filed ~= '' then return 'several' end
      filed = state
    end
  end
  return filed
end
local fields = {${SUMMARY_FIELD_LIST}}
local out = {}
for i = firstId, #ARGV do
  local id = ARGV[i]
  local key = KEYS[m + r + i - firstId + 1]
  local kind = redis.call('TYPE', key).ok
  if kind == 'none' or (listedOnly and not redis.call('ZSCORE', KEYS[1], id)) then
    local unknown = block and unknownResource(1, id)
    if unknown then
      out[#out + 1] = {'gone', unknown}
    else
      for j = 1, m do
        if j ~= map then redis.call('ZREM', KEYS[j], id) end
      end
      if block then forgetResource(1, id) end
      out[#out + 1] = {'gone'}
    end
  elseif kind == 'hash' then
    local values = redis.call('HMGET', key, unpack(fields))
    local row = {'hash', filedAs(id)}
    for j = 1, #fields do row[j + 2] = values[j] end
    out[#out + 1] = row
  elseif kind == 'string' then
    local ok, record = pcall(cjson.decode, redis.call('GET', key))
    if not ok or type(record) ~= 'table' then
      out[#out + 1] = {'bad', filedAs(id), 'the JSON record does not parse'}
    else
      local row = {'json', filedAs(id)}
      local problem = nil
      for j = 1, #fields do
        local v = record[fields[j]]
        if v == nil or v == cjson.null then row[j + 2] = false
        elseif type(v) == 'table' then problem = fields[j] .. ' is not a scalar'; row[j + 2] = false
        else row[j + 2] = tostring(v) end
      end
      if problem then out[#out + 1] = {'bad', filedAs(id), problem} else out[#out + 1] = row end
    end
  else
    out[#out + 1] = {'bad', filedAs(id), 'the job key holds a ' .. kind}
  end
end
return out
`;

/**
 * Moves ids out of a team's secondary indexes (the resource map's entry and the resource
 * index it names too).
 * KEYS: the team block, further sorted sets that list them (a type or resource index), then
 * R resource indexes (what the store read in the map for these ids), then the team's index
 * version marker (its TTL is refreshed with the team index's).
 * ARGV: ttl; 'drop' (out of every key, the team index too: a record of another team),
 * 'unlisted' (the same, for ids the team index no longer lists; one it lists is left) or
 * 'park' (into the unindexed set, which listings read record by record: a record its
 * indexes no longer describe; its expiry entry stays); R; the R resource ids; the ids.
 * An id whose map entry names a resource index not given is left as it was.
 * Returns how many ids it moved.
 */
const unfileScript = `${CHECK_INDEXES}${TEAM_BLOCK}
local ttl, mode, r = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local map, expiry, VERSION = mapSlot(1), expirySlot(1), #KEYS
local last = VERSION - 1
local bad = badBlock(1) or badIndex(expiry + 1, last)
if bad then return bad end
givenResources(last - r + 1, 4, r)
local moved = 0
for i = 4 + r, #ARGV do
  local id = ARGV[i]
  local score = redis.call('ZSCORE', KEYS[1], id)
  if not (mode == 'unlisted' and score) and not unknownResource(1, id) then
    -- Parking keeps the team index's entry (and the unindexed one); one it no longer lists is dropped.
    local keep = mode == 'park' and score
    local from = 1
    if keep then from = 3 end
    for j = from, last do
      if j ~= map and not (keep and j == expiry) then redis.call('ZREM', KEYS[j], id) end
    end
    forgetResource(1, id)
    if keep then
      redis.call('ZADD', KEYS[2], score, id)
      redis.call('EXPIRE', KEYS[2], ttl)
      redis.call('EXPIRE', KEYS[1], ttl)
      redis.call('EXPIRE', KEYS[VERSION], ttl)
    end
    moved = moved + 1
  end
end
return moved
`;

/**
 * Files members of a team index that no secondary index lists yet (the backfill, and the
 * web app's records added since). Each is filed only if the team index still lists it, it
 * is still unfiled and (for an indexed one) its record still reads as the store decoded it.
 * Each one filed gets its entry in the expiry set (when its record expires, read from the
 * record's TTL); the team's version marker is refreshed with the team index.
 * A web-app record is parked (its state changes without us) and filed in its type and
 * resource index and the resource map, if its record still says that type and resource.
 * KEYS: the team block, the team's index version marker, then for each id to index: its job
 * key, type index, resource index; then the same three for each web-app record; then the job
 * key of each other id to park.
 * ARGV: ttl, teamId, N, N × (id, state, type, resourceId), W, W × (id, type, resourceId),
 * then the other ids to park as unindexed (records that do not decode).
 * Returns {indexed, parked}.
 */
const fileScript = `${CHECK_INDEXES}${TEAM_BLOCK}
local ttl, teamId, n = tonumber(ARGV[1]), ARGV[2], tonumber(ARGV[3])
local VERSION = ${TEAM_BLOCK_LENGTH + 1}
local bad = badBlock(1)
if bad then return bad end
for i = 0, n - 1 do
  local at = VERSION + 3 * i
  bad = badIndex(at + 2, at + 3)
  if bad then return bad end
  if not STATE_SLOT[ARGV[4 + 4 * i + 1]] then return redis.error_reply('BAD_INPUT unknown state ' .. ARGV[4 + 4 * i + 1]) end
end
local w = tonumber(ARGV[4 + 4 * n])
local WEB = VERSION + 3 * n
for i = 0, w - 1 do
  bad = badIndex(WEB + 3 * i + 2, WEB + 3 * i + 3)
  if bad then return bad end
end
local indexed, parked = 0, 0
local written = {}
for i = 0, n - 1 do
  local at = VERSION + 3 * i
  local id, state, jobType, resourceId = ARGV[4 + 4 * i], ARGV[5 + 4 * i], ARGV[6 + 4 * i], ARGV[7 + 4 * i]
  local score = redis.call('ZSCORE', KEYS[1], id)
  if score and not isFiled(1, id) and redis.call('TYPE', KEYS[at + 1]).ok == 'hash' then
    local now = redis.call('HMGET', KEYS[at + 1], 'status', 'cancelRequested', 'type', 'resourceId', 'teamId')
    if stateOf(now[1], now[2]) == state and now[3] == jobType and now[4] == resourceId and now[5] == teamId then
      for _, key in ipairs({stateKey(1, state), KEYS[at + 2], KEYS[at + 3]}) do
        redis.call('ZADD', key, score, id)
        written[key] = true
      end
      redis.call('HSET', KEYS[mapSlot(1)], id, resourceId)
      written[KEYS[mapSlot(1)]] = true
      noteExpiry(1, id, KEYS[at + 1], ttl)
      indexed = indexed + 1
    end
  end
end
local function park(id, jobKey)
  local score = redis.call('ZSCORE', KEYS[1], id)
  if not score or isFiled(1, id) then return nil end
  redis.call('ZADD', KEYS[2], score, id)
  written[KEYS[2]] = true
  noteExpiry(1, id, jobKey, ttl)
  parked = parked + 1
  return score
end
for i = 0, w - 1 do
  local at = WEB + 3 * i
  local id, jobType, resourceId = ARGV[5 + 4 * n + 3 * i], ARGV[6 + 4 * n + 3 * i], ARGV[7 + 4 * n + 3 * i]
  local record = nil
  if redis.call('TYPE', KEYS[at + 1]).ok == 'string' then
    local ok, decoded = pcall(cjson.decode, redis.call('GET', KEYS[at + 1]))
    if ok and type(decoded) == 'table' then record = decoded end
  end
  local score = park(id, KEYS[at + 1])
  -- Its type and resource as the store read them (else parked only: read by every listing).
  if score and record and record.type == jobType and record.resourceId == resourceId and record.teamId == teamId then
    for _, key in ipairs({KEYS[at + 2], KEYS[at + 3]}) do
      redis.call('ZADD', key, score, id)
      written[key] = true
    end
    redis.call('HSET', KEYS[mapSlot(1)], id, resourceId)
    written[KEYS[mapSlot(1)]] = true
  end
end
local firstParked = 5 + 4 * n + 3 * w
for i = firstParked, #ARGV do
  park(ARGV[i], KEYS[WEB + 3 * w + i - firstParked + 1])
end
-- The team index outlives the sets that file its members (they are refreshed no later), and its marker lives as long.
if indexed + parked > 0 then
  written[KEYS[1]] = true
  written[KEYS[VERSION]] = true
end
for key in pairs(written) do redis.call('EXPIRE', key, ttl) end
return {indexed, parked}
`;

/**
 * Members of a window of the team index, newest first, that are not filed yet.
 * KEYS: the team block. ARGV: first rank, count. Returns {members read, unfiled ids...}.
 */
const unfiledScript = `${CHECK_INDEXES}${TEAM_BLOCK}
local ids = redis.call('ZREVRANGE', KEYS[1], ARGV[1], tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1)
local out = {#ids}
for _, id in ipairs(ids) do
  if not isFiled(1, id) then out[#out + 1] = id end
end
return out
`;

/**
 * The ids of a team's expiry set whose time has passed (by Redis's clock), at most ARGV[1]
 * of them, oldest first. KEYS: the expiry set. Writes nothing.
 */
const expiredScript = `${CHECK_INDEXES}${TEAM_BLOCK}
local bad = badIndex(1, 1)
if bad then return bad end
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', string.format('%.0f', nowMs()), 'LIMIT', 0, tonumber(ARGV[1]))
`;

/**
 * Takes ids the expiry set says are due out of every index of their team (the team block,
 * the expiry set included, and the resource index the map names), if their record is gone.
 * One whose record is still there (the web app refreshed its TTL without us) gets its new
 * expiry time, or leaves the expiry set if it has no TTL. An id whose map entry names a
 * resource index not given is left as it was (the next listing reads the map again).
 * KEYS: the team block, R resource indexes (what the store read in the map for these ids),
 * then the job key of each id.
 * ARGV: ttl, R, the R resource ids, the ids. Returns how many ids left the indexes.
 */
const pruneExpiredScript = `${CHECK_INDEXES}${TEAM_BLOCK}
local ttl, r = tonumber(ARGV[1]), tonumber(ARGV[2])
local map, expiry = mapSlot(1), expirySlot(1)
local bad = badBlock(1) or badIndex(expiry + 1, expiry + r)
if bad then return bad end
givenResources(expiry + 1, 3, r)
local firstId = 3 + r
local removed = 0
for i = firstId, #ARGV do
  local id = ARGV[i]
  local jobKey = KEYS[expiry + r + i - firstId + 1]
  if redis.call('EXISTS', jobKey) == 1 then
    if redis.call('ZSCORE', KEYS[expiry], id) then noteExpiry(1, id, jobKey, ttl) end
  elseif not unknownResource(1, id) then
    for j = 1, expiry do
      if j ~= map then redis.call('ZREM', KEYS[j], id) end
    end
    forgetResource(1, id)
    removed = removed + 1
  end
end
return removed
`;

/**
 * Deletes a team's secondary keys (before it is indexed again), if every one holds what it
 * should; the team index stays.
 * KEYS: the team block, then resource indexes of the team.
 */
const clearScript = `${CHECK_INDEXES}${TEAM_BLOCK}
local bad = badBlock(1) or badIndex(mapSlot(1) + 1, #KEYS)
if bad then return bad end
for i = 2, #KEYS do redis.call('DEL', KEYS[i]) end
return #KEYS - 1
`;

/**
 * The members of a window of a secondary index (newest first) that the team index no longer
 * lists (the store then moves them out with unfileScript, 'unlisted').
 * KEYS: team index, the secondary index. ARGV: first rank, count.
 * Returns {members read, unlisted ids...}.
 */
const unlistedScript = `
local ids = redis.call('ZREVRANGE', KEYS[2], ARGV[1], tonumber(ARGV[1]) + tonumber(ARGV[2]) - 1)
local out = {#ids}
for _, id in ipairs(ids) do
  if not redis.call('ZSCORE', KEYS[1], id) then out[#out + 1] = id end
end
return out
`;

/**
 * The intersection of indexes, counted and paged without writing: ZINTERCARD counts it
 * (Redis 7; before that the walk counts), the smallest index is walked newest first for the
 * ranks asked (members share their score in every index, so its order is the intersection's).
 * With an excluded set (the unindexed set: the web app's records are in type and resource
 * indexes too), its members are left out of the count and the walk.
 * KEYS: the indexes, then the excluded set if ARGV[3] is '1'. ARGV: first rank, last rank, 1|0.
 * Returns {size of the intersection, id, score, id, score, ...} for the ranks asked.
 */
const intersectScript = `${CHECK_INDEXES}
local bad = badIndex(1, #KEYS)
if bad then return bad end
local first, last = tonumber(ARGV[1]), tonumber(ARGV[2])
local excluded = nil
local n = #KEYS
if ARGV[3] == '1' then excluded = KEYS[n]; n = n - 1 end
-- One index none of whose members is excluded (the usual case): its ranks are the answer.
if n == 1 and excluded then
  local common = redis.pcall('ZINTERCARD', 2, KEYS[1], excluded)
  if common == 0 or redis.call('ZCARD', excluded) == 0 then excluded = nil end
end
if n == 1 and not excluded then
  local out = {redis.call('ZCARD', KEYS[1])}
  for _, value in ipairs(redis.call('ZREVRANGE', KEYS[1], first, last, 'WITHSCORES')) do out[#out + 1] = value end
  return out
end
local smallest, smallestSize = 1, redis.call('ZCARD', KEYS[1])
for i = 2, n do
  local size = redis.call('ZCARD', KEYS[i])
  if size < smallestSize then smallest, smallestSize = i, size end
end
local included = {}
for i = 1, n do included[i] = KEYS[i] end
local counted = redis.pcall('ZINTERCARD', n, unpack(included))
if type(counted) ~= 'number' then counted = nil end
if counted and excluded then
  local both = redis.pcall('ZINTERCARD', n + 1, unpack(KEYS))
  if type(both) == 'number' then counted = counted - both else counted = nil end
end
local out = {0}
local rank = 0
local done = false
local CHUNK = 1000
for start = 0, smallestSize - 1, CHUNK do
  local chunk = redis.call('ZREVRANGE', KEYS[smallest], start, start + CHUNK - 1, 'WITHSCORES')
  for j = 1, #chunk, 2 do
    local id = chunk[j]
    local inAll = not (excluded and redis.call('ZSCORE', excluded, id))
    for i = 1, n do
      if not inAll then break end
      if i ~= smallest and not redis.call('ZSCORE', KEYS[i], id) then inAll = false end
    end
    if inAll then
      if rank >= first then
        out[#out + 1] = id
        out[#out + 1] = chunk[j + 1]
      end
      rank = rank + 1
      if counted and rank > last then done = true; break end
    end
  end
  if done then break end
end
out[1] = counted or rank
return out
`;

/**
 * The members of a team's unindexed set that a listing filtered by type and/or resource must
 * read, newest first, without writing: those in every index of the filter, and those the
 * resource map does not name (malformed records, or parked ones: their type is not vouched for).
 * KEYS: the unindexed set, the resource map, the filter's type and/or resource index.
 * ARGV: at most this many. Returns {id, score, id, score, ...}.
 */
const unindexedMatchesScript = `${CHECK_INDEXES}
local bad = badKeys(1, #KEYS, 2)
if bad then return bad end
local most = tonumber(ARGV[1])
local out = {}
local CHUNK = 1000
local size = redis.call('ZCARD', KEYS[1])
for start = 0, size - 1, CHUNK do
  local chunk = redis.call('ZREVRANGE', KEYS[1], start, start + CHUNK - 1, 'WITHSCORES')
  for j = 1, #chunk, 2 do
    local id = chunk[j]
    local wanted = true
    if redis.call('HEXISTS', KEYS[2], id) == 1 then
      for i = 3, #KEYS do
        if not redis.call('ZSCORE', KEYS[i], id) then wanted = false; break end
      end
    end
    if wanted then
      out[#out + 1] = id
      out[#out + 1] = chunk[j + 1]
      if #out >= 2 * most then return out end
    end
  end
end
return out
`;

/** Command names, prefixed so they cannot clash with other scripts defined on a shared connection. */
const SCRIPTS = {
  exportJobOwner: ownerScript,
  exportJobCreate: createScript,
  exportJobTransition: transitionScript,
  exportJobDelete: deleteScript,
  exportJobSummaries: summariesScript,
  exportJobUnfile: unfileScript,
  exportJobFile: fileScript,
  exportJobUnfiled: unfiledScript,
  exportJobUnlisted: unlistedScript,
  exportJobClearIndexes: clearScript,
  exportJobIntersect: intersectScript,
  exportJobUnindexedMatches: unindexedMatchesScript,
  exportJobExpired: expiredScript,
  exportJobPruneExpired: pruneExpiredScript,
} as const;

type ScriptName = keyof typeof SCRIPTS;
type ScriptCall = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;
export type JobScripts = Record<ScriptName, ScriptCall>;

/**
 * Defines the scripts on the connection with ioredis `defineCommand` (EVALSHA, falling back
 * to EVAL after a restart emptied the script cache) and returns them as functions of
 * (keys, args). The number of keys is passed per call, since some scripts take a list.
 */
export function defineJobScripts(redis: Redis): JobScripts {
  const commands = redis as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>;
  const scripts = {} as JobScripts;
  for (const [name, lua] of Object.entries(SCRIPTS) as [ScriptName, string][]) {
    redis.defineCommand(name, { lua });
    scripts[name] = (keys, args) => commands[name]!.call(redis, keys.length, ...keys, ...args);
  }
  return scripts;
}

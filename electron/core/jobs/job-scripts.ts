import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import { SUMMARY_FIELDS } from "./job-codec";

/*
 * Every write to a job is one Lua script: the checks, then the write, the TTL refresh of the
 * hash and both index sets, and the change event, atomically or not at all (Lua does not roll
 * back, so every check comes before the first write). Errors come back as "<CODE> <message>"
 * so the store can map them to AppError codes.
 *
 * As in BullMQ, a script touches only the keys it is given in KEYS (never a name built inside
 * the script), so the store works on a Redis Cluster when its keys share a hash tag. The
 * index keys depend on the record's teamId/userId: the store reads them first (ownerScript)
 * and the writing script checks that they still hold before it writes.
 */

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
 * false, resourceName or false} (the resource for the audit trail).
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
 * KEYS: job, teamIndex, userIndex, auditTrail.
 * ARGV: ttl, scoreMs, id, channel, event, audit entry, field, value, ...
 */
const createScript = `${CHECK_INDEXES}${AUDIT}
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('CONFLICT a job with this id exists already')
end
local bad = badIndex(2, 3) or badAudit(4)
if bad then return bad end
local fields = {}
for i = 7, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
local ttl = tonumber(ARGV[1])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ttl)
audit(4, ARGV[6], ttl)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`;

/**
 * Conditional status change.
 * KEYS: job, teamIndex, userIndex, auditTrail (all absent when the owner read found
 * none), then optionally a result source: a string key whose value becomes `result` and is
 * deleted, so a CSV streamed into Redis never passes through Node in one piece.
 * ARGV: ttl, target status, allowed from-statuses (comma list), updatedAt, channel,
 * expected runId ('' = any), expected teamId, expected userId ('' = none found), number
 * of set pairs N, the fingerprint of the record as it decoded (recordFingerprint), the
 * audit entry ('' = none: a runner's own step), N pairs, then names of fields to delete.
 * Returns the record's previous status.
 */
const transitionScript = `${READ_OWNER}${CHECK_INDEXES}${FINGERPRINT}${AUDIT}
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
local entry = ARGV[11]
local bad = badIndex(2, 3) or (entry ~= '' and badAudit(4)) or nil
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
if KEYS[5] then
  sets[#sets + 1] = 'result'
  sets[#sets + 1] = redis.call('GET', KEYS[5]) or ''
  redis.call('DEL', KEYS[5])
end
redis.call('HSET', key, unpack(sets))
for i = 12 + 2 * n, #ARGV do redis.call('HDEL', key, ARGV[i]) end
redis.call('EXPIRE', key, ttl)
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('EXPIRE', KEYS[3], ttl)
if entry ~= '' then audit(4, entry, ttl) end
local meta = redis.call('HMGET', key, 'id', 'progress', 'total')
local event = {kind = 'updated', id = meta[1], teamId = teamId, userId = userId, status = target, at = now}
if meta[2] then event.progress = tonumber(meta[2]) end
if meta[3] then event.total = tonumber(meta[3]) end
redis.call('PUBLISH', channel, cjson.encode(event))
return current
`;

/**
 * Deletes a hash or JSON (web app) record and its index entries.
 * KEYS: job, then teamIndex if ARGV teamId is not '', then userIndex if ARGV userId is not '',
 * then the team's auditTrail if ARGV audit entry is not ''.
 * ARGV: id, channel, now, expected teamId, expected userId ('' = none found), ttl, audit entry.
 * Returns 1 if deleted, 0 if it did not exist.
 */
const deleteScript = `${READ_OWNER}${CHECK_INDEXES}${AUDIT}
local key = KEYS[1]
local id, channel, now, expectedTeam, expectedUser = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local ttl, entry = tonumber(ARGV[6]), ARGV[7]
local kind, teamId, userId = readOwner(key)
if kind == 'none' then return 0 end
if (teamId or '') ~= expectedTeam or (userId or '') ~= expectedUser then
  return redis.error_reply('CONFLICT the job changed owner while it was being deleted')
end
local lastIndex = #KEYS
if entry ~= '' then lastIndex = lastIndex - 1 end
local bad = badIndex(2, lastIndex) or (entry ~= '' and badAudit(#KEYS)) or nil
if bad then return bad end
redis.call('DEL', key)
local next = 2
if teamId then redis.call('ZREM', KEYS[next], id); next = next + 1 end
if userId then redis.call('ZREM', KEYS[next], id) end
if entry ~= '' then audit(#KEYS, entry, ttl) end
local event = {kind = 'deleted', id = id, at = now, teamId = teamId or '', userId = userId or ''}
redis.call('PUBLISH', channel, cjson.encode(event))
return 1
`;


/**
 * Summary fields of many jobs in one round trip, whatever their encoding, without `result`.
 * KEYS: the index the ids came from (expired members are pruned from it), then the job key
 * of each id. ARGV: the ids, in the same order.
 * Returns one entry per id: {'hash'|'json', field values...} | {'gone'} | {'bad', reason}.
 */
const summariesScript = `
local fields = {${SUMMARY_FIELD_LIST}}
local out = {}
for i = 1, #ARGV do
  local id = ARGV[i]
  local key = KEYS[i + 1]
  local kind = redis.call('TYPE', key).ok
  if kind == 'hash' then
    local values = redis.call('HMGET', key, unpack(fields))
    local row = {'hash'}
    for j = 1, #fields do row[j + 1] = values[j] end
    out[#out + 1] = row
  elseif kind == 'string' then
    local ok, record = pcall(cjson.decode, redis.call('GET', key))
    if not ok or type(record) ~= 'table' then
      out[#out + 1] = {'bad', 'the JSON record does not parse'}
    else
      local row = {'json'}
      local bad = nil
      for j = 1, #fields do
        local v = record[fields[j]]
        if v == nil or v == cjson.null then row[j + 1] = false
        elseif type(v) == 'table' then bad = fields[j] .. ' is not a scalar'; row[j + 1] = false
        else row[j + 1] = tostring(v) end
      end
      if bad then out[#out + 1] = {'bad', bad} else out[#out + 1] = row end
    end
  elseif kind == 'none' then
    redis.call('ZREM', KEYS[1], id)
    out[#out + 1] = {'gone'}
  else
    out[#out + 1] = {'bad', 'the job key holds a ' .. kind}
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

import { LuaScript } from "../redis/lua-script";
import { SUMMARY_FIELDS } from "./job-codec";

/*
 * Every write to a job is one Lua script: the check, the write, the TTL refresh of the hash
 * and both index sets, and the change event happen atomically or not at all. Errors come
 * back as "<CODE> <message>" so the store can map them to AppError codes.
 *
 * Index keys are derived inside the scripts from the record's teamId/userId, which only a
 * single-node Redis allows; the job store is documented as needing one (as BullMQ's does
 * unless keys share a hash tag).
 */

const SUMMARY_FIELD_LIST = SUMMARY_FIELDS.map((name) => `'${name}'`).join(", ");

/** KEYS: job, teamIndex, userIndex. ARGV: ttl, scoreMs, id, channel, event, field, value, ... */
export const createScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  return redis.error_reply('CONFLICT a job with this id exists already')
end
local fields = {}
for i = 6, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('HSET', KEYS[1], unpack(fields))
local ttl = tonumber(ARGV[1])
redis.call('EXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[2], ttl)
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[3])
redis.call('EXPIRE', KEYS[3], ttl)
redis.call('PUBLISH', ARGV[4], ARGV[5])
return 1
`);

/**
 * Conditional status change.
 * KEYS: job, result source ('' = none: else a string key whose value becomes `result` and
 * is deleted, so a CSV streamed into Redis never passes through Node in one piece).
 * ARGV: prefix, ttl, target status, allowed from-statuses (comma list), updatedAt, channel,
 * expected runId ('' = any), number of set pairs N, N pairs, then names of fields to delete.
 * Returns the record's previous status.
 */
export const transitionScript = new LuaScript(`
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'none' then return redis.error_reply('NOT_FOUND no such job') end
if kind == 'string' then return redis.error_reply("FOREIGN_RECORD this job was created by Papermark's web app and is managed by its runner") end
if kind ~= 'hash' then return redis.error_reply('MALFORMED_RECORD the job key holds a ' .. kind) end
local prefix, ttl, target, allowed, now, channel, runId = ARGV[1], tonumber(ARGV[2]), ARGV[3], ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local current = redis.call('HGET', key, 'status')
if not current then return redis.error_reply('MALFORMED_RECORD the job has no status') end
local ok = false
for s in string.gmatch(allowed, '[^,]+') do if s == current then ok = true end end
if not ok then return redis.error_reply('CONFLICT cannot move a ' .. current .. ' job to ' .. target) end
if runId ~= '' and redis.call('HGET', key, 'runId') ~= runId then
  return redis.error_reply('CONFLICT the job is no longer owned by this run')
end
local n = tonumber(ARGV[8])
local sets = {'status', target, 'updatedAt', now}
for i = 9, 8 + 2 * n do sets[#sets + 1] = ARGV[i] end
if KEYS[2] ~= '' then
  sets[#sets + 1] = 'result'
  sets[#sets + 1] = redis.call('GET', KEYS[2]) or ''
  redis.call('DEL', KEYS[2])
end
redis.call('HSET', key, unpack(sets))
for i = 9 + 2 * n, #ARGV do redis.call('HDEL', key, ARGV[i]) end
redis.call('EXPIRE', key, ttl)
local meta = redis.call('HMGET', key, 'id', 'teamId', 'userId', 'progress', 'total')
redis.call('EXPIRE', prefix .. 'team_jobs:' .. meta[2], ttl)
redis.call('EXPIRE', prefix .. 'user_jobs:' .. meta[3], ttl)
local event = {kind = 'updated', id = meta[1], teamId = meta[2], userId = meta[3], status = target, at = now}
if meta[4] then event.progress = tonumber(meta[4]) end
if meta[5] then event.total = tonumber(meta[5]) end
redis.call('PUBLISH', channel, cjson.encode(event))
return current
`);

/**
 * Reads teamId/userId of a hash or JSON record (web app) so the index entries go too.
 * KEYS: job. ARGV: prefix, id, channel, now. Returns 1 if deleted, 0 if it did not exist.
 */
export const deleteScript = new LuaScript(`
local key = KEYS[1]
local kind = redis.call('TYPE', key).ok
if kind == 'none' then return 0 end
local teamId, userId
if kind == 'hash' then
  local meta = redis.call('HMGET', key, 'teamId', 'userId')
  teamId, userId = meta[1], meta[2]
elseif kind == 'string' then
  local ok, record = pcall(cjson.decode, redis.call('GET', key))
  if ok and type(record) == 'table' then teamId, userId = record.teamId, record.userId end
end
redis.call('DEL', key)
local prefix, id = ARGV[1], ARGV[2]
if type(teamId) == 'string' then redis.call('ZREM', prefix .. 'team_jobs:' .. teamId, id) end
if type(userId) == 'string' then redis.call('ZREM', prefix .. 'user_jobs:' .. userId, id) end
local event = {kind = 'deleted', id = id, at = ARGV[4]}
event.teamId = type(teamId) == 'string' and teamId or ''
event.userId = type(userId) == 'string' and userId or ''
redis.call('PUBLISH', ARGV[3], cjson.encode(event))
return 1
`);

/**
 * Summary fields of many jobs in one round trip, whatever their encoding, without `result`.
 * KEYS: the index the ids came from (expired members are pruned from it). ARGV: prefix, ids...
 * Returns one entry per id: {'hash'|'json', field values...} | {'gone'} | {'bad', reason}.
 */
export const summariesScript = new LuaScript(`
local fields = {${SUMMARY_FIELD_LIST}}
local prefix = ARGV[1]
local out = {}
for i = 2, #ARGV do
  local id = ARGV[i]
  local key = prefix .. 'export_job:' .. id
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
`);

-- All-or-nothing batch allocation.
-- KEYS[1] prefix
-- ARGV[1] worker_id   ARGV[2] lease length (ms)   ARGV[3] request_id or ''
-- ARGV[4] wait ticket or ''   ARGV[5] how long the ticket stays queued without a retry (ms)
-- ARGV[6] lease tokens, one per requested type, space-separated (fresh random secrets from the caller)
-- ARGV[7] how long a request_id's answer is kept after its leases would end (ms)
-- ARGV[8..] resource types, in request order (a type may repeat)
-- Returns JSON: {status=granted|replayed, worker_id, grants=[...]}
--             | {status=insufficient, types={T={requested,available,queued_ahead}}}
--             | {status=unknown_types, types=[...]}
--             | {status=request_conflict, worker_id, reason=worker|body}
--             | {status=request_settled, ended=[lease ids no longer live]}
-- Refusals (unknown_types, request_conflict, request_settled) are decided before anything is
-- written, except that a waiting request's own ticket is withdrawn.
local worker, lease_ms, request_id = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local ticket = ARGV[4]
local retention_ms = tonumber(ARGV[7])
local FIRST_TYPE = 8
local now = now_ms()
local ticket_deadline = now + tonumber(ARGV[5])

local types = {}
for i = FIRST_TYPE, #ARGV do types[#types + 1] = ARGV[i] end

-- A request_id names one request: the same worker, lease length and types in the same order.
local function same_body(fp)
  if fp.worker ~= worker or tonumber(fp.lease_ms) ~= lease_ms or #fp.types ~= #types then return false end
  for i, t in ipairs(types) do
    if fp.types[i] ~= t then return false end
  end
  return true
end

if request_id ~= '' then
  local cached = redis.call('GET', P .. 'req:' .. request_id)
  if cached then
    local answer = cjson.decode(cached)
    if ticket ~= '' then drop_ticket(ticket) end
    if answer.worker_id ~= worker then
      return cjson.encode({ status = 'request_conflict', worker_id = answer.worker_id, reason = 'worker' })
    end
    if answer.request and not same_body(answer.request) then
      return cjson.encode({ status = 'request_conflict', worker_id = answer.worker_id, reason = 'body' })
    end
    -- A replay hands back only leases the worker still holds: each grant must still be the live
    -- lease of its resource (not released, expired, revoked or granted again). Read-only: an
    -- expired lease is left for the reaper or the next renew/release/verify to reclaim.
    local ended = {}
    for _, g in ipairs(answer.grants) do
      local f = redis.call('HMGET', rkey(g.id), 'worker', 'lease_id', 'expires')
      if f[1] ~= worker or f[2] ~= g.lease_id or tonumber(f[3]) <= now then
        ended[#ended + 1] = g.lease_id
      else
        g.expires_at = tonumber(f[3])
      end
    end
    if #ended > 0 then return cjson.encode({ status = 'request_settled', ended = ended }) end
    answer.status = 'replayed'
    answer.request = nil
    return cjson.encode(answer)
  end
end

local demand, order = {}, {}
for _, rtype in ipairs(types) do
  if not demand[rtype] then demand[rtype] = 0; order[#order + 1] = rtype end
  demand[rtype] = demand[rtype] + 1
end

local unknown = {}
for _, rtype in ipairs(order) do
  if redis.call('HEXISTS', P .. 'types', rtype) == 0 then unknown[#unknown + 1] = rtype end
end
if #unknown > 0 then
  if ticket ~= '' then drop_ticket(ticket) end
  return cjson.encode({ status = 'unknown_types', types = unknown })
end

housekeeping(now)

-- Earlier waiters come first: a request may take resources of a type only when enough stay
-- free for every live ticket queued before it (a request without a ticket is queued last).
local my_seq = nil
if ticket ~= '' then my_seq = redis.call('ZSCORE', P .. 'q:' .. order[1], ticket) end
local short, shortage = false, {}
for _, rtype in ipairs(order) do
  local ahead = 0
  local upper = my_seq and ('(' .. my_seq) or '+inf'
  for _, t in ipairs(redis.call('ZRANGEBYSCORE', P .. 'q:' .. rtype, '-inf', upper)) do
    ahead = ahead + tonumber(redis.call('HGET', P .. 't:' .. t, rtype) or 0)
  end
  local available = redis.call('ZCARD', P .. 'free:' .. rtype)
  if available < demand[rtype] + ahead then short = true end
  shortage[rtype] = { requested = demand[rtype], available = available, queued_ahead = ahead }
end

if short then
  if ticket ~= '' then
    if not my_seq then
      local seq = redis.call('INCR', P .. 'seq:ticket')
      for _, rtype in ipairs(order) do
        redis.call('ZADD', P .. 'q:' .. rtype, seq, ticket)
        redis.call('HSET', P .. 't:' .. ticket, rtype, demand[rtype])
      end
    end
    redis.call('ZADD', P .. 'tickets', ticket_deadline, ticket)
  end
  return cjson.encode({ status = 'insufficient', types = shortage })
end

local expires = now + lease_ms
local tokens = {}
for t in string.gmatch(ARGV[6], '%S+') do tokens[#tokens + 1] = t end
local grants = {}
for i, rtype in ipairs(types) do
  local lease_token = tokens[i]
  local id = redis.call('ZPOPMIN', P .. 'free:' .. rtype)[1]
  local k = rkey(id)
  local fence = redis.call('HINCRBY', P .. 'fence', id, 1)
  local lease_id = id .. ':' .. fence
  redis.call('HSET', k, 'worker', worker, 'lease_id', lease_id, 'lease_token', lease_token,
    'fence', fence, 'expires', expires, 'granted', now)
  if request_id ~= '' then redis.call('HSET', k, 'request', request_id) end
  redis.call('ZADD', P .. 'leases', expires, id)
  redis.call('SADD', P .. 'w:' .. worker, id)
  event('grant', id, rtype, worker, lease_id, fence, now)
  local f = redis.call('HMGET', k, 'endpoint', 'labels')
  grants[#grants + 1] = { id = id, type = rtype, endpoint = f[1], labels = f[2],
    lease_id = lease_id, lease_token = lease_token, fencing_token = fence, expires_at = expires }
end
if ticket ~= '' then drop_ticket(ticket) end

local answer = { status = 'granted', worker_id = worker, grants = grants }
if request_id ~= '' then
  -- Kept while the leases may live (renew.lua extends it) and retention_ms after, so a late
  -- retry is told the request is settled instead of being granted a second time.
  answer.request = { worker = worker, lease_ms = lease_ms, types = types }
  redis.call('SET', P .. 'req:' .. request_id, cjson.encode(answer), 'PX', lease_ms + retention_ms)
  answer.request = nil
end
return cjson.encode(answer)

-- All-or-nothing batch allocation.
-- KEYS[1] prefix
-- ARGV[1] worker_id   ARGV[2] lease length (ms)   ARGV[3] request_id or ''
-- ARGV[4] wait ticket or '' (no wait)   ARGV[5] the rest of the wait (ms): the ticket is never
--         granted after it, and any replica's reaper purges it TICKET_GRACE_MS later
-- ARGV[6] lease tokens, one per requested type, space-separated (fresh random secrets from the caller)
-- ARGV[7] how long a request_id's answer is kept after its leases would end (ms)
-- ARGV[8] the calling replica (its waiters are told on ch:w:<replica>)
-- ARGV[9..] resource types, in request order (a type may repeat)
-- Returns JSON: {status=granted|replayed, worker_id, grants=[...]}
--             | {status=queued} (the ticket waits; its grant or retry comes on ch:w:<replica>)
--             | {status=insufficient, types={T={requested,available,queued_ahead}}}
--             | {status=unknown_types, types=[...]}
--             | {status=request_conflict, worker_id, reason=worker|body}
--             | {status=request_settled, ended=[lease ids no longer live]}
-- Refusals (unknown_types, request_conflict, request_settled) are decided before anything is
-- written; a replay writes only its kept answer back, counting one more handing (see there).
local worker, lease_ms, request_id = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local ticket = ARGV[4]
local retention_ms = tonumber(ARGV[7])
local replica = ARGV[8]
local FIRST_TYPE = 9
local now = now_ms()
local wait_end = now + tonumber(ARGV[5])

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
    if answer.worker_id ~= worker then
      return cjson.encode({ status = 'request_conflict', worker_id = answer.worker_id, reason = 'worker' })
    end
    -- Withdrawn by release_request.lua before anything was granted: settled, and it grants nothing.
    if answer.withdrawn then return cjson.encode({ status = 'request_settled', ended = {} }) end
    if answer.request and not same_body(answer.request) then
      return cjson.encode({ status = 'request_conflict', worker_id = answer.worker_id, reason = 'body' })
    end
    -- A replay hands back only leases the worker still holds: each grant must still be the live
    -- lease of its resource (not released, expired, revoked or granted again). Nothing is
    -- reclaimed here: an expired lease is left for the reaper or the next renew/release/verify to reclaim.
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
    -- The kept answer is written back with one more handing (same expiry), for two reasons. abandon.lua counts
    -- handings down and ends the leases only at none: the call that was granted them may still be in its replica
    -- WAIT when its client, having given up on it, retries and is handed them here; that call's close, seen after,
    -- must not release what the worker now holds (the resource could be granted to another worker), while a
    -- replay whose own client is gone too gives its handing back as well. And the grant may have been written by
    -- another connection (a call answered 503 REPLICATION_TIMEOUT, another allocator replica), while WAIT after
    -- this script may count only this connection's replicated writes (newer servers do; Redis 7.0 counts up to its
    -- last command): a script that wrote nothing could be answered at once, replicas lacking the grant. This write
    -- follows the grant in the replication stream, so the WAIT covers it.
    answer.handed = (tonumber(answer.handed) or 1) + 1
    redis.call('SET', P .. 'req:' .. request_id, cjson.encode(answer), 'KEEPTTL')
    answer.handed = nil
    answer.abandons = nil
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
  return cjson.encode({ status = 'unknown_types', types = unknown })
end

housekeeping(now)

-- Earlier waiters come first: a request may take resources of a type only when enough stay
-- free for every ticket queued (qs:<T>.dem); otherwise it fails or, with a ticket, queues last.
local short, shortage = false, {}
for _, rtype in ipairs(order) do
  local ahead = tonumber(redis.call('HGET', P .. 'qs:' .. rtype, 'dem') or 0)
  local available = redis.call('ZCARD', P .. 'free:' .. rtype)
  if available < demand[rtype] + ahead then short = true end
  shortage[rtype] = { requested = demand[rtype], available = available, queued_ahead = ahead }
end

if short then
  if ticket == '' then
    settle(now)
    return cjson.encode({ status = 'insufficient', types = shortage })
  end
  enqueue(ticket, replica, wait_end, worker, lease_ms, request_id, ARGV[6], types, retention_ms)
  settle(now)
  return cjson.encode({ status = 'queued' })
end

local answer = grant(worker, lease_ms, request_id, words(ARGV[6]), types, retention_ms, now, nil)
settle(now)
return cjson.encode(answer)

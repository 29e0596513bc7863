-- Shared prelude, prepended by AllocatorScripts to every script before loading.
--
-- KEYS[1] is the key prefix "{envgrid}:"; every key a script touches is built from it, so all
-- of them hash to one slot and multi-key scripts also run on Redis Cluster.
--
-- Data model (resource <id>, type <T>, worker <W>, wait ticket <K>):
--   r:<id>       hash   id type endpoint labels admin(active|draining) health(up|down)
--                       hb_ttl_ms created [worker lease_id lease_token fence expires granted]
--   all          set    every registered id
--   types        hash   T -> number of registered resources of that type
--   fence        hash   id -> last fencing token (survives delete + re-register)
--   free:<T>     zset   ids that can be granted now, scored by when they became free
--   leases       zset   leased id -> lease expiry (ms)
--   w:<W>        set    ids leased by W
--   hb           zset   id -> heartbeat deadline (ms), only for resources with a TTL
--   req:<rid>    string answer of an allocation with request_id <rid> and the request it answers
--                       {worker, lease_ms, types}; lives while its leases may (renew.lua extends it,
--                       r:<id>.request names it) plus envgrid.allocator.request-id-retention
--   q:<T>        zset   waiting ticket -> arrival sequence number
--   t:<K>        hash   T -> count the waiting ticket asks for
--   tickets      zset   ticket -> deadline (ms); a ticket whose replica died is purged after it
--   events       stream audit log in serialization order, one entry per lease event with fields
--                       kind id type worker lease_id fence at; kind is grant, release (by the holder),
--                       expire (past its expiry), revoke (forced delete) or abandon (released at once
--                       because the client went away before the grant could be delivered)
--
-- Ids (resource, worker, request) follow one rule, [A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}, types
-- [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, checked by the HTTP layer before any script runs
-- (docs/isolation.md). Every key holds at most one id, after a literal family prefix ('r:', 'w:',
-- 'req:', 'free:', 'q:', 't:'); no family prefix is a prefix of another or of a fixed key name
-- (all, types, fence, leases, hb, tickets, events, seq:ticket), so two distinct ids, of the same
-- kind or not, never share a key even when an id itself contains ':' (e.g. resource 'w:x' is
-- r:w:x, worker 'x' is w:x). A lease id is '<resource id>:<fence>': the fence is the part after the
-- last ':' and is all digits, so it is unambiguous too.
--
-- Invariants kept by the scripts (tested by LeaseInvariantIT under concurrency):
--   I1  a resource is in free:<T> iff it exists, has no lease, admin=active and health=up;
--   I2  r:<id>.worker is set iff id is in leases and in w:<worker>;
--   I3  every grant increments fence[id], so fencing tokens grow strictly per resource;
--   I4  a lease past its expiry is reclaimed exactly once: by the first reap.lua run to see it, or
--       by the first script that meets it (renew, release, verify), whichever comes first; no
--       script treats a lease past its expiry as live;
--   I5  r:<id>.lease_token is set iff the lease is live, and is fresh for every grant.
local P = KEYS[1]
local EVENTS_MAXLEN = tonumber('__EVENTS_MAXLEN__')

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function rkey(id) return P .. 'r:' .. id end

local function event(kind, id, rtype, worker, lease_id, fence, now)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', EVENTS_MAXLEN, '*',
    'kind', kind, 'id', id, 'type', rtype, 'worker', worker or '',
    'lease_id', lease_id or '', 'fence', fence or '', 'at', now)
end

-- Puts id back in its free set when I1 allows it; tells whether it did.
local function offer_free(id, k, rtype, now)
  local st = redis.call('HMGET', k, 'admin', 'health', 'worker')
  if st[1] == 'active' and st[2] == 'up' and not st[3] then
    redis.call('ZADD', P .. 'free:' .. rtype, 'NX', now, id)
    return true
  end
  return false
end

-- Ends the lease on id (held by worker) and records why: release, expire, revoke or abandon.
local function end_lease(id, k, rtype, worker, lease_id, fence, kind, now)
  redis.call('HDEL', k, 'worker', 'lease_id', 'lease_token', 'expires', 'granted', 'request')
  redis.call('ZREM', P .. 'leases', id)
  redis.call('SREM', P .. 'w:' .. worker, id)
  event(kind, id, rtype, worker, lease_id, fence, now)
  if offer_free(id, k, rtype, now) then
    redis.call('PUBLISH', P .. 'ch:freed', rtype)
  end
end

-- Ends a lease that ran past its expiry, and publishes it for the services that act on leases.
local function expire_lease(id, k, now)
  local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence')
  end_lease(id, k, f[1], f[2], f[3], f[4], 'expire', now)
  redis.call('PUBLISH', P .. 'ch:expired', cjson.encode({
    resource_id = id, type = f[1], worker_id = f[2], lease_id = f[3],
    fencing_token = tonumber(f[4]), reason = 'expired' }))
end

-- Reclaims leases past their expiry. reap.lua calls it on a short timer on every replica; the
-- script is atomic, so whichever replica gets there first reclaims a lease, and only once.
local function reclaim_expired(now, limit)
  local ids = redis.call('ZRANGEBYSCORE', P .. 'leases', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do expire_lease(id, rkey(id), now) end
  return #ids
end

-- The worker holding a live lease on id, or nil. A lease past its expiry is not live whether or
-- not a reaper has run: it is reclaimed here, on the spot (I4).
local function live_holder(id, k, now)
  local f = redis.call('HMGET', k, 'worker', 'expires')
  if not f[1] then return nil end
  if tonumber(f[2]) <= now then
    expire_lease(id, k, now)
    return nil
  end
  return f[1]
end

-- Marks resources whose heartbeat lapsed as down; they return on their next heartbeat.
local function mark_lapsed_down(now, limit)
  local ids = redis.call('ZRANGEBYSCORE', P .. 'hb', '-inf', now, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do
    local k = rkey(id)
    redis.call('HSET', k, 'health', 'down')
    redis.call('ZREM', P .. 'free:' .. redis.call('HGET', k, 'type'), id)
    redis.call('ZREM', P .. 'hb', id)
  end
  return #ids
end

local function drop_ticket(ticket)
  local tk = P .. 't:' .. ticket
  for _, rtype in ipairs(redis.call('HKEYS', tk)) do
    redis.call('ZREM', P .. 'q:' .. rtype, ticket)
  end
  redis.call('DEL', tk)
  redis.call('ZREM', P .. 'tickets', ticket)
end

local function purge_dead_tickets(now, limit)
  local dead = redis.call('ZRANGEBYSCORE', P .. 'tickets', '-inf', now, 'LIMIT', 0, limit)
  for _, ticket in ipairs(dead) do drop_ticket(ticket) end
  return #dead
end

-- Bookkeeping every mutating script does first, bounded per run, so a state change never acts on
-- a resource whose heartbeat has lapsed or behind a dead waiter.
local function housekeeping(now)
  mark_lapsed_down(now, 64)
  purge_dead_tickets(now, 64)
end

-- The ids a release or renewal names from ARGV[from] on; none named means all the worker holds.
local function named_or_held(from, worker)
  if #ARGV < from then return redis.call('SMEMBERS', P .. 'w:' .. worker) end
  local ids = {}
  for i = from, #ARGV do ids[#ids + 1] = ARGV[i] end
  return ids
end

-- The live lease holders among ids that are not worker: a request touching any of them changes
-- nothing. A lease past its expiry has no holder (the caller reclaims it when it gets to it).
local function foreign_holders(ids, worker, now)
  local foreign = {}
  for _, id in ipairs(ids) do
    local f = redis.call('HMGET', rkey(id), 'worker', 'expires')
    if f[1] and f[1] ~= worker and tonumber(f[2]) > now then foreign[#foreign + 1] = id end
  end
  return foreign
end

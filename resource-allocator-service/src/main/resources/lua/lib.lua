-- Shared prelude, prepended by AllocatorScripts to every script before loading.
--
-- KEYS[1] is the key prefix "{envgrid}:"; every key a script touches is built from it, so all
-- of them hash to one slot and multi-key scripts also run on Redis Cluster.
--
-- Data model (resource <id>, type <T>, worker <W>, wait ticket <K>):
--   r:<id>       hash   id type endpoint labels admin(active|draining) health(up|down)
--                       hb_ttl_ms created [worker lease_id lease_token fence expires granted [request] [ticket]
--                       (the request_id, the waiting ticket the lease was granted for)]
--                       [reset (1: needs a reset between leases) resetting (the fencing token of the
--                       lease whose end it is being reset after) down_reason (a failed or timed-out reset)]
--                       [owner (the principal that registered it: 'service', 'agent:<id>' or 'open'; only it
--                       may re-register, heartbeat it or report its reset) drained_by drained_at (who drained
--                       it, when, ms)]
--   all          set    every registered id
--   types        hash   T -> number of registered resources of that type
--   fence        hash   id -> last fencing token (survives delete + re-register)
--   owed         hash   id -> fencing token of the lease whose reset has not been reported done: set when
--                       the reset begins (or when a forced delete revokes a lease of a resource with reset),
--                       cleared only by reset.lua 'done'; survives a failed or timed-out reset and a delete, so
--                       a re-registration starts that reset again instead of offering a dirty resource (I7)
--   free:<T>     zset   ids that can be granted now, scored by when they became free
--   leases       zset   leased id -> lease expiry (ms)
--   w:<W>        set    ids leased by W
--   hb           zset   id -> heartbeat deadline (ms), only for resources with a TTL
--   req:<rid>    string answer of an allocation with request_id <rid> and the request it answers
--                       {worker, lease_ms, types}; lives while its leases may (renew.lua extends it,
--                       r:<id>.request names it) plus envgrid.allocator.request-id-retention;
--                       handed=<n> once a retry was handed it as a replay (abandon.lua counts it down, and
--                       records in abandons=[<abandon id>, ...] the last 8 abandons that gave a handing back, so
--                       that a repeat of one, its answer lost, gives none back again);
--                       or {worker_id, withdrawn=true} when release_request.lua settled the id
--                       before anything was granted (a replay is then request_settled)
--   q:<T>        zset   waiting ticket -> arrival sequence number (seq:ticket, one counter for all)
--   qs:<T>       hash   queue counters of type T: dem (demand of every ticket in q:<T>), cs and cd
--                       (the covered prefix: tickets with seq <= cs; cd = their demand, always <= the
--                       size of free:<T>); see "Waiting" below
--   t:<K>        hash   T -> count the waiting ticket asks for, and the request it will be granted as:
--                       _types (request order, space-separated) _n (distinct types) _cov (types on
--                       which it is covered) _worker _lease _rid _tokens _ret _ch (replica) _end (when
--                       its wait ends, ms: it is never granted after that)
--   tickets      zset   ticket -> deadline (ms): end of its wait plus TICKET_GRACE_MS; purged after it
--   ta:<K>       string answer granted to ticket K, for a waiter that missed the notification and for its
--                       withdrawal (cancel_wait.lua answers it, again if asked again); kept while any of its leases
--                       may live (renew.lua extends it, r:<id>.ticket names it) plus
--                       envgrid.allocator.request-id-retention, or until a notified waiter deletes it
--   qr:<rid>     set    tickets waiting with request_id <rid>
--   qw:<R>       set    tickets parked on replica <R>
--   replicas     zset   replica -> liveness deadline (ms), pushed out by every reap.lua run
--   cell:<id>    string the name of the cell id belongs to (claim.lua), only under the DEFAULT cell's prefix and
--                       only with more than one cell: claimed before a registration, released after a delete, so
--                       an id is never registered in two cells (README, "Cells")
--   resetting    zset   id -> when its reset began (ms), for resources whose lease ended and whose
--                       owner has not yet reported the reset (reset.lua); reap.lua downs the overdue
--   events       stream audit log in serialization order, one entry per lease event with fields
--                       kind id type worker lease_id fence at; kind is grant, release (by the holder),
--                       expire (past its expiry), revoke (forced delete) or abandon (released at once
--                       because the client went away before the grant could be delivered); for a
--                       resource registered with reset, resetting follows the end of each lease (fence =
--                       the ended lease's), then reset_done, reset_failed or reset_timeout; a registration of a
--                       resource that owes a reset writes resetting again (same fence). drain and undrain
--                       events carry by (the principal) instead of a worker
--
-- Ids (resource, worker, request) follow one rule, [A-Za-z0-9][A-Za-z0-9._:@/-]{0,199}, types
-- [A-Za-z0-9][A-Za-z0-9_.-]{0,63}, checked by the HTTP layer before any script runs
-- (docs/isolation.md). Every key holds at most one id, after a literal family prefix ('r:', 'w:',
-- 'req:', 'free:', 'q:', 'qs:', 'qr:', 'qw:', 't:', 'ta:', 'ch:w:', 'cell:'); no family prefix is a prefix of
-- another or of a fixed key name (all, types, fence, leases, hb, tickets, replicas, events,
-- seq:ticket, ch:expired), so two distinct ids, of the same
-- kind or not, never share a key even when an id itself contains ':' (e.g. resource 'w:x' is
-- r:w:x, worker 'x' is w:x). A lease id is '<resource id>:<fence>': the fence is the part after the
-- last ':' and is all digits, so it is unambiguous too.
--
-- Invariants kept by the scripts (tested by LeaseInvariantIT under concurrency):
--   I1  a resource is in free:<T> iff it exists, has no lease, is not resetting, admin=active and
--       health=up;
--   I2  r:<id>.worker is set iff id is in leases and in w:<worker>;
--   I3  every grant raises fence[id] (by one; in clock fencing to at least the master's clock in
--       ms), so fencing tokens grow strictly per resource;
--   I4  a lease past its expiry is reclaimed exactly once: by the first reap.lua run to see it, or
--       by the first script that meets it (renew, release, verify), whichever comes first; no
--       script treats a lease past its expiry as live;
--   I5  r:<id>.lease_token is set iff the lease is live, and is fresh for every grant;
--   I7  a resource registered with reset is never offered between the end of a lease and its owner's
--       'done' report of that lease's reset: it is resetting (or down after a failed or timed-out reset,
--       or deleted) and owed[id] names the lease until then; delete, re-registration, heartbeat, undrain and
--       the reaper never clear owed; resetting is set iff id is in the resetting zset;
--   I6  (waiting) no script ends with a ticket covered on every type it asks for: it is granted in
--       the script that covered it; qs:<T>.cd <= |free:<T>| and qs:<T>.dem = the demand in q:<T>.
--
-- Waiting. A ticket is covered on type T when the free resources of T are enough for it and for
-- every ticket queued before it on T (the demand up to and including it, in arrival order, is at
-- most |free:<T>|): the same rule as "enough must stay free for every earlier waiter". The covered
-- tickets of T are a prefix of q:<T>, kept as a seq bound (cs) and its demand (cd). When free:<T>
-- grows, fit(T) extends the prefix ticket by ticket and stops at the first that does not fit (so
-- a large batch at the head holds smaller ones back and is never starved); when it shrinks (drain,
-- heartbeat lapse, delete) fit(T) gives the tail back. A ticket covered on all its types is granted
-- at once, in that script, and its replica is told on ch:w:<replica>. Granting a covered ticket
-- takes as much from free:<T> as from cd, so it never changes what other tickets are covered on:
-- each freed resource costs O(log n) work whatever the number n of waiters.
local P = KEYS[1]
-- How long a ticket outlives its wait before any reaper purges it (its replica should have withdrawn it).
local TICKET_GRACE_MS = 5000
local EVENTS_MAXLEN = tonumber('__EVENTS_MAXLEN__')
-- Fencing (envgrid.allocator.fencing): 'sequence' counts a resource's grants (1, 2, 3, ...);
-- 'clock' issues max(last + 1, now in ms), so a token issued after a failover (seconds later, on a
-- master whose clock is within that of the old one) sorts above every token the old master issued,
-- including ones whose writes were lost with it. Tokens then have gaps; they stay below 2^53.
local CLOCK_FENCING = '__FENCING__' == 'clock'

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

local function rkey(id) return P .. 'r:' .. id end

-- The fencing token of a new grant of id (see CLOCK_FENCING), recorded in fence[id].
local function next_fence(id, now)
  local fence = redis.call('HINCRBY', P .. 'fence', id, 1)
  if CLOCK_FENCING and fence < now then
    fence = now
    redis.call('HSET', P .. 'fence', id, string.format('%d', now))
  end
  return fence
end

-- Types whose free set or queue changed in this script; settle() fits their queues before it ends.
local touched, touched_list = {}, {}
local function touch(rtype)
  if not touched[rtype] then
    touched[rtype] = true
    touched_list[#touched_list + 1] = rtype
  end
end

-- Takes id out of its type's free set (drain, down, delete, type change).
local function take_free(id, rtype)
  if redis.call('ZREM', P .. 'free:' .. rtype, id) == 1 then touch(rtype) end
end

local function event(kind, id, rtype, worker, lease_id, fence, now)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', EVENTS_MAXLEN, '*',
    'kind', kind, 'id', id, 'type', rtype, 'worker', worker or '',
    'lease_id', lease_id or '', 'fence', fence or '', 'at', now)
end

-- Puts id back in its free set when I1 allows it; tells whether it did.
local function offer_free(id, k, rtype, now)
  local st = redis.call('HMGET', k, 'admin', 'health', 'worker', 'resetting')
  if st[1] == 'active' and st[2] == 'up' and not st[3] and not st[4] then
    if redis.call('ZADD', P .. 'free:' .. rtype, 'NX', now, id) == 1 then touch(rtype) end
    return true
  end
  return false
end

-- Starts the reset owed after the lease with fence ended (I7): resetting, owed, audited, and announced on
-- ch:expired like the other ends of leases so that the owner resets it. worker is '' when a
-- re-registration starts a reset owed since before (after a failure, a timeout or a delete).
local function begin_reset(id, k, rtype, worker, fence, now)
  local lease_id = id .. ':' .. fence
  redis.call('HSET', k, 'resetting', fence)
  redis.call('HSET', P .. 'owed', id, fence)
  redis.call('ZADD', P .. 'resetting', now, id)
  event('resetting', id, rtype, worker, lease_id, fence, now)
  redis.call('PUBLISH', P .. 'ch:expired', cjson.encode({
    resource_id = id, type = rtype, worker_id = worker, lease_id = lease_id,
    fencing_token = tonumber(fence), reason = 'reset' }))
end

-- Ends the lease on id (held by worker) and records why: release, expire, revoke or abandon. A
-- resource registered with reset is not offered again but starts resetting (I7); a revoked one is
-- being deleted, and the reset stays owed for when it is registered again.
local function end_lease(id, k, rtype, worker, lease_id, fence, kind, now)
  redis.call('HDEL', k, 'worker', 'lease_id', 'lease_token', 'expires', 'granted', 'request', 'ticket')
  redis.call('ZREM', P .. 'leases', id)
  redis.call('SREM', P .. 'w:' .. worker, id)
  event(kind, id, rtype, worker, lease_id, fence, now)
  if redis.call('HGET', k, 'reset') == '1' then
    if kind == 'revoke' then
      redis.call('HSET', P .. 'owed', id, fence)
    else
      begin_reset(id, k, rtype, worker, fence, now)
    end
    return
  end
  offer_free(id, k, rtype, now)
end

-- Whether principal may change the inventory record k (re-register, heartbeat, report its reset): the
-- principal that registered it, or anyone for a record that names no owner (registered before owners were
-- recorded; the next registration claims it).
local function owns(k, principal)
  local owner = redis.call('HGET', k, 'owner')
  return not owner or owner == principal
end

-- The service token's principal: the operators and trusted services, who may drain, undrain and delete any
-- resource (never re-register, heartbeat or report the reset of one an agent owns).
local function is_operator(principal) return principal == 'service' end

-- Audits an inventory action that is no lease event (drain, undrain) with the principal that did it.
local function admin_event(kind, id, rtype, by, now)
  redis.call('XADD', P .. 'events', 'MAXLEN', '~', EVENTS_MAXLEN, '*',
    'kind', kind, 'id', id, 'type', rtype, 'worker', '', 'lease_id', '', 'fence', '', 'by', by, 'at', now)
end

-- Ends the reset of id (I7) as its owner reported it or the reaper decided: done offers it again;
-- failed or timeout takes it down with the reason (a heartbeat does not bring it back; a
-- re-registration does).
local function finish_reset(id, k, outcome, reason, now)
  local f = redis.call('HMGET', k, 'type', 'resetting')
  redis.call('HDEL', k, 'resetting')
  redis.call('ZREM', P .. 'resetting', id)
  event('reset_' .. outcome, id, f[1], nil, id .. ':' .. f[2], f[2], now)
  if outcome == 'done' then
    redis.call('HDEL', P .. 'owed', id)
    offer_free(id, k, f[1], now)
  else
    redis.call('HSET', k, 'health', 'down', 'down_reason', reason)
  end
end

-- Takes down resources whose reset has run longer than deadline_ms (their owner is gone or stuck).
local function time_out_resets(now, deadline_ms, limit)
  local ids = redis.call('ZRANGEBYSCORE', P .. 'resetting', '-inf', now - deadline_ms, 'LIMIT', 0, limit)
  for _, id in ipairs(ids) do finish_reset(id, rkey(id), 'timeout', 'reset timed out', now) end
  return #ids
end

-- Ends a lease that ran past its expiry, and publishes it for the services that act on leases.
local function expire_lease(id, k, now)
  local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence')
  -- Published first, so a subscriber hears of the expiry before the reset that follows it.
  redis.call('PUBLISH', P .. 'ch:expired', cjson.encode({
    resource_id = id, type = f[1], worker_id = f[2], lease_id = f[3],
    fencing_token = tonumber(f[4]), reason = 'expired' }))
  end_lease(id, k, f[1], f[2], f[3], f[4], 'expire', now)
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
    take_free(id, redis.call('HGET', k, 'type'))
    redis.call('ZREM', P .. 'hb', id)
  end
  return #ids
end

-- The distinct types of a ticket's request, from its _types field (request order, may repeat).
local function distinct(types_field)
  local seen, out = {}, {}
  for rtype in string.gmatch(types_field, '%S+') do
    if not seen[rtype] then seen[rtype] = true; out[#out + 1] = rtype end
  end
  return out
end

local function tell_replica(replica, message)
  redis.call('PUBLISH', P .. 'ch:w:' .. replica, cjson.encode(message))
end

-- Takes a ticket out of every queue it is in, keeping the counters of I6; false if it is not queued.
local function unqueue(ticket)
  local tk = P .. 't:' .. ticket
  local f = redis.call('HMGET', tk, '_types', '_ch', '_rid')
  if not f[1] then return false end
  for _, rtype in ipairs(distinct(f[1])) do
    local q, qs = P .. 'q:' .. rtype, P .. 'qs:' .. rtype
    local seq = redis.call('ZSCORE', q, ticket)
    if seq then
      local need = tonumber(redis.call('HGET', tk, rtype))
      redis.call('HINCRBY', qs, 'dem', -need)
      if tonumber(seq) <= tonumber(redis.call('HGET', qs, 'cs') or 0) then
        redis.call('HINCRBY', qs, 'cd', -need)
      end
      redis.call('ZREM', q, ticket)
      touch(rtype)
    end
  end
  redis.call('DEL', tk)
  redis.call('ZREM', P .. 'tickets', ticket)
  redis.call('SREM', P .. 'qw:' .. f[2], ticket)
  if f[3] ~= '' then redis.call('SREM', P .. 'qr:' .. f[3], ticket) end
  return true, f[2]
end

-- Withdraws a waiting ticket; with notice, its replica is told to decide the request again (a
-- sibling with the same request_id was granted, or the ticket was purged while its replica may live).
local function withdraw(ticket, notice)
  local queued, replica = unqueue(ticket)
  if queued and notice then tell_replica(replica, { ticket = ticket, retry = true }) end
  return queued
end

-- Grants one resource of each of types (request order) to worker: pops the oldest free ones,
-- bumps their fences, records the leases and audits them. Every type must have enough free.
-- A request_id's answer is kept while the leases may live and retention_ms after; other tickets
-- waiting with the same request_id are sent back to be answered from it (replay or conflict).
local function grant(worker, lease_ms, request_id, tokens, types, retention_ms, now, except_ticket)
  local expires = now + lease_ms
  local grants = {}
  for i, rtype in ipairs(types) do
    local lease_token = tokens[i]
    local id = redis.call('ZPOPMIN', P .. 'free:' .. rtype)[1]
    local k = rkey(id)
    local fence = next_fence(id, now)
    local lease_id = id .. ':' .. string.format('%d', fence)
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
  local answer = { status = 'granted', worker_id = worker, grants = grants }
  if request_id ~= '' then
    answer.request = { worker = worker, lease_ms = lease_ms, types = types }
    redis.call('SET', P .. 'req:' .. request_id, cjson.encode(answer), 'PX', lease_ms + retention_ms)
    answer.request = nil
    for _, sibling in ipairs(redis.call('SMEMBERS', P .. 'qr:' .. request_id)) do
      if sibling ~= except_ticket then withdraw(sibling, true) end
    end
  end
  return answer
end

local function words(s)
  local out = {}
  for w in string.gmatch(s, '%S+') do out[#out + 1] = w end
  return out
end

-- Grants a ticket that is covered on every type, keeps the answer for its waiter (ta:<K>) and
-- tells the waiter's replica. A ticket whose wait has ended is withdrawn instead: its waiter is
-- answering 409, and must not be granted anything. The answer is kept as long as the leases plus
-- the request_id retention, whatever the waiter's deadline (renew.lua extends it with them, r:<id>.ticket
-- names it): a waiter whose end-of-wait reaches Redis late (a loaded replica, a withdrawal retried through
-- an outage) must still find a grant that raced it, or the leases would be granted to nobody. A waiter
-- that was notified deletes it on receipt; a withdrawal leaves it, for a repeat whose answer was lost.
local function serve(ticket, now)
  local f = redis.call('HMGET', P .. 't:' .. ticket, '_worker', '_lease', '_rid', '_tokens', '_types', '_ret', '_end')
  if tonumber(f[7]) < now then
    withdraw(ticket, false)
    return
  end
  local answer = grant(f[1], tonumber(f[2]), f[3], words(f[4]), words(f[5]), tonumber(f[6]), now, ticket)
  local _, replica = unqueue(ticket)
  -- Each lease names the ticket, so that renew.lua keeps ta:<K> while any of them lives: a withdrawal retried
  -- long after (PersistentCleanups) must still be told of the grant, or nobody hands back what the worker renews.
  for _, g in ipairs(answer.grants) do redis.call('HSET', rkey(g.id), 'ticket', ticket) end
  redis.call('SET', P .. 'ta:' .. ticket, cjson.encode(answer), 'PX', tonumber(f[2]) + tonumber(f[6]))
  tell_replica(replica, { ticket = ticket, answer = answer })
end

-- Restores I6 on type T after its free set or queue changed: gives back the covered tail beyond
-- the free resources, then covers the next tickets in arrival order while they fit, granting each
-- one that is then covered on all its types. Stops at the first ticket that does not fit.
local function fit(rtype, now)
  local q, qs, free_key = P .. 'q:' .. rtype, P .. 'qs:' .. rtype, P .. 'free:' .. rtype
  if redis.call('EXISTS', q) == 0 then
    redis.call('DEL', qs) -- nobody waits for the type: no counters left behind
    return
  end
  local st = redis.call('HMGET', qs, 'cd', 'cs')
  local cd, cs = tonumber(st[1] or 0), tonumber(st[2] or 0)
  local free = redis.call('ZCARD', free_key)
  while cd > free do
    local last = redis.call('ZREVRANGEBYSCORE', q, cs, '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
    local tk = P .. 't:' .. last[1]
    cd = cd - tonumber(redis.call('HGET', tk, rtype))
    redis.call('HINCRBY', tk, '_cov', -1)
    local before = redis.call('ZREVRANGEBYSCORE', q, '(' .. last[2], '-inf', 'WITHSCORES', 'LIMIT', 0, 1)
    cs = tonumber(before[2] or 0)
  end
  while cd < free do
    local nxt = redis.call('ZRANGEBYSCORE', q, '(' .. cs, '+inf', 'WITHSCORES', 'LIMIT', 0, 1)
    if #nxt == 0 then break end
    local tk = P .. 't:' .. nxt[1]
    local need = tonumber(redis.call('HGET', tk, rtype))
    if cd + need > free then break end
    cd, cs = cd + need, tonumber(nxt[2])
    if redis.call('HINCRBY', tk, '_cov', 1) == tonumber(redis.call('HGET', tk, '_n')) then
      redis.call('HSET', qs, 'cd', cd, 'cs', cs)
      serve(nxt[1], now)
      cd, free = tonumber(redis.call('HGET', qs, 'cd')), redis.call('ZCARD', free_key)
    end
  end
  redis.call('HSET', qs, 'cd', cd, 'cs', cs)
end

-- Fits every queue whose type was touched in this script. Every mutating script ends with it.
local function settle(now)
  while #touched_list > 0 do
    local rtype = table.remove(touched_list)
    touched[rtype] = nil
    fit(rtype, now)
  end
end

-- Queues a ticket for a request that cannot be granted now, behind every earlier ticket; it is
-- granted by whichever script later covers it on every type (see fit).
local function enqueue(ticket, replica, wait_end, worker, lease_ms, request_id, tokens_field, types, retention_ms)
  local seq = redis.call('INCR', P .. 'seq:ticket')
  local tk = P .. 't:' .. ticket
  local demand, order = {}, {}
  for _, rtype in ipairs(types) do
    if not demand[rtype] then demand[rtype] = 0; order[#order + 1] = rtype end
    demand[rtype] = demand[rtype] + 1
  end
  redis.call('HSET', tk, '_types', table.concat(types, ' '), '_n', #order, '_cov', 0, '_worker', worker,
    '_lease', lease_ms, '_rid', request_id, '_tokens', tokens_field, '_ret', retention_ms,
    '_ch', replica, '_end', wait_end)
  for _, rtype in ipairs(order) do
    redis.call('HSET', tk, rtype, demand[rtype])
    redis.call('ZADD', P .. 'q:' .. rtype, seq, ticket)
    redis.call('HINCRBY', P .. 'qs:' .. rtype, 'dem', demand[rtype])
    touch(rtype)
  end
  redis.call('ZADD', P .. 'tickets', wait_end + TICKET_GRACE_MS, ticket)
  redis.call('SADD', P .. 'qw:' .. replica, ticket)
  if request_id ~= '' then redis.call('SADD', P .. 'qr:' .. request_id, ticket) end
end

-- Tickets past their deadline (their waiter's wait ended long ago: its replica is gone or lost
-- track of it) are withdrawn, and their replica told in case it is still there.
local function purge_dead_tickets(now, limit)
  local dead = redis.call('ZRANGEBYSCORE', P .. 'tickets', '-inf', now, 'LIMIT', 0, limit)
  for _, ticket in ipairs(dead) do withdraw(ticket, true) end
  return #dead
end

-- Withdraws the tickets of replicas that stopped renewing their liveness (crashed): their
-- waiters cannot be answered, and must not hold back anyone else.
local function purge_dead_replicas(now, limit)
  local purged = 0
  for _, replica in ipairs(redis.call('ZRANGEBYSCORE', P .. 'replicas', '-inf', now, 'LIMIT', 0, limit)) do
    local left = limit - purged
    if left <= 0 then break end
    for _, ticket in ipairs(redis.call('SRANDMEMBER', P .. 'qw:' .. replica, left)) do
      withdraw(ticket, true)
      purged = purged + 1
    end
    if redis.call('SCARD', P .. 'qw:' .. replica) == 0 then redis.call('ZREM', P .. 'replicas', replica) end
  end
  return purged
end

-- Bookkeeping every mutating script does first, bounded per run, so a state change never acts on
-- a resource whose heartbeat has lapsed or behind a dead waiter.
local function housekeeping(now)
  mark_lapsed_down(now, 64)
  purge_dead_tickets(now, 64)
  settle(now)
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

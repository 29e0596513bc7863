-- Extends leases held by one worker.
-- KEYS[1] prefix
-- ARGV[1] worker_id   ARGV[2] new lease length (ms)
-- ARGV[3] how long a request_id's answer (or a ticket's) is kept after its leases would end (ms)
-- ARGV[4..] ids (none: all of the worker's)
-- Returns JSON: {status=completed, details={id={status=renewed, expires_at}|{status=not_held|not_found}}}
-- (a lease past its expiry is not_held: it is reclaimed now, as an expiry, never extended)
--             | {status=forbidden, resources=[...]} (nothing changed)
local worker, lease_ms, retention_ms = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
local now = now_ms()

local ids = named_or_held(4, worker)

local foreign = foreign_holders(ids, worker, now)
if #foreign > 0 then return cjson.encode({ status = 'forbidden', resources = foreign }) end
housekeeping(now)

local expires = now + lease_ms
local details = {}

-- Keeps key (a kept answer) at least lease_ms + retention_ms from now. A key already gone (PTTL -2: a waiter that
-- was notified took its ticket's answer) stays gone, at the cost of one PTTL.
local function keep(key)
  local ttl = redis.call('PTTL', key)
  if ttl ~= -2 and ttl < lease_ms + retention_ms then redis.call('PEXPIRE', key, lease_ms + retention_ms) end
end
for _, id in ipairs(ids) do
  local k = rkey(id)
  local f = redis.call('HMGET', k, 'type', 'worker', 'fence', 'request', 'ticket')
  if not f[1] then
    details[id] = { status = 'not_found' }
  elseif f[2] == worker and live_holder(id, k, now) == worker then
    redis.call('HSET', k, 'expires', expires)
    redis.call('ZADD', P .. 'leases', expires, id)
    -- The answer of the request that granted it lives as long as the lease (and the retention
    -- after), so a retry of that request never finds it gone and allocates a second time.
    if f[4] then keep(P .. 'req:' .. f[4]) end
    -- So does the answer kept for the ticket it was granted to (until its waiter takes it): a withdrawal of that
    -- ticket, however late (retried through an outage), is then told of the grant it must hand back.
    if f[5] then keep(P .. 'ta:' .. f[5]) end
    details[id] = { status = 'renewed', expires_at = expires, fencing_token = tonumber(f[3]) }
  else
    details[id] = { status = 'not_held' }
  end
end
settle(now)
return cjson.encode({ status = 'completed', details = details })

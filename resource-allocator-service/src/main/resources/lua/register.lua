-- Registers a resource, or updates one already registered (its lease, drain and resetting state
-- stay). The registering principal becomes its owner; another principal's registration of it changes
-- nothing. A registration never makes a resource that owes a reset free (lib.lua I7): one down after a
-- failed or timed-out reset, or deleted while its reset was owed, starts that reset again (its owner is
-- told on ch:expired, and only its 'done' report offers it).
-- KEYS[1] prefix
-- ARGV[1] id   ARGV[2] type   ARGV[3] endpoint JSON   ARGV[4] labels JSON   ARGV[5] heartbeat TTL (ms, 0 = none)
-- ARGV[6] '1' if the resource needs a reset between leases (see reset.lua), else '0'
-- ARGV[7] the registering principal ('service', 'agent:<id>', 'open')
-- Returns JSON: {status=created|updated} | {status=type_conflict, type=current} (leased under another type)
--             | {status=not_owner, owner} (nothing changed)
local id, rtype, endpoint, labels, hb_ttl, reset = ARGV[1], ARGV[2], ARGV[3], ARGV[4], tonumber(ARGV[5]), ARGV[6]
local principal = ARGV[7]
local now = now_ms()
housekeeping(now)
local k = rkey(id)
local f = redis.call('HMGET', k, 'type', 'worker', 'owner', 'resetting')
local status = 'updated'
if f[3] and f[3] ~= principal then return cjson.encode({ status = 'not_owner', owner = f[3] }) end
if not f[1] then
  status = 'created'
  redis.call('SADD', P .. 'all', id)
  redis.call('HINCRBY', P .. 'types', rtype, 1)
  redis.call('HSET', k, 'id', id, 'type', rtype, 'admin', 'active', 'created', now)
  -- Registered before (and deleted): its record shows the last token issued, as fence[id] kept it.
  local last = redis.call('HGET', P .. 'fence', id)
  if last then redis.call('HSET', k, 'fence', last) end
elseif f[1] ~= rtype then
  if f[2] then return cjson.encode({ status = 'type_conflict', type = f[1] }) end
  take_free(id, f[1])
  if redis.call('HINCRBY', P .. 'types', f[1], -1) <= 0 then redis.call('HDEL', P .. 'types', f[1]) end
  redis.call('HINCRBY', P .. 'types', rtype, 1)
  redis.call('HSET', k, 'type', rtype)
end
redis.call('HSET', k, 'endpoint', endpoint, 'labels', labels, 'hb_ttl_ms', hb_ttl, 'health', 'up', 'reset', reset,
  'owner', principal)
redis.call('HDEL', k, 'down_reason')
if hb_ttl > 0 then
  redis.call('ZADD', P .. 'hb', now + hb_ttl, id)
else
  redis.call('ZREM', P .. 'hb', id)
end
local owed = redis.call('HGET', P .. 'owed', id)
if owed and not f[2] and not f[4] then begin_reset(id, k, rtype, '', owed, now) end
offer_free(id, k, rtype, now)
settle(now)
return cjson.encode({ status = status })

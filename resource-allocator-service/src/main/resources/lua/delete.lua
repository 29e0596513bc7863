-- Removes a resource from the inventory. A leased one is refused unless forced; a forced delete
-- revokes the lease and publishes it like an expiry, so the holder's sessions are dropped.
-- KEYS[1] prefix   ARGV[1] id   ARGV[2] '1' to force
-- Returns JSON: {status=deleted} | {status=not_found} | {status=leased, worker_id}
local id, force = ARGV[1], ARGV[2] == '1'
local now = now_ms()
housekeeping(now)
local k = rkey(id)
local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence')
if not f[1] then return cjson.encode({ status = 'not_found' }) end
if f[2] then
  if not force then return cjson.encode({ status = 'leased', worker_id = f[2] }) end
  redis.call('HSET', k, 'admin', 'draining')
  end_lease(id, k, f[1], f[2], f[3], f[4], 'revoke', now)
  redis.call('PUBLISH', P .. 'ch:expired', cjson.encode({
    resource_id = id, type = f[1], worker_id = f[2], lease_id = f[3],
    fencing_token = tonumber(f[4]), reason = 'deleted' }))
end
take_free(id, f[1])
redis.call('ZREM', P .. 'hb', id)
redis.call('ZREM', P .. 'resetting', id)
redis.call('SREM', P .. 'all', id)
if redis.call('HINCRBY', P .. 'types', f[1], -1) <= 0 then redis.call('HDEL', P .. 'types', f[1]) end
redis.call('DEL', k)
settle(now)
return cjson.encode({ status = 'deleted' })

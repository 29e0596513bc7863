-- Removes a resource from the inventory: its owner or the service token (an operator). A leased one is
-- refused unless forced; a forced delete revokes the lease and publishes it like an expiry, so the
-- holder's sessions are dropped. A resource that owes a reset (resetting) is refused unless forced too:
-- a plain delete followed by the owner's re-registration must not skip the reset. Forced, the reset
-- stays owed (lib.lua I7: owed survives the delete), so a re-registration starts it again.
-- KEYS[1] prefix   ARGV[1] id   ARGV[2] '1' to force   ARGV[3] the calling principal
-- Returns JSON: {status=deleted} | {status=not_found} | {status=leased, worker_id}
--             | {status=resetting, fencing_token} | {status=not_owner, owner} (nothing changed)
local id, force, principal = ARGV[1], ARGV[2] == '1', ARGV[3]
local now = now_ms()
housekeeping(now)
local k = rkey(id)
local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence', 'resetting', 'owner')
if not f[1] then return cjson.encode({ status = 'not_found' }) end
if not is_operator(principal) and not owns(k, principal) then
  return cjson.encode({ status = 'not_owner', owner = f[6] })
end
if live_holder(id, k, now) then
  if not force then return cjson.encode({ status = 'leased', worker_id = f[2] }) end
  redis.call('HSET', k, 'admin', 'draining')
  end_lease(id, k, f[1], f[2], f[3], f[4], 'revoke', now)
  redis.call('PUBLISH', P .. 'ch:expired', cjson.encode({
    resource_id = id, type = f[1], worker_id = f[2], lease_id = f[3],
    fencing_token = tonumber(f[4]), reason = 'deleted' }))
else
  local resetting = redis.call('HGET', k, 'resetting')
  if resetting and not force then
    return cjson.encode({ status = 'resetting', fencing_token = tonumber(resetting) })
  end
end
take_free(id, f[1])
redis.call('ZREM', P .. 'hb', id)
redis.call('ZREM', P .. 'resetting', id)
redis.call('SREM', P .. 'all', id)
if redis.call('HINCRBY', P .. 'types', f[1], -1) <= 0 then redis.call('HDEL', P .. 'types', f[1]) end
redis.call('DEL', k)
settle(now)
return cjson.encode({ status = 'deleted' })

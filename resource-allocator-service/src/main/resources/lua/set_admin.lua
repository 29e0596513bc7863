-- Drains a resource (no new leases; a current lease runs on) or puts it back into service.
-- KEYS[1] prefix   ARGV[1] id   ARGV[2] 'draining' or 'active'
-- Returns JSON: {status=ok} | {status=not_found}
local id, admin = ARGV[1], ARGV[2]
local now = now_ms()
housekeeping(now)
local k = rkey(id)
local rtype = redis.call('HGET', k, 'type')
if not rtype then return cjson.encode({ status = 'not_found' }) end
redis.call('HSET', k, 'admin', admin)
if admin == 'draining' then
  take_free(id, rtype)
else
  offer_free(id, k, rtype, now)
end
settle(now)
return cjson.encode({ status = 'ok' })

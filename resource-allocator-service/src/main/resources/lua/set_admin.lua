-- Drains a resource (no new leases; a current lease runs on) or puts it back into service, recording
-- who drained it. Drain: its owner or the service token (an operator). Undrain: whoever drained it, or
-- the service token, which may lift any drain (audited with its own name). Undraining never offers a
-- resource that is leased, resetting or owes a reset (offer_free, I1/I7).
-- KEYS[1] prefix   ARGV[1] id   ARGV[2] 'draining' or 'active'   ARGV[3] the calling principal
-- Returns JSON: {status=ok} | {status=not_found} | {status=not_owner, owner}
--             | {status=not_drainer, drained_by} (nothing changed)
local id, admin, principal = ARGV[1], ARGV[2], ARGV[3]
local now = now_ms()
housekeeping(now)
local k = rkey(id)
local f = redis.call('HMGET', k, 'type', 'admin', 'drained_by', 'owner')
local rtype = f[1]
if not rtype then return cjson.encode({ status = 'not_found' }) end
if not is_operator(principal) and not owns(k, principal) then
  return cjson.encode({ status = 'not_owner', owner = f[4] })
end
if admin == 'draining' then
  redis.call('HSET', k, 'admin', admin, 'drained_by', principal, 'drained_at', now)
  take_free(id, rtype)
  admin_event('drain', id, rtype, principal, now)
elseif f[2] == 'draining' then
  if f[3] and f[3] ~= principal and not is_operator(principal) then
    return cjson.encode({ status = 'not_drainer', drained_by = f[3] })
  end
  redis.call('HSET', k, 'admin', admin)
  redis.call('HDEL', k, 'drained_by', 'drained_at')
  admin_event('undrain', id, rtype, principal, now)
  offer_free(id, k, rtype, now)
end
settle(now)
return cjson.encode({ status = 'ok' })

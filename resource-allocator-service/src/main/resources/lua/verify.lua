-- Tells whether a lease token is the live lease's token of a resource: the check a service that
-- acts on a resource makes before every action (docs/isolation.md).
-- KEYS[1] prefix
-- ARGV[1] resource id   ARGV[2] lease token
-- Returns JSON: {status=live, type, worker_id, lease_id, fencing_token, expires_at}
--             | {status=not_live} (no lease, expired, or another lease's token: not told apart)
--             | {status=not_found}
local id, token = ARGV[1], ARGV[2]
local now = now_ms()
local k = rkey(id)
if redis.call('EXISTS', k) == 0 then return cjson.encode({ status = 'not_found' }) end
if not live_holder(id, k, now) then
  settle(now) -- the lease may just have been reclaimed: its resource goes to the waiters
  return cjson.encode({ status = 'not_live' })
end
local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'lease_token', 'fence', 'expires')
if f[4] ~= token then return cjson.encode({ status = 'not_live' }) end
return cjson.encode({ status = 'live', type = f[1], worker_id = f[2], lease_id = f[3],
  fencing_token = tonumber(f[5]), expires_at = tonumber(f[6]) })

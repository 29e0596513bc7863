-- Records a heartbeat: pushes the deadline out and brings a down resource back, unless it went
-- down because its reset failed or timed out (it is not clean: only a re-registration, which starts the
-- reset again, and the owner's 'done' report bring it back). Only the resource's owner may heart-beat it.
-- KEYS[1] prefix   ARGV[1] id   ARGV[2] the calling principal
-- Returns JSON: {status=ok, was=up|down} | {status=not_found} | {status=not_owner, owner} (nothing changed)
local id, principal = ARGV[1], ARGV[2]
local now = now_ms()
housekeeping(now)
local k = rkey(id)
local f = redis.call('HMGET', k, 'type', 'hb_ttl_ms', 'health', 'down_reason')
if not f[1] then return cjson.encode({ status = 'not_found' }) end
if not owns(k, principal) then return cjson.encode({ status = 'not_owner', owner = redis.call('HGET', k, 'owner') }) end
local ttl = tonumber(f[2])
if ttl > 0 then redis.call('ZADD', P .. 'hb', now + ttl, id) end
if not f[4] then redis.call('HSET', k, 'health', 'up') end
offer_free(id, k, f[1], now)
settle(now)
return cjson.encode({ status = 'ok', was = f[3] })

-- The owner of a resource reports the reset that followed the end of its lease (lib.lua, I7). Only the
-- principal that registered the resource may (not even the service token for an agent's resource).
-- KEYS[1] prefix   ARGV[1] id   ARGV[2] fencing token of the lease that ended   ARGV[3] done|failed
-- ARGV[4] reason (failed only)   ARGV[5] the reporting principal
-- Returns JSON: {status=free|down} | {status=not_found} | {status=not_resetting} | {status=not_owner, owner}
--             | {status=stale, fencing_token=the token being reset after} (nothing changed)
local id, fence, outcome, reason, principal = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local now = now_ms()
housekeeping(now)
local k = rkey(id)
local f = redis.call('HMGET', k, 'type', 'resetting')
if not f[1] then return cjson.encode({ status = 'not_found' }) end
if not owns(k, principal) then return cjson.encode({ status = 'not_owner', owner = redis.call('HGET', k, 'owner') }) end
if not f[2] then return cjson.encode({ status = 'not_resetting' }) end
if f[2] ~= fence then return cjson.encode({ status = 'stale', fencing_token = tonumber(f[2]) }) end
finish_reset(id, k, outcome, reason, now)
settle(now)
return cjson.encode({ status = outcome == 'done' and 'free' or 'down' })

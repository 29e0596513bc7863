-- Releases leases held by one worker.
-- KEYS[1] prefix
-- ARGV[1] worker_id   ARGV[2..] ids (none: all of the worker's leases)
-- Returns JSON: {status=completed, details={id=released|expired|already_released|not_found}}
-- (expired: the worker's lease had run past its expiry and is reclaimed now, as an expiry)
--             | {status=forbidden, resources=[ids held by another worker]} (nothing changed)
local worker = ARGV[1]
local now = now_ms()

local ids = named_or_held(2, worker)

local foreign = foreign_holders(ids, worker, now)
if #foreign > 0 then return cjson.encode({ status = 'forbidden', resources = foreign }) end
housekeeping(now)

local details = {}
for _, id in ipairs(ids) do
  local k = rkey(id)
  local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence', 'expires')
  if not f[1] then
    details[id] = 'not_found'
  elseif f[2] == worker and tonumber(f[5]) <= now then
    expire_lease(id, k, now)
    details[id] = 'expired'
  elseif f[2] == worker then
    end_lease(id, k, f[1], worker, f[3], f[4], 'release', now)
    details[id] = 'released'
  else
    details[id] = 'already_released'
  end
end
settle(now)
return cjson.encode({ status = 'completed', details = details })

-- Gives back the grants of an allocation whose client went away before the answer could be
-- delivered: each named lease is ended as the holder, audited as kind 'abandon' ('expire' when it is
-- already past its expiry, as every lease boundary judges it), and only if it is
-- still exactly that lease (nothing else may have happened to it in between). The request_id's
-- cached answer is dropped too: nobody ever saw those leases, so a retry of the same request_id
-- must be decided afresh rather than told it is settled, unless /release/request settled it already. Nothing at
-- all when a retry of the same request_id was already handed these leases as a replay (see below).
-- KEYS[1] prefix
-- ARGV[1] worker_id   ARGV[2] request_id or ''   ARGV[3..] lease ids (<resource id>:<fence>)
-- Returns the number of leases ended.
local worker, request_id = ARGV[1], ARGV[2]
local now = now_ms()
local ended = 0
-- Leases already handed to a retry of the same request_id (allocate.lua marks the answer replayed) were delivered
-- after all: the worker holds them, so nothing is ended and the answer stays.
if request_id ~= '' then
  local cached = redis.call('GET', P .. 'req:' .. request_id)
  if cached then
    local answer = cjson.decode(cached)
    if answer.worker_id == worker and answer.replayed then return 0 end
  end
end
for i = 3, #ARGV do
  local lease_id = ARGV[i]
  -- The fence is the part after the last ':' (a resource id may itself contain ':').
  local id = string.match(lease_id, '^(.*):%d+$')
  if id then
    local k = rkey(id)
    local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence', 'expires')
    if f[2] == worker and f[3] == lease_id then
      -- Judged as release.lua judges it: a lease past its expiry is reclaimed as an expiry (with its message).
      if tonumber(f[5]) <= now then
        expire_lease(id, k, now)
      else
        end_lease(id, k, f[1], worker, lease_id, f[4], 'abandon', now)
      end
      ended = ended + 1
    end
  end
end
if request_id ~= '' then
  local cached = redis.call('GET', P .. 'req:' .. request_id)
  local answer = cached and cjson.decode(cached)
  -- A request settled by release_request.lua keeps its answer: dropping it would let a late copy of
  -- the request be granted again.
  if answer and answer.worker_id == worker and not answer.settled then redis.call('DEL', P .. 'req:' .. request_id) end
end
settle(now)
return ended

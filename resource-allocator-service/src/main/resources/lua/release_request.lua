-- Settles one allocation by its request_id for a client that never learned its outcome (a 5xx, a
-- deadline or a cut connection after the request was sent): every lease that request granted and
-- that is still exactly that lease is released as its holder; a request_id nothing was granted to
-- yet is marked withdrawn, so a copy of the request still in flight (or queued with that id) grants
-- nothing later. Either way the request_id is then settled: a replay answers request_settled.
-- KEYS[1] prefix
-- ARGV[1] worker_id   ARGV[2] request_id   ARGV[3] how long a withdrawn request_id is remembered (ms)
-- Returns JSON: {status=completed, released=[lease ids ended now]}
--             | {status=request_conflict, worker_id} (another worker's request_id; nothing changed)
local worker, request_id, retention_ms = ARGV[1], ARGV[2], tonumber(ARGV[3])
local now = now_ms()
local rk = P .. 'req:' .. request_id
local cached = redis.call('GET', rk)
local released = {}
if cached then
  local answer = cjson.decode(cached)
  if answer.worker_id ~= worker then
    return cjson.encode({ status = 'request_conflict', worker_id = answer.worker_id })
  end
  for _, g in ipairs(answer.grants or {}) do
    local k = rkey(g.id)
    local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence')
    if f[2] == worker and f[3] == g.lease_id then
      end_lease(g.id, k, f[1], worker, g.lease_id, f[4], 'release', now)
      released[#released + 1] = g.lease_id
    end
  end
  -- The answer stays: with its leases ended, a replay is request_settled (allocate.lua).
else
  redis.call('SET', rk, cjson.encode({ status = 'withdrawn', worker_id = worker, withdrawn = true, grants = {} }),
    'PX', retention_ms)
end
-- Tickets still waiting with this request_id are sent back; deciding again, they meet the settled answer.
for _, sibling in ipairs(redis.call('SMEMBERS', P .. 'qr:' .. request_id)) do withdraw(sibling, true) end
settle(now)
return cjson.encode({ status = 'completed', released = released })

-- Settles one allocation by its request_id for a client that never learned its outcome (a 5xx, a
-- deadline or a cut connection after the request was sent): every lease that request granted and
-- that is still exactly that lease is released as its holder; a request_id nothing was granted to
-- yet is marked withdrawn, so a copy of the request still in flight (or queued with that id) grants
-- nothing later. Either way the request_id is then settled: a replay answers request_settled.
-- KEYS[1] prefix
-- ARGV[1] worker_id   ARGV[2] request_id   ARGV[3] how long a withdrawn request_id is remembered (ms)
-- ARGV[4] 'check': only say whether the request_id is another worker's here, changing nothing (the
--         first pass over several cells, so no cell is changed when any of them will refuse)
-- Returns JSON: {status=completed, released=[lease ids ended now], expired=[lease ids found past expiry]}
--             | {status=checked} (ARGV[4] 'check', and the request_id is not another worker's here)
--             | {status=request_conflict, worker_id} (another worker's request_id; nothing changed)
local worker, request_id, retention_ms, check_only = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4] == 'check'
local now = now_ms()
local rk = P .. 'req:' .. request_id
local cached = redis.call('GET', rk)
local answer = cached and cjson.decode(cached)
-- Ownership is decided before anything is written: the saved answer's worker, then every ticket still
-- waiting with this id (a waiting request has no saved answer yet, only its ticket names its worker).
if answer and answer.worker_id ~= worker then
  return cjson.encode({ status = 'request_conflict', worker_id = answer.worker_id })
end
local waiting = redis.call('SMEMBERS', P .. 'qr:' .. request_id)
for _, ticket in ipairs(waiting) do
  local owner = redis.call('HGET', P .. 't:' .. ticket, '_worker')
  if owner and owner ~= worker then return cjson.encode({ status = 'request_conflict', worker_id = owner }) end
end
if check_only then return cjson.encode({ status = 'checked' }) end
local released, expired = {}, {}
if answer then
  for _, g in ipairs(answer.grants or {}) do
    local k = rkey(g.id)
    local f = redis.call('HMGET', k, 'type', 'worker', 'lease_id', 'fence', 'expires')
    if f[2] == worker and f[3] == g.lease_id then
      -- Judged as release.lua judges it: a lease past its expiry is reclaimed as an expiry, not released.
      if tonumber(f[5]) <= now then
        expire_lease(g.id, k, now)
        expired[#expired + 1] = g.lease_id
      else
        end_lease(g.id, k, f[1], worker, g.lease_id, f[4], 'release', now)
        released[#released + 1] = g.lease_id
      end
    end
  end
  -- The answer stays, marked settled so abandon.lua never drops it: with its leases ended, a replay is
  -- request_settled (allocate.lua), however late the copy.
  answer.settled = true
  local ttl = redis.call('PTTL', rk)
  if ttl > 0 then redis.call('SET', rk, cjson.encode(answer), 'PX', ttl) else redis.call('SET', rk, cjson.encode(answer)) end
else
  redis.call('SET', rk, cjson.encode({ status = 'withdrawn', worker_id = worker, withdrawn = true, settled = true,
    grants = {} }), 'PX', retention_ms)
end
-- The caller's tickets still waiting with this request_id (no other worker's: checked above) are sent
-- back; deciding again, they meet the settled answer.
for _, sibling in ipairs(waiting) do withdraw(sibling, true) end
settle(now)
return cjson.encode({ status = 'completed', released = released, expired = expired })

-- Ends a wait on its waiter's side (the wait ran out, the client went away, or the replica lost
-- its notifications): the answer if the ticket was granted meanwhile, else the ticket is withdrawn.
-- KEYS[1] prefix   ARGV[1] ticket   ARGV[2..] the request's types (request order, may repeat)
-- Returns JSON: {status=granted, worker_id, grants} (granted before the wait ended: the caller
--               delivers or abandons it; the same answer again when asked again)
--             | {status=insufficient, types={T={requested,available,queued_ahead}}} where
--               queued_ahead is the demand of the other tickets still queued for T
local ticket = ARGV[1]
local now = now_ms()
local granted = redis.call('GET', P .. 'ta:' .. ticket)
if granted then
  -- The answer stays (until its TTL, which renew.lua extends with the leases): this withdrawal may be asked again
  -- with its answer lost (a connection cut after the script; PersistentCleanups asks until it gets one), and must
  -- again be told of the grant that is to be handed back. The grant was written by another script (a release, a
  -- reaper run); writing the answer back is also the write that makes the replica WAIT after this script cover it.
  -- Never answer it without a write.
  redis.call('SET', P .. 'ta:' .. ticket, granted, 'KEEPTTL')
  return granted
end
local tk = P .. 't:' .. ticket
local demand, order = {}, {}
for i = 2, #ARGV do
  local rtype = ARGV[i]
  if not demand[rtype] then demand[rtype] = 0; order[#order + 1] = rtype end
  demand[rtype] = demand[rtype] + 1
end
local queued = redis.call('EXISTS', tk) == 1
withdraw(ticket, false)
settle(now)
local shortage = {}
for _, rtype in ipairs(order) do
  shortage[rtype] = { requested = demand[rtype], available = redis.call('ZCARD', P .. 'free:' .. rtype),
    queued_ahead = tonumber(redis.call('HGET', P .. 'qs:' .. rtype, 'dem') or 0) }
end
return cjson.encode({ status = 'insufficient', types = shortage, was_queued = queued })

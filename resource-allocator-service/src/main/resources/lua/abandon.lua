-- Gives back the grants of an allocation whose client went away before the answer could be
-- delivered: each named lease is ended as the holder, audited as kind 'abandon' ('expire' when it is
-- already past its expiry, as every lease boundary judges it), and only if it is
-- still exactly that lease (nothing else may have happened to it in between). The request_id's
-- cached answer is dropped too: nobody ever saw those leases, so a retry of the same request_id
-- must be decided afresh rather than told it is settled, unless /release/request settled it already.
-- With a request_id whose kept answer holds exactly these leases, the abandon gives back one handing
-- (allocate.lua counts the first grant and each replay of it): while another call that was handed them
-- has not given its handing back, the worker may hold them, and nothing is ended.
-- Each abandon has an identity, the same for every run of it: a run whose answer was lost (the connection cut after
-- the script) is asked again (PersistentCleanups), and must not give back a second handing, which would end leases a
-- replay delivered meanwhile handed to a client that holds them. The kept answer records the identities that gave
-- their handing back (abandons), so the record lives exactly as long as the count it guards; a repeat changes nothing
-- and answers 0, as the first run did. Only the last MAX_ABANDONS are kept: a worker replaying its request and dropping
-- the connection over and over would otherwise grow the record without bound (review 21). A repeat comes within
-- seconds of its lost answer (PersistentCleanups' pauses are at most 4 s); to find its identity dropped, that many
-- other handings of the same request must have been given back in between, which only the same worker's own replays
-- can do, and what it then risks is its own replay's leases, never another worker's. An abandon that ended the leases needs no record: lease ids carry their fence,
-- never granted twice, so a repeat finds them ended (or another grant of the request_id) and ends nothing.
-- KEYS[1] prefix
-- ARGV[1] the abandon's identity (unique; kept across its retries)   ARGV[2] worker_id   ARGV[3] request_id or ''
-- ARGV[4..] lease ids (<resource id>:<fence>)
-- Returns the number of leases ended.
local abandon_id, worker, request_id = ARGV[1], ARGV[2], ARGV[3]
local FIRST_LEASE = 4
local MAX_ABANDONS = 8
local now = now_ms()
local ended = 0

-- The kept answer of this request_id when it is this worker's, not settled, and holds exactly the leases
-- named: an abandon retried after an outage may meet a later grant of the same request_id, or a settled
-- or withdrawn one, and must leave those as they are (dropping one would let a copy of the request be
-- granted again).
local rk = P .. 'req:' .. request_id
local answer = nil
if request_id ~= '' then
  local cached = redis.call('GET', rk)
  answer = cached and cjson.decode(cached)
  if answer and (answer.worker_id ~= worker or answer.settled or type(answer.grants) ~= 'table'
      or #answer.grants ~= #ARGV - FIRST_LEASE + 1) then
    answer = nil
  end
  if answer then
    local named = {}
    for i = FIRST_LEASE, #ARGV do named[ARGV[i]] = true end
    for _, g in ipairs(answer.grants) do
      if not named[g.lease_id] then answer = nil; break end
    end
  end
end
if answer then
  if type(answer.abandons) ~= 'table' then answer.abandons = {} end
  for _, seen in ipairs(answer.abandons) do
    if seen == abandon_id then return 0 end
  end
  local handed = (tonumber(answer.handed) or 1) - 1
  if handed > 0 then
    answer.handed = handed
    -- oldest first; the oldest dropped once the list is full
    table.insert(answer.abandons, abandon_id)
    if #answer.abandons > MAX_ABANDONS then table.remove(answer.abandons, 1) end
    redis.call('SET', rk, cjson.encode(answer), 'KEEPTTL')
    return 0
  end
end

for i = FIRST_LEASE, #ARGV do
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
if answer then redis.call('DEL', rk) end
settle(now)
return ended

-- Prelude of the controller's scripts, prepended by LuaScript before loading.
--
-- The controller reads the allocator's lease record r:<id> (see the allocator's lua/lib.lua:
-- worker, lease_id, lease_token, fence, expires (epoch ms), endpoint JSON) and never writes it.
-- A lease is live while worker is set and expires is later than Redis' clock: the same clock
-- the allocator's scripts use, so both services agree on the instant a lease ends.

local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end

-- Compares two secrets in time that depends on their length only, never on where they differ.
local function same_secret(a, b)
  if type(a) ~= 'string' or type(b) ~= 'string' or #a ~= #b or #a == 0 then return false end
  local diff = 0
  for i = 1, #a do
    diff = bit.bor(diff, bit.bxor(string.byte(a, i), string.byte(b, i)))
  end
  return diff == 0
end

-- The live lease of a record as {worker, lease_id, lease_token, fence, endpoint, type}, or nil when
-- there is none (never granted, released, revoked, or past its expiry whether or not reaped).
local function live_lease(record_key, now)
  local r = redis.call('HMGET', record_key, 'worker', 'lease_id', 'lease_token', 'fence', 'expires', 'endpoint', 'type')
  local expires, fence = tonumber(r[5]), tonumber(r[4])
  if not r[1] or not r[2] or not expires or not fence or expires <= now then return nil end
  return { worker = r[1], lease_id = r[2], lease_token = r[3], fence = fence, endpoint = r[6], type = r[7] }
end

-- Ends an active session, keeping it for a while so late calls learn why.
local function end_session(session_key, reason, ended_at, retention_ms)
  redis.call('HSET', session_key, 'state', 'ended', 'ended_reason', reason, 'ended_at', ended_at)
  redis.call('PEXPIRE', session_key, retention_ms)
end

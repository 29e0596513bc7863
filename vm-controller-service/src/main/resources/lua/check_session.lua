-- The check before a request reaches a session's VM, in one round trip: the session is active,
-- its lease is still the live lease of the resource (not released, expired, revoked or re-granted),
-- the presented lease token is that lease's, and no newer fencing token has been seen for the
-- resource. A session whose lease is over is ended on the spot.
--
-- What a refusal may say depends on the credential presented (docs/isolation.md, "What a refusal
-- says"): a caller whose token is neither the resource's live lease token nor the token of the
-- addressed session's own lease gets 'refused' (or 'not_live' when its call ended a session whose
-- lease was over), the same answer whether or not the session exists, has ended, or the resource is
-- held by anyone. Only a caller with one of those tokens learns more (absent, ended and why, not
-- the holder, stale).
--
-- KEYS[1] session   KEYS[2] lease record   KEYS[3] highest fencing token per resource
-- ARGV[1] presented lease token   ARGV[2] resource id   ARGV[3] now (ISO-8601, for ended_at)
-- ARGV[4] how long an ended session is kept (ms)   ARGV[5] '1' to check the lease, '0' to skip it
--         (measurement only: envgrid.vm-controller.lease-check)   ARGV[6] worker id of the session
-- Returns {'ok', field, value, ...} (the session) | {'absent'} | {'ended', reason}
--       | {'not_live'} (the session was ended by this check) | {'refused'} (nothing changed)
--       | {'not_holder'} | {'stale', highest fencing token}
local s = redis.call('HMGET', KEYS[1], 'state', 'lease_id', 'fencing_token', 'worker_id', 'ended_reason',
  'lease_token_sha')
if ARGV[5] ~= '1' then
  if not s[1] then return { 'absent' } end
  if s[1] ~= 'active' then return { 'ended', s[5] or '' } end
else
  local lease = live_lease(KEYS[2], now_ms())
  local holds_live = lease ~= nil and same_secret(lease.lease_token, ARGV[1])
  if not s[1] then
    if not holds_live then return { 'refused' } end
    if lease.worker ~= ARGV[6] then return { 'not_holder' } end
    return { 'absent' }
  end
  if s[1] ~= 'active' then
    local own = same_secret(s[6], redis.sha1hex(ARGV[1]))
    if own or (holds_live and lease.worker == ARGV[6]) then return { 'ended', s[5] or '' } end
    if holds_live then return { 'not_holder' } end
    return { 'refused' }
  end
  if not lease or lease.lease_id ~= s[2] or lease.worker ~= s[4] then
    end_session(KEYS[1], 'lease_not_live', ARGV[3], ARGV[4])
    -- The caller holds the resource's live lease, but acts through another worker's session.
    if holds_live and lease.worker ~= s[4] then return { 'not_holder' } end
    return { 'not_live' }
  end
  if not holds_live then return { 'refused' } end
  local highest = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
  if (tonumber(s[3]) or 0) < highest then
    end_session(KEYS[1], 'stale_fencing_token', ARGV[3], ARGV[4])
    return { 'stale', tostring(highest) }
  end
end
local session = redis.call('HGETALL', KEYS[1])
table.insert(session, 1, 'ok')
return session

-- Ends a controller session, keeping it for a while so late requests learn that it ended.
-- KEYS[1] session hash; ARGV[1] lease id the session must belong to ('' = any lease);
-- ARGV[2] reason; ARGV[3] time (ISO-8601); ARGV[4] how long to keep the ended session (ms).
local state = redis.call('HGET', KEYS[1], 'state')
if not state then
  return 'absent'
end
if ARGV[1] ~= '' and redis.call('HGET', KEYS[1], 'lease_id') ~= ARGV[1] then
  return 'other_lease'
end
if state ~= 'active' then
  return 'already_ended'
end
end_session(KEYS[1], ARGV[2], ARGV[3], ARGV[4])
return 'ended'

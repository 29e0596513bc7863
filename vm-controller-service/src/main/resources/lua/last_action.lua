-- Records whether a session's last action was FAIL (OSWorld's infeasible tasks score it; any other task scores 0
-- after it). Written only while the session is active, so a session that has ended (and whose hash expires) is never
-- recreated or kept alive by a late action.
--
-- KEYS[1] session   ARGV[1] '1': the action was FAIL, '0': another action
-- Returns 1 when the session was active (and recorded), 0 otherwise.
if redis.call('HGET', KEYS[1], 'state') ~= 'active' then return 0 end
if ARGV[1] == '1' then
  redis.call('HSET', KEYS[1], 'last_action', 'FAIL')
else
  redis.call('HDEL', KEYS[1], 'last_action')
end
return 1

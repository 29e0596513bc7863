-- Counts resources by type and state, for GET /stats and the pool gauges (refreshed every few seconds).
-- Counted here, so the answer is a few numbers per type: snapshot.lua answered every resource's whole
-- record, which the JVM then parsed (endpoint and labels JSON included) only to count it.
-- KEYS[1] prefix
-- Returns JSON {T: [total, free, leased, resetting, draining, down]} ({} with no resources); a resource's
-- state as the API shows it: a lease wins over resetting, resetting over draining, draining over down.
local counts = {}
for _, id in ipairs(redis.call('SMEMBERS', P .. 'all')) do
  local f = redis.call('HMGET', rkey(id), 'type', 'worker', 'resetting', 'admin', 'health')
  if f[1] then
    local c = counts[f[1]]
    if not c then c = { 0, 0, 0, 0, 0, 0 }; counts[f[1]] = c end
    local slot
    if f[2] then slot = 3
    elseif f[3] then slot = 4
    elseif f[4] == 'draining' then slot = 5
    elseif f[5] == 'down' then slot = 6
    else slot = 2 end
    c[1] = c[1] + 1
    c[slot] = c[slot] + 1
  end
end
return cjson.encode(counts)

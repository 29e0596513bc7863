-- Opens the controller session of a worker on a resource from the allocator's lease record: the
-- presented lease token must be the live lease's and the lease the worker's. The VM's address is
-- taken from the record's endpoint, never from the caller.
-- KEYS[1] lease record   KEYS[2] session   KEYS[3] highest fencing token per resource
-- ARGV[1] worker id   ARGV[2] resource id   ARGV[3] presented lease token   ARGV[4] session ttl (ms)
-- ARGV[5] now (ISO-8601, for created_at)
-- ARGV[6] '1' when the answer waits for replicas (envgrid.vm-controller.redis.wait-replicas), else '0'
-- Returns {'created'|'exists', field, value, ...} (the session) | {'not_live'} | {'not_holder'}
--       | {'stale', highest fencing token} | {'ended'} (this lease's session was closed) | {'no_endpoint'}
-- The token is checked first: a caller without the live lease's token gets 'not_live' whoever holds the
-- resource, so a made-up entry learns nothing about the lease (docs/isolation.md, "What a refusal says").
local lease = live_lease(KEYS[1], now_ms())
if not lease or not same_secret(lease.lease_token, ARGV[3]) then return { 'not_live' } end
if lease.worker ~= ARGV[1] then return { 'not_holder' } end

local ok, endpoint = pcall(cjson.decode, lease.endpoint or '')
if not ok or type(endpoint) ~= 'table' then return { 'no_endpoint' } end
local ip, port = endpoint.ip, tonumber(endpoint.port)
if (ip == nil or port == nil) and type(endpoint.base_url) == 'string' then
  ip, port = string.match(endpoint.base_url, '^http://([%w%.%-]+):(%d+)')
  port = tonumber(port)
end
if type(ip) ~= 'string' or ip == '' or port == nil or port < 1 or port > 65535 or port % 1 ~= 0 then
  return { 'no_endpoint' }
end

local highest = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
if lease.fence < highest then return { 'stale', tostring(highest) } end
if lease.fence > highest then redis.call('HSET', KEYS[3], ARGV[2], lease.fence) end

local current = redis.call('HMGET', KEYS[2], 'lease_id', 'state')
if current[1] == lease.lease_id then
  if current[2] == 'active' then
    if ARGV[6] == '1' then
      -- WAIT covers the last write of its own connection only, and a replay (after a 503 REPLICATION_TIMEOUT)
      -- may write nothing: rewriting an unchanged field puts this connection at the current end of the
      -- replication stream, past the write that created the session, so the WAIT after it covers the session.
      redis.call('HSET', KEYS[2], 'state', 'active')
    end
    local held = redis.call('HGETALL', KEYS[2])
    table.insert(held, 1, 'exists')
    return held
  end
  return { 'ended' }
end
redis.call('DEL', KEYS[2])
local token = endpoint.token
if type(token) ~= 'string' then token = '' end
redis.call('HSET', KEYS[2], 'worker_id', ARGV[1], 'resource_id', ARGV[2], 'type', lease.type or '',
  'ip', ip, 'port', string.format('%d', port), 'token', token, 'lease_id', lease.lease_id,
  'fencing_token', tostring(lease.fence), 'state', 'active', 'created_at', ARGV[5],
  'lease_token_sha', redis.sha1hex(ARGV[3]))
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local created = redis.call('HGETALL', KEYS[2])
table.insert(created, 1, 'created')
return created

-- Which cell an id belongs to (review h7, item 5): one key per id under the DEFAULT cell's prefix, so every
-- registration of the id, whatever its cell, meets the same key on the same master (on Redis Cluster the cells
-- may be on different masters; this key is always on the default cell's). Registration claims the id before its
-- cell's register.lua runs; the claim is released after its cell's delete.lua removed the resource.
-- Run only with more than one cell (with one cell an id cannot be in another).
-- KEYS[1] the default cell's prefix   ARGV[1] 'claim' | 'release'   ARGV[2] id   ARGV[3] cell name
-- Returns JSON: claim: {cell = the cell the id belongs to now (ARGV[3] if it was unclaimed or already its)}
--               release: {released = true|false} (false: claimed by another cell, or not at all; nothing changed)
local op, id, cell = ARGV[1], ARGV[2], ARGV[3]
local k = P .. 'cell:' .. id
if op == 'claim' then
  local holder = redis.call('GET', k)
  if not holder then
    redis.call('SET', k, cell)
    holder = cell
  end
  return cjson.encode({ cell = holder })
end
if redis.call('GET', k) == cell then
  redis.call('DEL', k)
  return cjson.encode({ released = true })
end
return cjson.encode({ released = false })

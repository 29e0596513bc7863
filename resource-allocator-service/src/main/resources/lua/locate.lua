-- Which of the given resources this cell holds, and which of those another worker holds a live lease on.
-- Read-only: with several cells, a call naming resource ids asks every cell first, then runs in the
-- cell that holds each id.
-- KEYS[1] prefix   ARGV[1] worker_id, or '' (no holder check)   ARGV[2..] ids
-- Returns JSON: {found=[ids registered in this cell], foreign=[of those, ids with another worker's live lease]}
-- (an empty list is encoded as {} by cjson)
local worker = ARGV[1]
local found = {}
for i = 2, #ARGV do
  if redis.call('EXISTS', rkey(ARGV[i])) == 1 then found[#found + 1] = ARGV[i] end
end
local foreign = {}
if worker ~= '' then foreign = foreign_holders(found, worker, now_ms()) end
return cjson.encode({ found = found, foreign = foreign })

-- Periodic bookkeeping run by every replica: expired leases, lapsed heartbeats, tickets past their
-- deadline, and the tickets of replicas that stopped running this script (crashed). Whatever it
-- frees goes to the waiters at the head of the queues in this same run.
-- KEYS[1] prefix   ARGV[1] most items of each kind handled in this run
-- ARGV[2] the calling replica   ARGV[3] how long it counts as alive without another run (ms)
-- ARGV[4] longest a reset may take (ms) before the resource goes down with "reset timed out"
-- Returns {leases reclaimed, resources marked down (heartbeat lapsed or reset timed out),
--          tickets purged (deadline or dead replica)}
local limit = tonumber(ARGV[1])
local now = now_ms()
redis.call('ZADD', P .. 'replicas', now + tonumber(ARGV[3]), ARGV[2])
local reclaimed = reclaim_expired(now, limit)
local down = mark_lapsed_down(now, limit) + time_out_resets(now, tonumber(ARGV[4]), limit)
local purged = purge_dead_tickets(now, limit) + purge_dead_replicas(now, limit)
settle(now)
return { reclaimed, down, purged }

# Sourced by redis.sh and sentinel.sh: sets $master to the master the sentinels name now (asking every
# sentinel but the caller itself), or to pod 0 when none answers, which happens only on the set's first start.
master=""
for s in redis-sentinel-0.redis-sentinel redis-sentinel-1.redis-sentinel redis-sentinel-2.redis-sentinel; do
  [ "$s" = "$(hostname).redis-sentinel" ] && continue
  master="$(timeout 3 redis-cli -h "$s" -p 26379 --raw sentinel get-master-addr-by-name envgrid 2>/dev/null | head -n 1 || true)"
  [ -n "$master" ] && break
done
if [ -z "$master" ]; then master="redis-0.redis"; fi

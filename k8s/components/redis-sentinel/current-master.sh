# Sourced by redis.sh and sentinel.sh. Sets $master to "<host> <port>" of the master the sentinels name now (asking
# every sentinel but the caller itself, $SENTINEL_SELF), $named to "yes" when a sentinel answered and $named_by to
# that sentinel's host:port. When none answers, which happens only on the set's first start, $master is pod 0 and
# $named "no".
# The defaults are the pods' names; the test run sets these to loopback ports (deploy-check RedisHaScriptsTest).
: "${REDIS_SENTINELS:=redis-sentinel-0.redis-sentinel:26379 redis-sentinel-1.redis-sentinel:26379 redis-sentinel-2.redis-sentinel:26379}"
: "${REDIS_FIRST_MASTER:=redis-0.redis 6379}"
ask_sentinels() {
  master=""
  named=no
  named_by=""
  for s in $REDIS_SENTINELS; do
    [ "$s" = "${SENTINEL_SELF:-}" ] && continue
    master="$(timeout 3 redis-cli -h "${s%:*}" -p "${s##*:}" --raw sentinel get-master-addr-by-name envgrid 2>/dev/null \
      | head -n 2 | tr '\n' ' ' | sed 's/ *$//' || true)"
    # only "<host> <port>" is an answer: redis-cli --raw prints an error reply (NOAUTH …) on stdout too
    case "$master" in
      *" "*" "*|" "*) ;;
      *" "*[!0-9]*|*" ") ;;
      *" "*) named=yes; named_by="$s"; return ;;
    esac
  done
  master="$REDIS_FIRST_MASTER"
}
ask_sentinels

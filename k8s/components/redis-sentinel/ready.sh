#!/bin/sh
# Readiness of one Redis data node (its readinessProbe): ready is "could take over as master without losing what it
# was sent". The master that serves is ready. A replica is ready only once it is linked to its master, not part-way
# through a transfer, and promotable (replica-priority not 0: redis.sh keeps a fresh replica at 0 until its first
# sync is over). A StatefulSet's rolling update waits for each restarted pod to be ready before it restarts the next,
# so it never restarts the master while no replica holds the data (k8s/README.md, "Redis"). Exit 0: ready.
set -u
: "${REDIS_PORT:=6379}"
cli() {
  timeout 2 redis-cli -p "$REDIS_PORT" "$@" 2>/dev/null | tr -d '\r'
}
[ "$(cli ping)" = PONG ] || exit 1
replication="$(cli info replication)"
case "$replication" in
  *role:master*) exit 0 ;;
  *role:slave*) ;;
  *) exit 1 ;;
esac
printf '%s\n' "$replication" | grep -q '^master_link_status:up$' || exit 1
printf '%s\n' "$replication" | grep -q '^master_sync_in_progress:0$' || exit 1
priority="$(cli --raw config get replica-priority | sed -n 2p)"
[ -n "$priority" ] && [ "$priority" != 0 ]

#!/bin/sh
# Starts one Redis data node of the Sentinel set. The master is whoever the sentinels name now; only when no
# sentinel answers (the very first start) is pod 0 the master. So a restarted old master rejoins as a replica
# instead of splitting the set in two.
#
# Two guards keep a node without the data from becoming the master (k8s/README.md, "Redis"):
# - a node the sentinels still name master that comes back with an empty data directory (its volume lost) while they
#   know replicas of it does not serve: as a master it would hand its emptiness to the replicas, which resync from
#   it, and every acknowledged grant would be gone. It waits until the sentinels have failed over to a replica that
#   has the data, and joins it. (On the set's first start the sentinels know no replica yet, and since a master
#   takes no write without one, min-replicas-to-write, a master without known replicas has acknowledged nothing. If
#   every data node lost its volume, `SENTINEL RESET envgrid` on each sentinel makes them forget the replicas.)
#   A round in which no sentinel answers, or none tells how many replicas it knows, is asked again, never taken
#   as leave to start;
# - a replica starts with replica-priority 0 (never promoted) and takes the default 100 only once its first sync
#   after the start is complete, so a failover never picks a node that came back empty or part-way through that
#   sync. (A later full resync, after a failover, keeps 100: Redis itself then decides.)
# "Empty" is no append-only file at all: Redis makes one at every start, so a node that ever started here has one,
# and a node that started on an empty volume did so only as a replica at priority 0 (it is never named master before
# its sync) or as the master of a set's first start.
set -eu
# Until redis-server runs, SIGTERM ends the script at once (as PID 1 without a handler it would be ignored).
trap 'exit 143' TERM INT
: "${REDIS_ANNOUNCE:=$(hostname).redis}"
: "${REDIS_PORT:=6379}"
: "${REDIS_DATA_DIR:=/data}"
: "${REDIS_RUN_DIR:=/run/redis}"
self="$REDIS_ANNOUNCE $REDIS_PORT"
. "$(dirname "$0")/current-master.sh"

# What appendonly leaves in the data directory once a node has started: an empty one never held the data set.
has_data() {
  [ -e "$REDIS_DATA_DIR/appendonlydir" ] || [ -e "$REDIS_DATA_DIR/appendonly.aof" ] || [ -e "$REDIS_DATA_DIR/dump.rdb" ]
}
# How many replicas of the master the sentinel that named it knows (SENTINEL MASTER's num-slaves field).
known_replicas() {
  timeout 3 redis-cli -h "${named_by%:*}" -p "${named_by##*:}" --raw sentinel master envgrid 2>/dev/null \
    | awk 'previous == "num-slaves" { print; exit } { previous = $0 }'
}
if [ "$named" = yes ] && [ "$master" = "$self" ] && ! has_data; then
  told=no
  while :; do
    replicas="$(known_replicas || true)"
    case "$replicas" in
      0) break ;;
      ''|*[!0-9]*) ;;
      *)
        if [ "$told" = no ]; then
          echo "the sentinels name this node master and know its replicas, but its data directory is empty:" \
            "waiting for them to fail over to a replica" >&2
          told=yes
        fi ;;
    esac
    sleep 1
    ask_sentinels
    if [ "$named" = no ]; then
      # nobody answered this round: that is no leave to start as master; ask again
      master="$self"
      named=yes
    fi
    [ "$master" = "$self" ] || break
  done
fi

conf="$REDIS_RUN_DIR/redis.conf"
cat > "$conf" <<CONF
port $REDIS_PORT
dir $REDIS_DATA_DIR
requirepass "$REDIS_PASSWORD"
masterauth "$REDIS_PASSWORD"
replica-announce-ip $REDIS_ANNOUNCE
# Refuse writes when full instead of evicting (or being killed at the container limit).
maxmemory 384mb
maxmemory-policy noeviction
appendonly yes
appendfsync everysec
# A master with no replica within 10 s of it refuses writes: bounds what a failover can lose.
min-replicas-to-write 1
min-replicas-max-lag 10
CONF
if [ "$master" != "$self" ]; then
  printf 'replicaof %s\nreplica-priority 0\n' "$master" >> "$conf"
fi

redis-server "$conf" &
pid=$!
trap 'kill -TERM "$pid" 2>/dev/null || true' TERM INT
if [ "$master" != "$self" ]; then
  # in sync: linked to the master and not loading a transfer (INFO replication, read with REDISCLI_AUTH)
  until redis-cli -p "$REDIS_PORT" info replication 2>/dev/null | tr -d '\r' \
      | grep -q '^master_link_status:up$' \
      && ! redis-cli -p "$REDIS_PORT" info replication 2>/dev/null | tr -d '\r' | grep -q '^master_sync_in_progress:1$'; do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  redis-cli -p "$REDIS_PORT" config set replica-priority 100 >/dev/null 2>&1 || true
fi
status=0
wait "$pid" || status=$?
# a signal the trap forwarded ends the first wait early; this one returns redis-server's own status
if kill -0 "$pid" 2>/dev/null; then
  status=0
  wait "$pid" || status=$?
fi
exit "$status"

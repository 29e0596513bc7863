#!/bin/sh
# Starts one sentinel. It monitors the master its peers name (pod 0 on the very first start) and rewrites its
# own config file on every failover, hence a writable copy on an emptyDir.
set -eu
: "${SENTINEL_ANNOUNCE:=$(hostname).redis-sentinel}"
: "${SENTINEL_PORT:=26379}"
: "${SENTINEL_RUN_DIR:=/run/sentinel}"
SENTINEL_SELF="$SENTINEL_ANNOUNCE:$SENTINEL_PORT"
. "$(dirname "$0")/current-master.sh"
conf="$SENTINEL_RUN_DIR/sentinel.conf"
cat > "$conf" <<CONF
port $SENTINEL_PORT
dir $SENTINEL_RUN_DIR
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $SENTINEL_ANNOUNCE
requirepass "$REDIS_PASSWORD"
sentinel sentinel-pass "$REDIS_PASSWORD"
sentinel monitor envgrid $master 2
sentinel auth-pass envgrid "$REDIS_PASSWORD"
sentinel down-after-milliseconds envgrid 5000
sentinel failover-timeout envgrid 60000
sentinel parallel-syncs envgrid 1
CONF
exec redis-sentinel "$conf"

#!/bin/sh
# Starts one sentinel. It monitors the master its peers name (pod 0 on the very first start) and rewrites its
# own config file on every failover, hence a writable copy on an emptyDir.
set -eu
. /scripts/current-master.sh
conf=/run/sentinel/sentinel.conf
cat > "$conf" <<CONF
port 26379
dir /run/sentinel
sentinel resolve-hostnames yes
sentinel announce-hostnames yes
sentinel announce-ip $(hostname).redis-sentinel
requirepass "$REDIS_PASSWORD"
sentinel sentinel-pass "$REDIS_PASSWORD"
sentinel monitor envgrid $master 6379 2
sentinel auth-pass envgrid "$REDIS_PASSWORD"
sentinel down-after-milliseconds envgrid 5000
sentinel failover-timeout envgrid 60000
sentinel parallel-syncs envgrid 1
CONF
exec redis-sentinel "$conf"

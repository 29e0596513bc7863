#!/bin/sh
# Starts one Redis data node of the Sentinel set. The master is whoever the sentinels name now; only when no
# sentinel answers (the very first start) is pod 0 the master. So a restarted old master rejoins as a replica
# instead of splitting the set in two.
set -eu
self="$(hostname).redis"
. /scripts/current-master.sh
conf=/run/redis/redis.conf
cat > "$conf" <<CONF
port 6379
dir /data
requirepass "$REDIS_PASSWORD"
masterauth "$REDIS_PASSWORD"
replica-announce-ip $self
# Refuse writes when full instead of evicting (or being killed at the container limit).
maxmemory 384mb
maxmemory-policy noeviction
appendonly yes
appendfsync everysec
# A master with no replica within 10 s of it refuses writes: bounds what a failover can lose.
min-replicas-to-write 1
min-replicas-max-lag 10
CONF
if [ "$master" != "$self" ]; then echo "replicaof $master 6379" >> "$conf"; fi
exec redis-server "$conf"

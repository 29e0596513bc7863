package io.envgrid.allocator.cell;

import io.envgrid.allocator.redis.RedisKeys;

/**
 * One cell: a part of the pool with its own key prefix and hash tag, so on Redis Cluster it lives on the master
 * that owns its tag's slot. Every key, channel, audit stream, fencing counter and ticket sequence of its
 * resources is under {@code keys.prefix()}; a request is served within one cell.
 */
public record Cell(String name, RedisKeys keys) {

    /** The name of the cell that serves every type no configured cell names (prefix {@code key-prefix}). */
    public static final String DEFAULT = "default";
}

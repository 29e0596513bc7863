package io.envgrid.allocator.redis;

import io.envgrid.allocator.config.AllocatorConfig;
import jakarta.enterprise.context.ApplicationScoped;

/** The Redis names the Java side needs; the scripts derive the rest from the same prefix. */
@ApplicationScoped
public class RedisKeys {

    private final String prefix;

    public RedisKeys(AllocatorConfig config) {
        this.prefix = config.keyPrefix();
    }

    public String prefix() {
        return prefix;
    }

    /** Where the scripts tell one replica's waiters that their ticket was granted or withdrawn. */
    public String waitersChannel(String replica) {
        return prefix + "ch:w:" + replica;
    }

    /** A granted ticket's answer, kept for a waiter that missed its notification. */
    public String ticketAnswer(String ticket) {
        return prefix + "ta:" + ticket;
    }

    /** Published with a JSON record whenever a lease expires or is revoked. */
    public String expiredChannel() {
        return prefix + "ch:expired";
    }

    public String events() {
        return prefix + "events";
    }
}

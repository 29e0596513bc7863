package io.envgrid.vmcontroller.redis;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Every Redis key and channel name this service uses, built in one place.
 *
 * <p>The prefix is the allocator's ({@code envgrid.allocator.key-prefix}, the same property the
 * allocator reads, default {@code {envgrid}:}): the controller reads the allocator's lease records
 * under it, and keeps its own keys under {@code <prefix>vmc:} so that a script may touch a session
 * and a lease record together (the braces put every key in one Redis Cluster slot).
 *
 * <p>A key built from several ids percent-encodes {@code %} and {@code :} in each id and joins them
 * with {@code :} (docs/isolation.md), so no two distinct (worker, resource) pairs share a key:
 * {@code a:b} + {@code c} is {@code a%3Ab:c}, {@code a} + {@code b:c} is {@code a:b%3Ac}.
 */
@ApplicationScoped
public class RedisKeys {

    private final String prefix;

    public RedisKeys(@ConfigProperty(name = "envgrid.allocator.key-prefix", defaultValue = "{envgrid}:") String prefix) {
        this.prefix = prefix;
    }

    /** The allocator's record of a resource (hash; see the allocator's {@code lua/lib.lua}). */
    public String leaseRecord(String resourceId) {
        return prefix + "r:" + resourceId;
    }

    /** The controller session of one worker on one resource (hash). */
    public String session(String workerId, String resourceId) {
        return prefix + "vmc:session:" + part(workerId) + ":" + part(resourceId);
    }

    /** Highest fencing token the controller has seen per resource (hash: resource id → token), shared by all replicas. */
    public String highestFence() {
        return prefix + "vmc:fence";
    }

    /** Where the allocator publishes lease expiries and revocations. */
    public String expiredChannel() {
        return prefix + "ch:expired";
    }

    /** One id as a key part: {@code %} and {@code :} percent-encoded, everything else as is. */
    static String part(String id) {
        if (id.indexOf('%') < 0 && id.indexOf(':') < 0) {
            return id;
        }
        StringBuilder out = new StringBuilder(id.length() + 8);
        for (int i = 0; i < id.length(); i++) {
            char c = id.charAt(i);
            switch (c) {
                case '%' -> out.append("%25");
                case ':' -> out.append("%3A");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

package io.envgrid.allocator.redis;

/**
 * The Redis names of one cell that the Java side needs; the scripts derive the rest from the same prefix
 * ({@code lib.lua}). {@code prefix} holds the cell's hash tag (e.g. {@code {envgrid}:}), so every key and the
 * script calls routed by it land in one Redis Cluster slot.
 */
public record RedisKeys(String prefix) {

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

    /** The audit stream. */
    public String events() {
        return prefix + "events";
    }

    /**
     * The hash tag of the prefix (between the first {@code {} and the next {@code }}), or the empty string when it
     * has none: Redis Cluster hashes only the tag, so two prefixes with one tag share a slot.
     */
    public String hashTag() {
        int open = prefix.indexOf('{');
        int close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
        return close > open + 1 ? prefix.substring(open + 1, close) : "";
    }
}

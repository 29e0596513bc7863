package io.envgrid.allocator.config;

/**
 * How the scripts issue a grant's fencing token ({@code envgrid.allocator.fencing}).
 * {@link #SEQUENCE}: the resource's previous token plus one — gap-free, but a failover that loses the
 * last writes issues a lost token again. {@link #CLOCK}: the larger of the previous token plus one and
 * the Redis master's clock in ms — tokens have gaps, and one issued after a failover sorts above every
 * token issued before it as long as the masters' clocks differ by less than a failover takes.
 */
public enum Fencing {
    SEQUENCE,
    CLOCK
}

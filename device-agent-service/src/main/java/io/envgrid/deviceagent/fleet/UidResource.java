package io.envgrid.deviceagent.fleet;

/**
 * A leased resource whose reset between leases is that of one worker uid ({@link UidReset}): the host device and the
 * attached desktop. {@link DesktopResets} resets, reports and retries them alike.
 */
interface UidResource {

    /** Its allocator resource id. */
    String resourceId();

    /** Whether {@code id} is its allocator resource id and this agent resets it. */
    boolean ownsResource(String id);

    /** Resets it for the next holder; a failure leaves it closed to calls until a reset succeeds. */
    ResetOutcome reset();
}

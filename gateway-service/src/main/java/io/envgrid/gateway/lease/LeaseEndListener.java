package io.envgrid.gateway.lease;

import io.smallrye.mutiny.Uni;

/**
 * Told when a worker's lease ends (released through the gateway, expired or revoked), so state built on it goes too.
 * Told only by the one change that removed the lease from the worker's record, never for a lease the record no longer
 * held: a message about an older grant of a resource the worker holds again must not end the newer grant's state.
 */
public interface LeaseEndListener {

    /** The worker's {@code lease} ended: state built on it (or on an older grant of its resource) goes. */
    Uni<Void> leaseEnded(String workerId, EndedLease lease);
}

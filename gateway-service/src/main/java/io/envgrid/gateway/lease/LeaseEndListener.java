package io.envgrid.gateway.lease;

import io.smallrye.mutiny.Uni;

/** Told when a worker's lease ends (released through the gateway, expired or revoked), so state built on it goes too. */
public interface LeaseEndListener {

    Uni<Void> leaseEnded(String workerId, String resourceId);
}

package io.envgrid.gateway.worker;

import io.smallrye.mutiny.Uni;

/** Told when the allocator reclaims a worker's lease (expiry or revocation), so state built on it goes too. */
public interface LeaseEndListener {

    Uni<Void> leaseEnded(String workerId, String resourceId);
}

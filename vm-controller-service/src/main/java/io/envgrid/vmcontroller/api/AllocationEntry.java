package io.envgrid.vmcontroller.api;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * One entry of the allocator's answer to POST /allocate (the value under a type key), as the
 * gateway passes it on. Only {@code id} and {@code lease_token} are read: everything else the entry
 * carries (ip, port, token, lease_id, fencing_token, expires_at, ...) is taken from the allocator's
 * lease record instead, so a made-up entry cannot point the controller anywhere.
 */
@RegisterForReflection
public record AllocationEntry(String id, String leaseToken) {
}

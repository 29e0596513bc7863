package io.envgrid.allocator.api;

/** {@code POST /leases/verify}: is this lease token the live lease of this resource? */
public record VerifyRequest(String resourceId, String leaseToken) {

    public void validate() {
        Validation.requireId("resource_id", resourceId);
        Validation.requireLeaseToken("lease_token", leaseToken);
    }
}

package io.envgrid.deviceagent.allocatorclient;

/** What the allocator says of a lease token for a resource; a fault reaching it is an exception instead. */
public sealed interface LeaseVerdict {

    /** 200: the token is the resource's live lease. */
    record Live(VerifiedLease lease) implements LeaseVerdict {
    }

    /** 409 {@code LEASE_NOT_LIVE}: ended, expired, another grant's, or never issued (the allocator does not say which). */
    record NotLive() implements LeaseVerdict {
    }

    /** 404: the allocator does not know the resource, so no lease on it exists. */
    record UnknownResource() implements LeaseVerdict {
    }
}

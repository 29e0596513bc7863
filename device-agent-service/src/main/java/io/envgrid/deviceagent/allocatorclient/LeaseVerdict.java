package io.envgrid.deviceagent.allocatorclient;

import java.util.function.Supplier;

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

    /**
     * The verdict in the allocator's answer to {@code POST /leases/verify}, read the same way by both clients of the
     * check ({@link LeaseVerifier} for the routes, {@code fleet/FleetLeaseVerifier} for the desktops' ports):
     * <ul>
     * <li>200: {@link Live}, with the body {@code lease} reads (asked for on a 200 only);</li>
     * <li>404: {@link UnknownResource};</li>
     * <li>401 or 403: {@link AllocatorUnavailableException}. The allocator refused the agent's own service token, which
     * says nothing of the caller's lease and no caller can mend, so the check fails closed (503) as when the allocator
     * cannot be reached, rather than refusing a live lease's holder as if the lease were over;</li>
     * <li>5xx: {@link AllocatorUnavailableException}: a fault, not an answer, so worth the retry an exception gets;</li>
     * <li>anything else: {@link NotLive}: 409 {@code LEASE_NOT_LIVE}, and a 400 (a token or id the allocator does not
     * accept) is no live lease either.</li>
     * </ul>
     *
     * @param status the answer's HTTP status
     * @param lease reads the answer's body ({@link VerifiedLease}); may throw {@link AllocatorUnavailableException}
     * @throws AllocatorUnavailableException on 401, 403 and 5xx
     */
    static LeaseVerdict of(int status, Supplier<VerifiedLease> lease) {
        if (status >= 500) {
            throw new AllocatorUnavailableException("the allocator answered " + status, null);
        }
        return switch (status) {
            case 200 -> new Live(lease.get());
            case 404 -> new UnknownResource();
            case 401, 403 -> throw new AllocatorUnavailableException(
                    "the allocator refused the agent's token (envgrid.allocator.service-token or -file)", null);
            default -> new NotLive();
        };
    }
}

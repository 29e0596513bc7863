package io.envgrid.rag.access;

/**
 * What the allocator knows of a collection's resource, asked at the time of each call (never cached: a cache could
 * not learn of a release before its entry ran out, and a released lease must stop working on the very next call).
 * Every method throws {@link AllocatorUnavailableException} when the allocator cannot be asked.
 */
public interface Leases {

    /** Whether there is an allocator to ask ({@code envgrid.allocator.url}); without one nothing is ever leased. */
    boolean enabled();

    /** {@code POST /leases/verify}: is {@code leaseToken} the live lease of {@code resourceId}? */
    Verdict verify(String resourceId, String leaseToken);

    /** {@code GET /resources/{id}}: does anyone hold a lease on {@code resourceId} now? false for an unknown resource. */
    boolean leased(String resourceId);

    /** The allocator's answer to a lease token. */
    sealed interface Verdict {
        /** 200: the token is the live lease's. */
        record Live(VerifiedLease lease) implements Verdict {
        }

        /** 409 LEASE_NOT_LIVE or 404: no live lease behind this token (ended, expired, another grant's, never issued). */
        record NotLive() implements Verdict {
        }
    }

    /** The allocator did not answer, answered 5xx, or refused this service's own token. */
    class AllocatorUnavailableException extends RuntimeException {
        public AllocatorUnavailableException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}

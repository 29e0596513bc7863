package io.envgrid.deviceagent.access;

/**
 * What a caller presents, read from its headers: a lease token ({@code X-Envgrid-Lease-Token}), the agent's
 * service token ({@code Authorization: Bearer}), or nothing. A lease token, when sent, is what counts, even next to
 * the service token: a service acting for a worker (the gateway routing a device tool) is held to that worker's
 * lease, so a stale lease is refused on every path. A bearer token that is not the service token counts as nothing
 * (it may be meant for another hop). Whether a lease token is live is decided later, by
 * {@link LeaseAccess}, for the resource the call acts on.
 */
public sealed interface Credentials {

    /** The header that carries a lease token (docs/isolation.md). */
    String LEASE_TOKEN_HEADER = "X-Envgrid-Lease-Token";

    /** The caller holds the agent's service token: an envgrid service or an operator. */
    record ServiceToken() implements Credentials {
    }

    /** The caller claims the lease whose token this is; {@code token} is the header as sent. */
    record LeaseToken(String token) implements Credentials {
    }

    /** Neither credential. */
    record None() implements Credentials {
    }

    /**
     * @param authorization the {@code Authorization} header or null
     * @param leaseToken the {@code X-Envgrid-Lease-Token} header or null
     * @param serviceToken the agent's service-token check
     */
    static Credentials of(String authorization, String leaseToken, ServiceTokenCheck serviceToken) {
        if (leaseToken != null) {
            return new LeaseToken(leaseToken);
        }
        if (serviceToken.presentedIn(authorization)) {
            return new ServiceToken();
        }
        return new None();
    }
}

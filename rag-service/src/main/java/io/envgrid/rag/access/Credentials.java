package io.envgrid.rag.access;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * What a caller of rag-service presents. A lease token ({@code X-Envgrid-Lease-Token}) takes precedence over a
 * bearer: a service that acts for a worker and forwards its token is held to that worker's lease. A bearer that is
 * not the service token is no credential here (it may be meant for another hop). Whether a lease token is live is
 * decided by {@link CollectionAccess} for the collection the call names.
 */
public sealed interface Credentials {

    /** The header that carries a lease token (docs/isolation.md, "Credentials"). */
    String LEASE_TOKEN_HEADER = "X-Envgrid-Lease-Token";

    /** {@code Authorization: Bearer <service token>}: an envgrid service or an operator. */
    record ServiceToken() implements Credentials {
    }

    /** A claimed lease, {@code token} exactly as sent. */
    record LeaseToken(String token) implements Credentials {
    }

    /** No credential, or a bearer that is not the service token. */
    record Anonymous() implements Credentials {
    }

    /**
     * @param authorization the {@code Authorization} header, or null
     * @param leaseToken the {@code X-Envgrid-Lease-Token} header, or null
     * @param serviceToken the configured service token ({@code envgrid.allocator.service-token}), if any
     */
    static Credentials from(String authorization, String leaseToken, Optional<String> serviceToken) {
        // an empty header carries no token (HTTP cannot tell it from a header with only spaces, which it trims)
        if (leaseToken != null && !leaseToken.isEmpty()) {
            return new LeaseToken(leaseToken);
        }
        return bearerMatches(authorization, serviceToken) ? new ServiceToken() : new Anonymous();
    }

    /** Constant-time comparison, so the answer's timing says nothing about how much of the token was right. */
    private static boolean bearerMatches(String authorization, Optional<String> serviceToken) {
        String prefix = "Bearer ";
        if (authorization == null || !authorization.startsWith(prefix) || serviceToken.filter(t -> !t.isBlank()).isEmpty()) {
            return false;
        }
        byte[] expected = serviceToken.get().getBytes(StandardCharsets.UTF_8);
        byte[] presented = authorization.substring(prefix.length()).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, presented);
    }
}

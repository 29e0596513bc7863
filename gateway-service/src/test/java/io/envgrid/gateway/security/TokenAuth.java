package io.envgrid.gateway.security;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The test profile of the token tests: authentication on ({@code envgrid.gateway.auth=tokens}) with two
 * fixed tokens and a signing secret. One profile for all of them, so they share one application start.
 */
public class TokenAuth implements QuarkusTestProfile {

    /** A fixed token for principal {@code tests}, acting as workers {@code auth-*}. */
    static final String FIXED = "fixed-token-for-tests";
    /** A fixed token for principal {@code ops}, acting as any worker. */
    static final String OPS = "ops-token-for-tests";
    /** The secret signed tokens are minted with. */
    static final byte[] SECRET = "signing-secret-for-tests".getBytes(StandardCharsets.UTF_8);

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("envgrid.gateway.auth", "tokens",
                "envgrid.gateway.auth.tokens", FIXED + "=tests:auth-*," + OPS + "=ops:*",
                "envgrid.gateway.auth.signing-secret", new String(SECRET, StandardCharsets.UTF_8));
    }
}

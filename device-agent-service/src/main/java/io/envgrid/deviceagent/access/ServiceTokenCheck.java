package io.envgrid.deviceagent.access;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether a caller presents the token that opens every door of this agent (other envgrid services, operators): the
 * caller's bearer token is hashed with SHA-256 and compared with the configured digest in constant time. The digest
 * is {@code envgrid.device-agent.service-token-sha256} (64 hex digits), or that of {@code envgrid.device-agent.service-token}.
 * With the digest setting the agent holds nothing a caller could present anywhere: a worker that reads the agent's
 * environment learns a hash, not a token (README, "Credentials").
 *
 * <p>The agent does not start with both settings (which one counts would be a guess) or with a digest that is not 64
 * hex digits (it could never match, and the agent would run with the door silently shut).
 */
@Startup
@Singleton
public class ServiceTokenCheck {

    private static final String BEARER = "Bearer ";
    private static final Pattern SHA256_HEX = Pattern.compile("[0-9a-fA-F]{64}");

    private final Optional<byte[]> digest;

    /** @throws IllegalStateException for both settings at once, or a malformed digest */
    @Inject
    public ServiceTokenCheck(DeviceAgentConfig config) {
        this(config.serviceToken(), config.serviceTokenSha256());
    }

    /** As above, from the two settings themselves. */
    public ServiceTokenCheck(Optional<String> token, Optional<String> sha256) {
        Optional<String> plain = token.filter(t -> !t.isEmpty());
        Optional<String> hex = sha256.map(String::strip).filter(h -> !h.isEmpty());
        if (plain.isPresent() && hex.isPresent()) {
            throw new IllegalStateException("both envgrid.device-agent.service-token and "
                    + "envgrid.device-agent.service-token-sha256 are set: set one (the digest keeps the token out of the agent)");
        }
        if (hex.isPresent() && !SHA256_HEX.matcher(hex.get()).matches()) {
            throw new IllegalStateException("envgrid.device-agent.service-token-sha256 must be 64 hex digits "
                    + "(sha256sum of the token), not " + hex.get().length() + " characters");
        }
        this.digest = hex.map(HexFormat.of()::parseHex).or(() -> plain.map(ServiceTokenCheck::sha256));
    }

    /** Whether any service token is configured (else no caller can present one). */
    public boolean configured() {
        return digest.isPresent();
    }

    /** Whether {@code authorization} (the header, or null) is {@code Bearer <the service token>}. */
    public boolean presentedIn(String authorization) {
        if (digest.isEmpty() || authorization == null || !authorization.startsWith(BEARER)) {
            return false;
        }
        // both sides are 32 bytes, so isEqual's time tells nothing about where they differ
        return MessageDigest.isEqual(digest.get(), sha256(authorization.substring(BEARER.length())));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

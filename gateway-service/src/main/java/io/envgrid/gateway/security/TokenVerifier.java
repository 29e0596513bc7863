package io.envgrid.gateway.security;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bearer tokens: fixed ones from configuration, and signed expiring ones
 * {@code egw1.<subject>.<expiry epoch seconds>.<base64url HMAC-SHA256 of the first three parts>}
 * that an operator mints with the shared secret. With neither configured, auth is off (the local
 * cluster).
 */
@ApplicationScoped
public class TokenVerifier {

    private static final String SIGNED_PREFIX = "egw1.";

    private final List<byte[]> fixed;
    private final Optional<byte[]> secret;

    public TokenVerifier(GatewayConfig config) {
        this.fixed = config.auth().tokens().orElse(List.of()).stream()
                .filter(t -> !t.isBlank()).map(t -> t.getBytes(StandardCharsets.UTF_8)).toList();
        this.secret = config.auth().signingSecret().filter(s -> !s.isBlank()).map(s -> s.getBytes(StandardCharsets.UTF_8));
    }

    public boolean enabled() {
        return !fixed.isEmpty() || secret.isPresent();
    }

    public Optional<ToolFailure> verify(String authorization) {
        if (!enabled()) {
            return Optional.empty();
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(refuse("a bearer token is required"));
        }
        String token = authorization.substring(7).trim();
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        // constant-time comparisons: the time taken says nothing about how much of a token matched
        if (fixed.stream().anyMatch(f -> MessageDigest.isEqual(f, presented))) {
            return Optional.empty();
        }
        if (secret.isPresent() && token.startsWith(SIGNED_PREFIX)) {
            return verifySigned(token, secret.get());
        }
        return Optional.of(refuse("the bearer token is not valid"));
    }

    private static Optional<ToolFailure> verifySigned(String token, byte[] key) {
        int lastDot = token.lastIndexOf('.');
        String payload = token.substring(0, lastDot);
        String[] parts = payload.split("\\.");
        if (parts.length != 3) {
            return Optional.of(refuse("the bearer token is malformed"));
        }
        byte[] expected = sign(payload, key).getBytes(StandardCharsets.UTF_8);
        if (!MessageDigest.isEqual(expected, token.substring(lastDot + 1).getBytes(StandardCharsets.UTF_8))) {
            return Optional.of(refuse("the bearer token is not valid"));
        }
        long expiry;
        try {
            expiry = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return Optional.of(refuse("the bearer token is malformed"));
        }
        if (Instant.now().getEpochSecond() >= expiry) {
            return Optional.of(refuse("the bearer token has expired"));
        }
        return Optional.empty();
    }

    /** The signature of {@code egw1.<subject>.<expiry>}; public so operators and tests mint tokens the same way. */
    public static String sign(String payload, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Mints a signed token for {@code subject} valid until {@code expiry}. */
    public static String mint(String subject, Instant expiry, byte[] key) {
        if (subject.isEmpty() || subject.contains(".")) {
            throw new IllegalArgumentException("a token subject is non-empty and has no '.'");
        }
        String payload = SIGNED_PREFIX + subject + "." + expiry.getEpochSecond();
        return payload + "." + sign(payload, key);
    }

    private static ToolFailure refuse(String message) {
        return new ToolFailure(401, ErrorCode.UNAUTHORIZED, message, Map.of());
    }
}

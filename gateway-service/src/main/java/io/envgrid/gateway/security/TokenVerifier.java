package io.envgrid.gateway.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jboss.logging.Logger;

/**
 * Bearer tokens and the principal each proves (gateway README, "Tokens"):
 * <ul>
 * <li>fixed tokens from configuration, {@code <token>=<principal>} (may act as exactly that id) or
 * {@code <token>=<principal>:<pattern>;<pattern>…} ({@link WorkerPattern}s);</li>
 * <li>{@code egw2.<base64url JSON {"sub","workers":[patterns],"exp","jti"}>.<base64url HMAC-SHA256>}, minted
 * with the signing secret ({@code mint-token}); the principal is {@code sub}, the ids its patterns; {@code jti}
 * (128 random bits, absent from tokens minted before revocation existed) is what an operator revokes it by;</li>
 * <li>{@code egw1.<subject>.<expiry epoch s>.<HMAC>}, the first signed form, still accepted: it
 * may act as exactly {@code subject}.</li>
 * </ul>
 * With no token and no secret configured the gateway does not start, unless
 * {@code envgrid.gateway.auth=open} says so explicitly: then every caller is {@link Principal.Open}
 * and a warning says so at start. Auth is never off by omission.
 */
@Startup
@ApplicationScoped
public class TokenVerifier {

    private static final Logger LOG = Logger.getLogger(TokenVerifier.class);

    static final String V1 = "egw1.";
    static final String V2 = "egw2.";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    private record Fixed(byte[] token, Principal.Authenticated principal) {
    }

    private final List<Fixed> fixed;
    private final Optional<byte[]> secret;
    private final boolean open;

    /**
     * @throws IllegalStateException when the settings leave it unclear who may call: no token and no
     *                                  secret without {@code envgrid.gateway.auth=open}, or tokens with it
     *                                  (the gateway then does not start)
     */
    public TokenVerifier(GatewayConfig config) {
        this.fixed = config.auth().tokens().orElse(List.of()).stream().filter(t -> !t.isBlank())
                .map(TokenVerifier::parseFixed).toList();
        this.secret = config.auth().signingSecret().filter(s -> !s.isBlank()).map(s -> s.getBytes(StandardCharsets.UTF_8));
        boolean configured = !fixed.isEmpty() || secret.isPresent();
        this.open = config.auth().mode() == GatewayConfig.Auth.Mode.OPEN;
        if (open && configured) {
            throw new IllegalStateException("envgrid.gateway.auth=open and tokens or a signing secret are both configured: "
                    + "drop one (open admits every caller, tokens admit only their holders)");
        }
        if (!open && !configured) {
            throw new IllegalStateException("no gateway tokens: set envgrid.gateway.auth.tokens or "
                    + "envgrid.gateway.auth.signing-secret, or run without tokens with envgrid.gateway.auth=open "
                    + "(every caller may then act as any worker)");
        }
        if (open) {
            LOG.warn("*** envgrid.gateway.auth=open: no bearer token is asked for, and ANY caller may act as ANY worker id. "
                    + "For local development only.");
        }
    }

    /**
     * {@code <token>=<principal>[:<pattern>;<pattern>…]}: split at the last {@code =} (ids have none,
     * a base64 token may end in {@code =}) and at the principal's first {@code :}.
     *
     * @throws IllegalArgumentException for an entry that names no principal: the gateway does not
     *                                  start rather than let a token act as any worker
     */
    static Fixed parseFixed(String entry) {
        int eq = entry.lastIndexOf('=');
        if (eq <= 0 || eq == entry.length() - 1) {
            throw new IllegalArgumentException("envgrid.gateway.auth.tokens: each entry is <token>=<principal>"
                    + "[:<pattern>;...] (a token names the worker ids it may act as); an entry without '=' is not accepted");
        }
        String token = entry.substring(0, eq).trim();
        String rest = entry.substring(eq + 1).trim();
        int colon = rest.indexOf(':');
        String name = colon < 0 ? rest : rest.substring(0, colon);
        List<WorkerPattern> patterns = new ArrayList<>();
        if (colon < 0) {
            patterns.add(WorkerPattern.parse(name));
        } else {
            for (String p : rest.substring(colon + 1).split(";")) {
                patterns.add(WorkerPattern.parse(p));
            }
        }
        if (name.isEmpty() || token.isEmpty()) {
            throw new IllegalArgumentException("envgrid.gateway.auth.tokens: an entry has an empty token or principal");
        }
        return new Fixed(token.getBytes(StandardCharsets.UTF_8), new Principal.Authenticated(name, patterns));
    }

    /** False only in the explicit {@code open} mode. */
    public boolean enabled() {
        return !open;
    }

    /** The principal an {@code Authorization} header proves, or the 401 to answer. */
    public Authentication authenticate(String authorization) {
        if (!enabled()) {
            return new Authentication.Accepted(Principal.Open.INSTANCE);
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return refuse("a bearer token is required");
        }
        String token = authorization.substring(7).trim();
        byte[] presented = token.getBytes(StandardCharsets.UTF_8);
        // constant-time comparisons: the time taken says nothing about how much of a token matched
        Principal.Authenticated match = null;
        for (Fixed f : fixed) {
            if (MessageDigest.isEqual(f.token(), presented)) {
                match = f.principal();
            }
        }
        if (match != null) {
            return new Authentication.Accepted(match);
        }
        if (secret.isPresent() && token.startsWith(V2)) {
            return verifyV2(token, secret.get());
        }
        if (secret.isPresent() && token.startsWith(V1)) {
            return verifyV1(token, secret.get());
        }
        return refuse("the bearer token is not valid");
    }

    private static Authentication verifyV1(String token, byte[] key) {
        int lastDot = token.lastIndexOf('.');
        String payload = token.substring(0, lastDot);
        String[] parts = payload.split("\\.", -1);
        if (parts.length != 3) {
            return refuse("the bearer token is malformed");
        }
        if (!signatureMatches(payload, token.substring(lastDot + 1), key)) {
            return refuse("the bearer token is not valid");
        }
        long expiry;
        try {
            expiry = Long.parseLong(parts[2]);
        } catch (NumberFormatException e) {
            return refuse("the bearer token is malformed");
        }
        if (Instant.now().getEpochSecond() >= expiry) {
            return refuse("the bearer token has expired");
        }
        String subject = parts[1];
        // an egw1 token means "exactly its subject"; a subject outside the id rule covers nothing
        List<WorkerPattern> workers = io.envgrid.gateway.id.IdRule.isId(subject)
                ? List.of(new WorkerPattern.Exact(subject)) : List.of();
        return new Authentication.Accepted(new Principal.Authenticated(subject, workers, Instant.ofEpochSecond(expiry)));
    }

    private static Authentication verifyV2(String token, byte[] key) {
        int lastDot = token.lastIndexOf('.');
        if (lastDot <= V2.length()) {
            return refuse("the bearer token is malformed");
        }
        String payload = token.substring(0, lastDot);
        if (!signatureMatches(payload, token.substring(lastDot + 1), key)) {
            return refuse("the bearer token is not valid");
        }
        // signed by us from here on: what fails now is a token minted by an older or broken tool
        JsonNode claims;
        try {
            claims = JSON.readTree(Base64.getUrlDecoder().decode(payload.substring(V2.length())));
        } catch (IOException | IllegalArgumentException e) {
            return refuse("the bearer token is malformed");
        }
        if (claims == null || !claims.path("sub").isTextual() || !claims.path("exp").isIntegralNumber()
                || !claims.path("workers").isArray()) {
            return refuse("the bearer token is malformed");
        }
        if (Instant.now().getEpochSecond() >= claims.get("exp").asLong()) {
            return refuse("the bearer token has expired");
        }
        List<WorkerPattern> workers = new ArrayList<>();
        try {
            for (JsonNode p : claims.get("workers")) {
                workers.add(WorkerPattern.parse(p.asText()));
            }
        } catch (IllegalArgumentException e) {
            return refuse("the bearer token is malformed");
        }
        // a jti outside the minted form could never be revoked (the admin endpoint refuses such ids): not accepted
        JsonNode jti = claims.get("jti");
        if (jti != null && !(jti.isTextual() && RevokedTokens.JTI.matcher(jti.asText()).matches())) {
            return refuse("the bearer token is malformed");
        }
        return new Authentication.Accepted(new Principal.Authenticated(claims.get("sub").asText(), workers,
                Instant.ofEpochSecond(claims.get("exp").asLong()), jti == null ? null : jti.asText()));
    }

    private static boolean signatureMatches(String payload, String signature, byte[] key) {
        return MessageDigest.isEqual(sign(payload, key).getBytes(StandardCharsets.UTF_8),
                signature.getBytes(StandardCharsets.UTF_8));
    }

    /** The signature of a token's payload; public so operators and tests mint tokens the same way. */
    public static String sign(String payload, byte[] key) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }

    /** Mints an {@code egw1} token: may act as exactly {@code subject} until {@code expiry}. */
    public static String mint(String subject, Instant expiry, byte[] key) {
        if (subject.isEmpty() || subject.contains(".")) {
            throw new IllegalArgumentException("a token subject is non-empty and has no '.'");
        }
        String payload = V1 + subject + "." + expiry.getEpochSecond();
        return payload + "." + sign(payload, key);
    }

    /**
     * Mints an {@code egw2} token for principal {@code subject} that may act as the ids
     * {@code workers} cover (e.g. {@code job42/} for every {@code job42/…}) until {@code expiry}.
     *
     * @throws IllegalArgumentException for an empty subject or a pattern {@link WorkerPattern#parse} refuses
     */
    public static String mint(String subject, List<String> workers, Instant expiry, byte[] key) {
        if (subject == null || subject.isBlank()) {
            throw new IllegalArgumentException("a token subject is non-empty");
        }
        ObjectNode claims = JSON.createObjectNode().put("v", 2).put("sub", subject);
        var list = claims.putArray("workers");
        workers.forEach(w -> list.add(WorkerPattern.parse(w).text()));
        claims.put("exp", expiry.getEpochSecond());
        claims.put("jti", newTokenId());
        String payload = V2 + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8));
        return payload + "." + sign(payload, key);
    }

    /** 128 random bits, base64url: the {@code jti} by which an operator can revoke one token. */
    static String newTokenId() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** The {@code jti} of an {@code egw2} token, read without checking it (for {@code mint-token}'s report); null if none. */
    public static String tokenIdOf(String token) {
        try {
            String payload = token.substring(V2.length(), token.lastIndexOf('.'));
            JsonNode jti = JSON.readTree(Base64.getUrlDecoder().decode(payload)).get("jti");
            return jti == null ? null : jti.asText();
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Authentication refuse(String message) {
        return new Authentication.Refused(new ToolFailure(401, ErrorCode.UNAUTHORIZED, message, Map.of()));
    }
}

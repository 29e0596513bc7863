package io.envgrid.allocator.auth;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Pattern;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-agent bearer tokens: {@code eag1.<agent id>.<signature>}, the signature being the unpadded base64url
 * HMAC-SHA256 of {@code eag1.<agent id>} under {@code envgrid.allocator.agent-token-key}. The operator
 * mints one per host ({@code ./envgrid agent-token <agent id>}, or with openssl as the README shows); the
 * allocator stores no list, and a token names exactly one agent. Agent ids follow the type rule
 * ({@code [A-Za-z0-9][A-Za-z0-9_.-]{0,63}}), so the id never contains the separating dot ambiguously:
 * the signature is everything after the last dot.
 */
public final class AgentTokens {

    /** The token's version prefix, so a later format can be told apart. */
    public static final String PREFIX = "eag1.";
    private static final Pattern AGENT_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,63}");
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    public AgentTokens(String key) {
        this.key = new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), HMAC);
    }

    /** The token of {@code agentId}. @throws IllegalArgumentException for an id outside the rule */
    public String mint(String agentId) {
        if (!AGENT_ID.matcher(agentId).matches()) {
            throw new IllegalArgumentException("agent id outside [A-Za-z0-9][A-Za-z0-9_.-]{0,63}: " + agentId);
        }
        return PREFIX + agentId + "." + sign(PREFIX + agentId);
    }

    /** The agent a token names, if it is a well-formed token signed with this key. */
    public Optional<String> verify(String token) {
        if (!token.startsWith(PREFIX)) {
            return Optional.empty();
        }
        int dot = token.lastIndexOf('.');
        if (dot <= PREFIX.length()) {
            return Optional.empty();
        }
        String agentId = token.substring(PREFIX.length(), dot);
        if (!AGENT_ID.matcher(agentId).matches()) {
            return Optional.empty();
        }
        byte[] expected = sign(token.substring(0, dot)).getBytes(StandardCharsets.US_ASCII);
        byte[] presented = token.substring(dot + 1).getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(expected, presented) ? Optional.of(agentId) : Optional.empty();
    }

    private String sign(String payload) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            return Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}

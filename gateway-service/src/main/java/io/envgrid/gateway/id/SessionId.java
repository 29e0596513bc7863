package io.envgrid.gateway.id;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * The ids of MCP sessions, which the gateway issues ({@code Mcp-Session-Id}, the legacy transport's
 * {@code sessionId}): 128 random bits, base64url without padding, so exactly 22 characters of
 * {@code [A-Za-z0-9_-]}. A client sends one back on every request and it becomes part of Redis keys; an id of
 * any other shape was never issued, so it is answered as an unknown session before any key is built from it
 * (no {@code :} can make it name another key, such as another session's events stream).
 */
public final class SessionId {

    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern SHAPE = Pattern.compile("[A-Za-z0-9_-]{22}");

    private SessionId() {
    }

    /** A fresh id: 128 random bits, so a session id cannot be guessed to act in someone else's session. */
    public static String fresh() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** Whether {@code id} has the shape of an id {@link #fresh} makes. */
    public static boolean wellFormed(String id) {
        return id != null && SHAPE.matcher(id).matches();
    }

    /** {@code id} itself, for a key; an id of another shape is a bug of the caller (ids are checked on arrival). */
    public static String keyPart(String id) {
        if (!wellFormed(id)) {
            throw new IllegalArgumentException("not a session id the gateway issues");
        }
        return id;
    }
}

package io.envgrid.gateway.id;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * How ids become parts of Redis keys and URL paths (docs/isolation.md), so that no two distinct
 * tuples of ids share a key or a path: in a key, {@code %} and {@code :} of each part are
 * percent-encoded before the parts are joined with {@code :}; in a URL, each path segment is
 * percent-encoded (RFC 3986) and the server decodes it once.
 */
public final class KeyPart {

    private KeyPart() {
    }

    /** One id as a Redis key part: {@code a:b} → {@code a%3Ab}, {@code 5%} → {@code 5%25}. */
    public static String of(String id) {
        if (id.indexOf('%') < 0 && id.indexOf(':') < 0) {
            return id;
        }
        return id.replace("%", "%25").replace(":", "%3A");
    }

    /** The inverse of {@link #of}. */
    public static String decode(String part) {
        if (part.indexOf('%') < 0) {
            return part;
        }
        return part.replace("%3A", ":").replace("%25", "%");
    }

    /** One URL path segment: everything but RFC 3986's unreserved characters percent-encoded ({@code /} → {@code %2F}). */
    public static String pathSegment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20").replace("*", "%2A");
    }
}

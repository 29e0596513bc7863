package io.envgrid.testsupport.http;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Requests every service must refuse with a 4xx and nothing changed (issue 11: no input ever yields a 5xx), shared by
 * the services' tests so that each is checked against the same list.
 * <ul>
 * <li>{@link #notUris}: request targets that {@code java.net.URI} cannot parse (a percent-escape that is none, a cut
 * UTF-8 escape, characters a URI cannot hold). A service makes that check itself as its first route and answers 400
 * with its error envelope (Quarkus' own check, which answers an empty 400, is off: {@code vertx.disableURIValidation}).</li>
 * <li>{@link #heads}: request heads the HTTP codec refuses before any route runs (its answer, 400, 414, 431 or 501,
 * has no body), or that a route refuses: a bad or doubled Content-Length, an unknown method, spaces or control
 * characters in the request line, a header line that is none, a header block over the codec's limit.</li>
 * </ul>
 */
public final class MalformedRequests {

    /**
     * The one head of {@link #heads} that gets no answer at all: a chunk size that is no hex number fails Vert.x 4.5's
     * HTTP/1 decoder inside the body, and its connection closes the connection on such a failure with no hook for an
     * answer ({@code Http1xServerConnection.onContent} → {@code handleError}). The service must serve on.
     */
    public static final String UNANSWERED = "bad chunk size";

    private MalformedRequests() {
    }

    /**
     * Request targets that are no URI, each below {@code path} (which starts with {@code /} and is itself a valid
     * path): a bad escape in the path, at its end, in the query; a raw brace, caret and backslash; a fragment with a
     * bad escape.
     */
    public static List<String> notUris(String path) {
        return List.of(path + "/%zz", path + "%", path + "?a=%zz", path + "?a=%", path + "/%1", path + "/{x}",
                path + "/a^b", path + "/a\\b", path + "#%zz");
    }

    /**
     * Request targets that are URIs but whose escapes do not decode to UTF-8 text (a cut multi-byte sequence, an
     * overlong slash, an encoded surrogate, a lone continuation byte), in the path and in the query: a route or filter
     * refuses them (any 4xx with the service's envelope), Vert.x's router among them when it cannot decode the path; and
     * targets that are no path at all.
     */
    public static List<String> undecodable(String path) {
        // and two URIs that are no path (the path without its leading slash, "*"), which the router refuses (404)
        return List.of(path.substring(1), "*", path + "/%e0%a4", path + "/%c0%af", path + "/%ed%a0%80", path + "/%80",
                path + "?a=%e0%a4", path + "?%ff=1", path + "/a%00b");
    }

    /**
     * Whole requests (head and, where one is declared, body) that are malformed HTTP, by a short name for the test's
     * messages; {@code path} is a route of the service (the request would reach it if it were well formed), and
     * {@code credential} a header that admits it (say {@code Map.entry("Authorization", "Bearer …")}; null for none),
     * so that the request gets past a check of the credential on the head to whatever reads the body.
     */
    public static Map<String, byte[]> heads(String path, Map.Entry<String, String> credential) {
        Map<String, byte[]> heads = new LinkedHashMap<>();
        String host = "Host: localhost\r\nConnection: close\r\n"
                + (credential == null ? "" : credential.getKey() + ": " + credential.getValue() + "\r\n");
        heads.put("Content-Length not a number", bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nContent-Length: abc\r\n\r\n{}"));
        heads.put("Content-Length negative", bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nContent-Length: -5\r\n\r\n{}"));
        heads.put("Content-Length past 2^63", bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nContent-Length: 99999999999999999999999\r\n\r\n{}"));
        heads.put("two Content-Lengths that differ", bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}x"));
        heads.put("Content-Length and chunked", bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
        // RFC 9112 6.3: the length of such a body cannot be known; the server must answer 400 and close
        heads.put("unknown transfer coding", bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nTransfer-Encoding: gzip, zz\r\n\r\n{}"));
        heads.put("chunked not last", bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked, gzip\r\n\r\n2\r\n{}\r\n0\r\n\r\n"));
        heads.put(UNANSWERED, bytes("POST " + path + " HTTP/1.1\r\n" + host
                + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"));
        heads.put("unknown method", bytes("BREW " + path + " HTTP/1.1\r\n" + host + "\r\n"));
        heads.put("method with control characters", bytes("G\u0001T " + path + " HTTP/1.1\r\n" + host + "\r\n"));
        heads.put("space in the target", bytes("GET " + path + "/a b HTTP/1.1\r\n" + host + "\r\n"));
        heads.put("control character in the target", bytes("GET " + path + "/a\u0007b HTTP/1.1\r\n" + host + "\r\n"));
        heads.put("no protocol version", bytes("GET " + path + "\r\n" + host + "\r\n"));
        heads.put("unknown protocol version", bytes("GET " + path + " HTTP/9.7\r\n" + host + "\r\n"));
        heads.put("target not starting with a slash", bytes("GET zz" + path + " HTTP/1.1\r\n" + host + "\r\n"));
        heads.put("header line without a colon", bytes("GET " + path + " HTTP/1.1\r\n" + host + "NoColonHere\r\n\r\n"));
        heads.put("control character in a header", bytes("GET " + path + " HTTP/1.1\r\n" + host + "X-A: a\u0001b\r\n\r\n"));
        heads.put("space before a header's colon", bytes("GET " + path + " HTTP/1.1\r\n" + host + "X-A : b\r\n\r\n"));
        heads.put("header block of 64 KB", bytes("GET " + path + " HTTP/1.1\r\n" + host + "X-Big: "
                + "a".repeat(64 * 1024) + "\r\n\r\n"));
        heads.put("request line of 8 KB", bytes("GET " + path + "?q=" + "a".repeat(8 * 1024) + " HTTP/1.1\r\n" + host
                + "\r\n"));
        heads.put("10,000 headers", bytes("GET " + path + " HTTP/1.1\r\n" + host + "X-N: 1\r\n".repeat(10_000) + "\r\n"));
        heads.put("not HTTP at all", bytes("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u0001\u00fc\u0003\u0003\r\n\r\n"));
        return heads;
    }

    private static byte[] bytes(String request) {
        return request.getBytes(StandardCharsets.ISO_8859_1);
    }
}

package io.envgrid.deviceagent.computer.config;

import java.util.Map;

/**
 * The parameters of a server reached over HTTP ({@code streamable} or {@code sse}): what both transports share, the
 * {@code url} of the server's endpoint and the extra {@code headers} sent with each request. The URL identifies the
 * connection, and redaction masks the same two fields for both; only the timeouts differ between them (ISO-8601
 * durations for {@code streamable}, seconds for {@code sse}, as the reference names them).
 */
public sealed interface HttpServerParameters extends ServerParameters permits StreamableParameters, SseParameters {

    /** The endpoint's absolute {@code http(s)} URL; may hold {@code ${input:<id>}} placeholders. */
    String url();

    /** Extra request headers by name; values may hold placeholders; null for none. */
    Map<String, String> headers();

    /** These parameters with another {@code url} and {@code headers}, every other field as it is. */
    HttpServerParameters withEndpoint(String url, Map<String, String> headers);

    @Override
    default String connectionIdentity() {
        return String.valueOf(url());
    }

    /** {@code headers} values and the URL's user info and query masked ({@link Redaction}). */
    @Override
    default HttpServerParameters redacted() {
        return withEndpoint(Redaction.url(url()), Redaction.values(headers()));
    }
}

package io.envgrid.gateway.support;

import com.sun.net.httpserver.HttpExchange;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.List;

/**
 * The request a test's interposed HTTP server ({@code com.sun.net.httpserver}) passes on to the service behind it: the
 * same method, path and query, body and the headers envgrid's calls carry (content type, accept, the service token,
 * the lease token). For tests that stand between the gateway and the allocator to hold, fail or count its calls.
 */
public final class ForwardedRequest {

    private static final List<String> HEADERS = List.of("Content-Type", "Accept", "Authorization", "X-Envgrid-Lease-Token");

    private ForwardedRequest() {
    }

    /**
     * @param base     the service's base URL, e.g. {@code http://127.0.0.1:8081}
     * @param exchange the request as the interposed server received it
     * @param body     its body, already read (empty: none)
     */
    public static HttpRequest.Builder of(String base, HttpExchange exchange, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + exchange.getRequestURI()))
                .method(exchange.getRequestMethod(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String header : HEADERS) {
            String value = exchange.getRequestHeaders().getFirst(header);
            if (value != null) {
                request.header(header, value);
            }
        }
        return request;
    }
}

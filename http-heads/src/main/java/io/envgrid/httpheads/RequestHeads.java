package io.envgrid.httpheads;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Optional;

/**
 * The checks every service makes on a request's head in its first route, before any filter or body reader sees the
 * request: is the request target a URI, and can the body's length be known. Only the decisions and their messages live
 * here; each service answers a refusal with its own error envelope (status 400, its own error code) and, for an
 * unknowable length, closes the connection after the answer.
 */
public final class RequestHeads {

    /**
     * The message of the 400 for a request whose body length cannot be known ({@link #lengthKnowable(MultiMap)} false).
     */
    public static final String UNKNOWABLE_LENGTH = "the request's Transfer-Encoding does not end in chunked: the length "
            + "of its body cannot be known";

    private RequestHeads() {
    }

    /**
     * Why {@code uri}, a request target as Vert.x gives it ({@code HttpServerRequest.uri()}), is no URI, or empty if it
     * is one. The check is Quarkus' own ({@code new URI(uri)}), which the services turn off
     * ({@code vertx.disableURIValidation}) because it answers an empty 400; they make it with this instead.
     *
     * @param uri the request target: a path with an optional query ({@code /a?b=c}), or an absolute URI
     * @return the message for the 400, {@code "the request target is not a valid URI: <reason> at index <i>"} where
     *     the index counts characters of {@code uri} from 0; empty for a valid URI
     */
    public static Optional<String> targetProblem(String uri) {
        try {
            new URI(uri);
            return Optional.empty();
        } catch (URISyntaxException e) {
            return Optional.of("the request target is not a valid URI: " + e.getReason() + " at index " + e.getIndex());
        }
    }

    /**
     * Whether the body's end can be found: no {@code Transfer-Encoding}, or one whose last coding is {@code chunked}
     * (case-insensitive; the codings of every {@code Transfer-Encoding} line taken in order). With another last coding,
     * RFC 9112 section 6.3 says the server must answer 400 and close the connection: Vert.x takes such a request as one
     * whose body ends with the connection, and a route that read it waited for the idle timeout, answering nothing.
     *
     * @param headers the request's headers ({@code HttpServerRequest.headers()})
     * @return false when the service must answer 400 with {@link #UNKNOWABLE_LENGTH} and close
     */
    public static boolean lengthKnowable(MultiMap headers) {
        List<String> codings = headers.getAll(HttpHeaders.TRANSFER_ENCODING);
        if (codings.isEmpty()) {
            return true;
        }
        String all = String.join(",", codings);
        return all.substring(all.lastIndexOf(',') + 1).strip().equalsIgnoreCase("chunked");
    }
}

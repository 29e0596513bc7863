package io.envgrid.rag.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.errors.ErrorEnvelope;
import io.envgrid.httpheads.RequestHeads;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The error envelope for requests refused before any resource method is chosen, which Quarkus answers with
 * an empty body otherwise:
 * <ul>
 * <li>a body over {@code quarkus.http.limits.max-body-size}: 413 {@code PAYLOAD_TOO_LARGE}, whether its size
 * was declared (Content-Length, refused before a byte of it is read) or found while reading a chunked body.
 * The body is read here, just before Quarkus' own limit, and Quarkus REST takes the read body as it is;</li>
 * <li>a Content-Type header that is not a media type (415), an Accept header without JSON (406): {@code HTTP_ERROR};</li>
 * <li>any other 4xx the router gives before a resource method runs, such as a form or multipart body that
 * does not parse: {@code HTTP_ERROR};</li>
 * <li>a request target that is no URI ({@code /%zz}, {@code /search?q=%}, a raw {@code {}): 400
 * {@code HTTP_ERROR}, checked first of all routes. The check is Quarkus' own ({@code new URI(request.uri())}),
 * moved here: Quarkus makes it ahead of every route and answers an empty 400, so rag turns it off with the
 * system property {@value #URI_CHECK_OFF} ({@code RagMain}, and the tests' JVM: pom.xml).</li>
 * </ul>
 * Failures with a server-side cause (no 4xx status) are left to Quarkus, which logs them. Requests Vert.x's
 * HTTP codec cannot parse (a request line over 4 KB: 414, a header block over the limit: 431, a head that is
 * not HTTP: 400) are answered by it, with an empty body, before any route runs.
 */
@ApplicationScoped
public class RouterErrors {

    /** Quarkus' switch for its own URI check, which answers without a body; this class makes the check instead. */
    public static final String URI_CHECK_OFF = "vertx.disableURIValidation";

    private final long limit;
    private final ObjectMapper json;
    /** Preallocated, so an empty body is an empty buffer: with none at all Quarkus REST would wait for a body
     * from the request, which the handler has already read to its end. */
    private final BodyHandler bodies;

    public RouterErrors(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, ObjectMapper json) {
        this.limit = limit.asLongValue();
        this.json = json;
        this.bodies = BodyHandler.create(false).setBodyLimit(this.limit).setPreallocateBodyBuffer(true);
    }

    void install(@Observes Router router) {
        // first of all routes: neither the credential check on the head nor Quarkus REST sees a target that is no URI
        router.route().order(Integer.MIN_VALUE).handler(this::requireUri);
        // Just before Quarkus' own limit (ROUTE_ORDER_UPLOAD_LIMIT), which never sees an oversized body then.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1)
                .handler(this::body)
                .handler(this::mediaTypes)
                .failureHandler(this::refused);
    }

    private void requireUri(RoutingContext ctx) {
        Optional<String> targetProblem = RequestHeads.targetProblem(ctx.request().uri());
        if (targetProblem.isPresent()) {
            answer(ctx, 400, ErrorCode.HTTP_ERROR, targetProblem.get(), Map.of());
            return;
        }
        if (!RequestHeads.lengthKnowable(ctx.request().headers())) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(written -> ctx.request().connection().close());
            answer(ctx, 400, ErrorCode.HTTP_ERROR, RequestHeads.UNKNOWABLE_LENGTH, Map.of());
            return;
        }
        ctx.next();
    }

    /**
     * Reads the body of the methods that carry one. Vert.x's body handler decodes a form or multipart body
     * and refuses to for other methods with an IllegalStateException (a 500 for {@code GET} with a form
     * type), so for those only a declared length is checked; no endpoint reads their body.
     */
    private void body(RoutingContext ctx) {
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH || method == HttpMethod.DELETE) {
            bodies.handle(ctx);
            return;
        }
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && length.chars().allMatch(Character::isDigit) && length.length() < 19 && Long.parseLong(length) > limit) {
            ctx.fail(413);
            return;
        }
        ctx.next();
    }

    /**
     * The media types of the API's own paths ({@code /q/*} is Quarkus'), checked after the body is read and
     * before any resource method runs:
     * <ul>
     * <li>a Content-Type that is not a media type at all: 415. Quarkus REST answers it so where one method
     * takes a path, but fails with an IllegalArgumentException (a 500) where several methods share a path and
     * the type chooses between them (the ingestion endpoint);</li>
     * <li>an Accept that rules out JSON, the only type the API answers in: 406. Quarkus REST found that out
     * only after an ingestion had run, and answered 406 for a document it had written.</li>
     * </ul>
     */
    private void mediaTypes(RoutingContext ctx) {
        if (ctx.normalizedPath().startsWith("/q/")) {
            ctx.next();
            return;
        }
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        if (type != null) {
            try {
                MediaType.valueOf(type);
            } catch (IllegalArgumentException e) {
                answer(ctx, 415, ErrorCode.HTTP_ERROR, "the Content-Type header is not a media type", Map.of());
                return;
            }
        }
        String accept = ctx.request().getHeader(HttpHeaders.ACCEPT);
        if (accept != null && !accept.isBlank() && !acceptsJson(accept)) {
            answer(ctx, 406, ErrorCode.HTTP_ERROR, "the API answers in application/json, which the Accept header rules out", Map.of());
            return;
        }
        ctx.next();
    }

    /** Whether a media range of the Accept header takes application/json (unreadable ranges take nothing). */
    static boolean acceptsJson(String accept) {
        for (String range : accept.split(",")) {
            MediaType type;
            try {
                type = MediaType.valueOf(range.strip());
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (!zero(type.getParameters().get("q")) && type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
                return true;
            }
        }
        return false;
    }

    /** q=0 excludes a type; an unreadable q counts as the default, 1. */
    private static boolean zero(String q) {
        try {
            return q != null && Double.parseDouble(q) == 0;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private void refused(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            // The connection closed after the answer (or before it could be given): nothing left to say.
            return;
        }
        int status = ctx.statusCode();
        if (status < 400 || status > 499 || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        if (status == 413) {
            // The rest of an oversized body may still be on its way: close rather than read it as the next request.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            answer(ctx, status, ErrorCode.PAYLOAD_TOO_LARGE, "request body is larger than " + limit + " bytes",
                    Map.of("limit_bytes", limit));
        } else if (status == 400) {
            // The body handler could not parse a form or multipart body (which no endpoint takes anyway).
            answer(ctx, status, ErrorCode.HTTP_ERROR, "the request body could not be read as its Content-Type says", Map.of());
        } else {
            answer(ctx, status, ErrorCode.HTTP_ERROR, "HTTP " + status, Map.of());
        }
    }

    /**
     * Answers {@code refusal} in the envelope before the request's body is read, and closes the connection once the
     * answer is written: the body that may still come is neither read nor taken as the next request.
     */
    public void refuseUnread(RoutingContext ctx, ApiException refusal) {
        if (ctx.request().version() != HttpVersion.HTTP_2) { // an HTTP/2 connection carries other requests' streams
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close").endHandler(written -> ctx.request().connection().close());
        }
        answer(ctx, refusal.status(), refusal.code(), refusal.getMessage(), refusal.details());
    }

    private void answer(RoutingContext ctx, int status, String code, String message, Map<String, Object> details) {
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(code, message, details));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the error envelope is always serializable", e);
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}

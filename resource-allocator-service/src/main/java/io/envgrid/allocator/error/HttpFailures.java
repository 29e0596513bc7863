package io.envgrid.allocator.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.errors.ErrorEnvelope;
import io.envgrid.httpheads.RequestHeads;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The error envelope for a body over {@code quarkus.http.limits.max-body-size}: 413
 * {@code PAYLOAD_TOO_LARGE}. A declared one (Content-Length) is refused before a byte of it is read;
 * Quarkus' own check answers the same status with an empty body, and this route runs before it. A
 * body of undeclared length (chunked) is read here, up to the limit and no further, before Quarkus
 * REST sees it: Quarkus REST read it as JSON, refused the first bytes (400 {@code MALFORMED_JSON})
 * and then drained the rest, so a body never finished held the answer (or got none) until the read
 * timeout (60 s).
 *
 * <p>A request target that is no URI ({@code /%zz}, {@code /leases?x=%}, a raw {@code {}) is 400
 * {@code INVALID_PARAMETERS} with the envelope. The check is Quarkus' own ({@code new URI(request.uri())}),
 * moved here: Quarkus makes it ahead of every route and answers an empty 400, so the allocator turns it
 * off with the system property {@value #URI_CHECK_OFF} ({@code AllocatorMain}, and the tests' JVM: pom.xml).
 * It is the first route of all, ahead of {@link io.envgrid.allocator.auth.HeadAuthentication}.
 *
 * <p>Not covered (Vert.x's HTTP codec answers before any route runs, with an empty body; nothing
 * reaches the service): a request line over 4 KB (414), a header block over the limit (431), a head
 * that is not HTTP (400).
 */
@ApplicationScoped
public class HttpFailures {

    /** Quarkus' switch for its own URI check, which answers without a body; this class makes the check instead. */
    public static final String URI_CHECK_OFF = "vertx.disableURIValidation";

    /**
     * The methods whose chunked body is read here. Vert.x's body handler refuses to decode a form body
     * of any other (an IllegalStateException, a 500), and no endpoint reads one.
     */
    private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

    private final ObjectMapper json;
    private final long maxBodyBytes;
    /**
     * Reads a chunked body in memory up to the limit and fails the route with 413 past it (the rest is
     * discarded as it arrives). Preallocated, so an empty body is an empty buffer: with none Quarkus
     * REST would wait for a body from the request, which the handler has already read to its end.
     */
    private final BodyHandler chunkedBodies;

    public HttpFailures(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.json = json;
        this.maxBodyBytes = maxBodySize.map(MemorySize::asLongValue).orElse(0L);
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes > 0 ? maxBodyBytes : -1)
                .setPreallocateBodyBuffer(true);
    }

    /**
     * The URI check, first of all routes: observed before {@link io.envgrid.allocator.auth.HeadAuthentication}'s
     * {@code @Priority(1)} (Vert.x runs routes of equal order in the order they were added), so that no route sees a
     * target that is no URI and it is answered the same with or without a credential.
     */
    void installUriCheck(@Observes @Priority(0) Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::requireUri);
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::screen).failureHandler(this::failed);
    }

    private void requireUri(RoutingContext ctx) {
        Optional<String> targetProblem = RequestHeads.targetProblem(ctx.request().uri());
        if (targetProblem.isPresent()) {
            send(ctx, 400, ErrorCode.INVALID_PARAMETERS, targetProblem.get());
            return;
        }
        if (!RequestHeads.lengthKnowable(ctx.request().headers())) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            ctx.response().endHandler(written -> ctx.request().connection().close());
            send(ctx, 400, ErrorCode.INVALID_PARAMETERS, RequestHeads.UNKNOWABLE_LENGTH);
            return;
        }
        ctx.next();
    }

    private void screen(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && maxBodyBytes > 0) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > maxBodyBytes) {
                // The body is not read: close the connection after the answer instead of draining it.
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                send(ctx, 413, ErrorCode.PAYLOAD_TOO_LARGE,
                        "request body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes");
                return;
            }
        }
        if (length == null && maxBodyBytes > 0 && ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)
                && BODY_METHODS.contains(ctx.request().method())) {
            // No length to check up front: read the body, which fails the route with 413 once past the limit.
            chunkedBodies.handle(ctx);
            return;
        }
        ctx.next();
    }

    /**
     * Answers {@code refusal} in the envelope before the request's body is read, and closes the connection once the
     * answer is written: the body that may still come is neither read nor taken as the next request.
     */
    public void refuseUnread(RoutingContext ctx, ApiException refusal) {
        if (ctx.request().version() != HttpVersion.HTTP_2) { // an HTTP/2 connection carries other requests' streams
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            ctx.response().endHandler(written -> ctx.request().connection().close());
        }
        send(ctx, refusal.status(), refusal.code(), refusal.getMessage());
    }

    /**
     * The body handler's 413 for a chunked body past the limit, and any other 4xx a route or the router fails with
     * (a target that is no path: 404), in the envelope; other failures go on to Quarkus' handlers.
     */
    private void failed(RoutingContext ctx) {
        if (ctx.failure() instanceof HttpClosedException && ctx.response().ended()) {
            // The connection closed after the answer (the 413 closes it while the body is still coming): not a fault.
            return;
        }
        if (ctx.response().ended() || ctx.response().headWritten() || ctx.statusCode() < 400 || ctx.statusCode() > 499) {
            ctx.next();
            return;
        }
        if (ctx.statusCode() != 413) {
            // a 4xx the router fails with before any route runs (a target that is no path: 404), empty otherwise
            send(ctx, ctx.statusCode(), ErrorCode.HTTP_ERROR, "request refused with HTTP " + ctx.statusCode());
            return;
        }
        // The rest of the body may still be on its way: close rather than read it as the next request.
        ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
        send(ctx, 413, ErrorCode.PAYLOAD_TOO_LARGE, "request body is over the limit of " + maxBodyBytes + " bytes");
    }

    private void send(RoutingContext ctx, int status, String code, String message) {
        try {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json.writeValueAsString(ErrorEnvelope.of(code, message, Map.of())));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(status).end();
        }
    }
}

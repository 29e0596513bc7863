package io.envgrid.deviceagent.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.errors.ErrorEnvelope;
import io.envgrid.httpheads.RequestHeads;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refusals made by the HTTP layer below JAX-RS, in the error envelope like every other refusal (or in the shape a
 * route set as {@link #REFUSAL_BODY}: {@code /mcp}'s JSON-RPC errors): a body over
 * {@code quarkus.http.limits.max-body-size} (Quarkus' own check answers an empty 413), whether declared (refused before a
 * byte of it is read) or chunked (read here up to the limit, see {@link #chunkedBodies}), and every 4xx a Vert.x route
 * fails with ({@code ctx.fail(400)} for a malformed multipart body or a request path that is no URI, 404 and 405
 * outside JAX-RS), and a request target that is no URI ({@code /%zz}, {@code /a?b=%}, a raw {@code {}): 400
 * {@code INVALID_PARAMETERS}. Codec-level refusals (a request line over 4096 bytes: 414, a header block over the limit:
 * 431, unparsable HTTP) happen before any route and keep Vert.x's empty answer; see the README.
 *
 * <p>The URI check is Quarkus' own ({@code new URI(request.uri())}), moved here: Quarkus makes it ahead of every route
 * and answers an empty 400, so the agent turns it off with the system property {@value #URI_CHECK_OFF}
 * ({@code DeviceAgentMain}, and the tests' JVM: pom.xml) and makes it as its first route.
 */
@ApplicationScoped
public class HttpRefusals {

    /**
     * The routing-context key under which a route that speaks another protocol puts its {@link RefusalBody}: the
     * refusals this class makes after that route ran (413, and every 4xx a later route fails with) are then written
     * in that shape instead of the envelope. {@code /mcp} uses it: its clients read JSON-RPC errors.
     */
    public static final String REFUSAL_BODY = "envgrid.refusal-body";

    /** Writes a refusal as the body a protocol's clients read; what the envelope carries, in that protocol's shape. */
    @FunctionalInterface
    public interface RefusalBody {

        /** The body (JSON) of a refusal with HTTP {@code status}, error {@code code} and the human {@code message}. */
        String of(int status, String code, String message);
    }

    /** Quarkus' switch for its own URI check, which answers without a body; this class makes the check instead. */
    public static final String URI_CHECK_OFF = "vertx.disableURIValidation";

    /**
     * The methods whose chunked body is read here. Vert.x's body handler refuses to decode a form body of any other (an
     * IllegalStateException, a 500), and no endpoint reads one.
     */
    private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

    private final ObjectMapper json;
    private final Optional<MemorySize> maxBodySize;
    /**
     * Reads a chunked body in memory up to the limit and fails the route with 413 past it, discarding the rest as it
     * arrives. Without it Quarkus REST read such a body itself and, once it was refused (not JSON, or "Request too large"
     * at the limit), its input stream drained the rest before the answer went out: after the read timeout (60 s), if at
     * all, for a body that never ends. Preallocated, so an empty body is an empty
     * buffer: with none Quarkus REST would wait for a body from the request, which this has already read to its end.
     * Null without a limit.
     */
    private final BodyHandler chunkedBodies;
    /**
     * The same for a chunked multipart body (an upload), whose files go to disk as they arrive, never into memory; Quarkus
     * REST takes the parsed form ({@code fileUploads()}, form attributes) as it is. Without it Quarkus REST's multipart
     * parser answered a bare 413 at the limit and ran the resource method on what it had parsed so far. The files are
     * deleted when the answer ends (the upload route has copied its file by then). Null without a limit.
     */
    private final BodyHandler chunkedUploads;

    public HttpRefusals(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize,
            @ConfigProperty(name = "quarkus.http.body.uploads-directory", defaultValue = "${java.io.tmpdir}/uploads")
            String uploads) {
        this.json = json;
        this.maxBodySize = maxBodySize;
        this.chunkedBodies = maxBodySize.map(limit -> BodyHandler.create(false).setBodyLimit(limit.asLongValue())
                .setPreallocateBodyBuffer(true)).orElse(null);
        this.chunkedUploads = maxBodySize.map(limit -> BodyHandler.create(uploads).setBodyLimit(limit.asLongValue())
                .setDeleteUploadedFilesOnEnd(true)).orElse(null);
    }

    void install(@Observes Router router) {
        // first of all routes: no filter, body handler or resource method sees a target that is no URI (Quarkus REST
        // and the credential filters would each meet it their own way)
        router.route().order(Integer.MIN_VALUE).handler(this::requireUri);
        // before Quarkus' own upload-limit route (order -2), which would answer first with an empty body
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::limitBody);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void requireUri(RoutingContext ctx) {
        Optional<String> targetProblem = RequestHeads.targetProblem(ctx.request().uri());
        if (targetProblem.isPresent()) {
            send(ctx, 400, ErrorCode.INVALID_PARAMETERS, targetProblem.get(), Map.of());
            return;
        }
        if (!RequestHeads.lengthKnowable(ctx.request().headers())) {
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            ctx.response().endHandler(ignored -> ctx.request().connection().close());
            send(ctx, 400, ErrorCode.INVALID_PARAMETERS, RequestHeads.UNKNOWABLE_LENGTH, Map.of());
            return;
        }
        ctx.next();
    }

    private void limitBody(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && maxBodySize.isPresent()) {
            long limit = maxBodySize.get().asLongValue();
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1; // Vert.x' codec refuses a malformed Content-Length before any route
            }
            if (declared > limit) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                ctx.response().endHandler(ignored -> ctx.request().connection().close());
                send(ctx, 413, ErrorCode.FILE_TOO_LARGE, "the request body is " + declared
                        + " bytes, more than the limit of " + limit, Map.of("max_bytes", limit));
                return;
            }
        }
        if (length == null && chunkedBodies != null && ctx.request().headers().contains(HttpHeaders.TRANSFER_ENCODING)
                && BODY_METHODS.contains(ctx.request().method()) && carriesCredential(ctx)) {
            // No length to check up front: read the body, which fails the route with 413 once past the limit.
            (multipart(ctx) ? chunkedUploads : chunkedBodies).handle(ctx);
            return;
        }
        ctx.next();
    }

    /**
     * Whether the request names a credential at all. Every route that takes a body needs one, and a caller without one
     * is refused by its filter on the headers alone ({@code DesktopLockFilter}, Quarkus security); reading its body
     * first would let anyone hold a desktop's call places ({@code DesktopCallGate}) by trickling a body that never ends.
     */
    private static boolean carriesCredential(RoutingContext ctx) {
        return ctx.request().headers().contains(HttpHeaders.AUTHORIZATION)
                || ctx.request().headers().contains(Credentials.LEASE_TOKEN_HEADER);
    }

    /** Whether the body is multipart (an upload), whose files must go to disk rather than into memory. */
    private static boolean multipart(RoutingContext ctx) {
        String type = ctx.request().getHeader(HttpHeaders.CONTENT_TYPE);
        return type != null && type.strip().toLowerCase(Locale.ROOT).startsWith("multipart/");
    }

    private void failed(RoutingContext ctx) {
        if (ctx.response().ended() && ctx.response().getStatusCode() == 413) {
            // The body past the limit is refused and the connection closing: what the rest of it does (the close, an
            // upload's file stream the body handler cancelled: "Pipe closed") is not a fault.
            return;
        }
        int status = ctx.statusCode();
        if (ctx.response().ended() || ctx.response().headWritten() || status < 400 || status > 499) {
            ctx.next(); // 5xx and unknown failures: Quarkus' handler logs them; the fuzz test counts them as faults
            return;
        }
        if (status == 413) {
            // A chunked body past the limit: the rest may still be on its way, so close rather than read it as a request.
            ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
            // closed by the agent, as for a declared length: with an upload still coming Vert.x would keep it open
            ctx.response().endHandler(ignored -> ctx.request().connection().close());
            long limit = maxBodySize.map(MemorySize::asLongValue).orElse(0L);
            send(ctx, 413, ErrorCode.FILE_TOO_LARGE, "the request body is more than the limit of " + limit + " bytes",
                    Map.of("max_bytes", limit));
            return;
        }
        String code = switch (status) {
            case 400 -> ErrorCode.INVALID_PARAMETERS;
            case 413 -> ErrorCode.FILE_TOO_LARGE;
            default -> ErrorCode.HTTP_ERROR;
        };
        String reason = ctx.failure() == null ? null : ctx.failure().getMessage();
        send(ctx, status, code, reason == null || reason.isBlank() ? "request refused with HTTP " + status : reason,
                Map.of());
    }

    private void send(RoutingContext ctx, int status, String code, String message, Map<String, Object> details) {
        RefusalBody shape = ctx.get(REFUSAL_BODY);
        if (shape != null) {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(shape.of(status, code, message));
            return;
        }
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(code, message, details));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the envelope is always serializable", e);
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}

package io.envgrid.gateway.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.httpheads.RequestHeads;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Failures the HTTP layer raises before a request reaches a handler (a body over
 * {@code quarkus.http.limits.max-body-size}: 413; a request target that is no URI, such as a
 * malformed percent-escape {@code /%zz}: 400) still answer in the door's error shape: a
 * JSON-RPC error on the MCP endpoints, the envelope everywhere else. Without this the framework
 * answers them with an empty body.
 *
 * <p>A body over the limit is refused whether declared (Content-Length, before a byte of it is read)
 * or chunked: the REST routes' chunked bodies are read here up to the limit ({@link #chunkedBodies}).
 * The MCP doors read theirs with the same limit in their own body handler, whose 413 ends up in
 * {@link #failed}; Engine.IO reads its own against {@code maxPayload}.
 *
 * <p>The URI check is Quarkus's own ({@code new URI(request.uri())}), moved here: Quarkus makes it
 * ahead of every route and answers an empty 400, so the gateway turns it off with the system
 * property {@value #URI_CHECK_OFF} ({@code GatewayMain}, and the tests' JVM) and makes it as its first route.
 */
@ApplicationScoped
public class HttpFailures {

    /** Quarkus's switch for its own URI check, which answers without a body; this class makes the check instead. */
    public static final String URI_CHECK_OFF = "vertx.disableURIValidation";

    /**
     * The methods whose chunked body is read here. Vert.x's body handler refuses to decode a form body
     * of any other (an IllegalStateException, a 500), and no endpoint reads one.
     */
    private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);
    /**
     * Paths whose routes read the body themselves: the MCP doors (a body handler of their own, with
     * this limit) and Engine.IO ({@code SmcpServer.PATH}: the request's own stream, which a body read
     * here would have ended).
     */
    private static final List<String> OWN_BODY_READERS = List.of("/mcp", "/messages", "/socket.io/");

    private final ObjectMapper json;
    private final long bodyLimit;
    /**
     * Reads a chunked body in memory up to the limit and fails the route with 413 past it, discarding
     * the rest as it arrives. Without it Quarkus REST read such a body itself: an empty 413 at the
     * limit, and for a body refused before it (not JSON) an answer only once its input stream had
     * drained the rest, after the read timeout (60 s) for a body that never ends. Preallocated, so an empty body is an empty buffer: with none Quarkus REST would
     * wait for a body from the request, which this has already read to its end.
     */
    private final BodyHandler chunkedBodies;

    public HttpFailures(ObjectMapper json, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize bodyLimit) {
        this.json = json;
        this.bodyLimit = bodyLimit.asLongValue();
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(this.bodyLimit).setPreallocateBodyBuffer(true);
    }

    void routes(@Observes Router router) {
        // ahead of the framework's own upload-limit route, which answers an announced oversized body with an empty 413
        router.route().order(Integer.MIN_VALUE).handler(this::declaredLength);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void declaredLength(RoutingContext ctx) {
        Optional<String> targetProblem = RequestHeads.targetProblem(ctx.request().uri());
        if (targetProblem.isPresent()) {
            answer(ctx, 400, targetProblem.get());
            return;
        }
        if (!RequestHeads.lengthKnowable(ctx.request().headers())) {
            ctx.response().putHeader("Connection", "close").endHandler(done -> ctx.request().connection().close());
            answer(ctx, 400, RequestHeads.UNKNOWABLE_LENGTH);
            return;
        }
        String length = ctx.request().getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > bodyLimit) {
                    ctx.response().putHeader("Connection", "close");
                    answer(ctx, 413, null);
                    return;
                }
            } catch (NumberFormatException e) {
                // a malformed length is the HTTP codec's to refuse
            }
        } else if (ctx.request().headers().contains("Transfer-Encoding") && BODY_METHODS.contains(ctx.request().method())
                && OWN_BODY_READERS.stream().noneMatch(ctx.normalizedPath()::startsWith)) {
            // no length to check up front: read the body, which fails the route with 413 once past the limit
            chunkedBodies.handle(ctx);
            return;
        }
        ctx.next();
    }

    private void failed(RoutingContext ctx) {
        if (ctx.response().ended() && ctx.response().getStatusCode() == 413) {
            // the body past the limit is refused and the connection closing: what the rest of it does (the close, a chunk
            // cut short) is not a fault
            return;
        }
        int status = ctx.statusCode();
        if (status < 400 || status >= 500 || ctx.response().ended() || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        if (status == 413) {
            // a chunked body past the limit: the rest may still be on its way, so close rather than read it as a request
            ctx.response().putHeader("Connection", "close");
        }
        answer(ctx, status, null);
    }

    /** {@code message} null: the status's own. The raw path decides the door: a malformed one cannot be normalized. */
    private void answer(RoutingContext ctx, int status, String message) {
        if (message == null) {
            message = status == 413 ? "the request body is over the size limit" : "the request was refused (" + status + ")";
        }
        String path = ctx.request().path() == null ? "" : ctx.request().path();
        String body;
        if (path.startsWith("/mcp") || path.startsWith("/messages") || path.startsWith("/sse")) {
            // a JSON-RPC door also for a path like /mcp%zz that is none of its routes: the client speaks JSON-RPC
            ObjectNode rpc = JsonNodeFactory.instance.objectNode().put("jsonrpc", "2.0");
            rpc.putNull("id");
            // -32600: the HTTP request as a whole could not be taken as a JSON-RPC message
            rpc.putObject("error").put("code", -32600).put("message", message);
            body = rpc.toString();
        } else {
            try {
                body = json.writeValueAsString(ErrorEnvelope.of(status == 413 ? ErrorCode.PAYLOAD_TOO_LARGE : ErrorCode.INVALID_PARAMETERS,
                        message, Map.of()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the error envelope cannot be written", e);
            }
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}

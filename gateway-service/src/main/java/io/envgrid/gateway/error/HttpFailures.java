package io.envgrid.gateway.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Failures the HTTP layer raises before a request reaches a handler (a body over
 * {@code quarkus.http.limits.max-body-size}: 413; a request target that is no URI, such as a
 * malformed percent-escape {@code /%zz}: 400) still answer in the door's error shape: a
 * JSON-RPC error on the MCP endpoints, the envelope everywhere else. Without this the framework
 * answers them with an empty body.
 *
 * <p>The URI check is Quarkus's own ({@code new URI(request.uri())}), moved here: Quarkus makes it
 * ahead of every route and answers an empty 400, so the gateway turns it off with the system
 * property {@value #URI_CHECK_OFF} ({@code GatewayMain}, and the tests' JVM) and makes it as its first route.
 */
@ApplicationScoped
public class HttpFailures {

    /** Quarkus's switch for its own URI check, which answers without a body; this class makes the check instead. */
    public static final String URI_CHECK_OFF = "vertx.disableURIValidation";

    private final ObjectMapper json;
    private final long bodyLimit;

    public HttpFailures(ObjectMapper json, @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize bodyLimit) {
        this.json = json;
        this.bodyLimit = bodyLimit.asLongValue();
    }

    void routes(@Observes Router router) {
        // ahead of the framework's own upload-limit route, which answers an announced oversized body with an empty 413
        router.route().order(Integer.MIN_VALUE).handler(this::declaredLength);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void declaredLength(RoutingContext ctx) {
        try {
            new URI(ctx.request().uri());
        } catch (URISyntaxException e) {
            answer(ctx, 400, "the request target is not a valid URI: " + e.getReason() + " at index " + e.getIndex());
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
        }
        ctx.next();
    }

    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (status < 400 || status >= 500 || ctx.response().ended() || ctx.response().headWritten()) {
            ctx.next();
            return;
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
                body = json.writeValueAsString(ErrorEnvelope.of(status == 413 ? "PAYLOAD_TOO_LARGE" : ErrorCode.INVALID_PARAMETERS,
                        message, Map.of()));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the error envelope cannot be written", e);
            }
        }
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}

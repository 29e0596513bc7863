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
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Failures the HTTP layer raises before a request reaches a handler (a body over
 * {@code quarkus.http.limits.max-body-size}: 413) still answer in the door's error shape: a
 * JSON-RPC error on the MCP endpoints, the envelope everywhere else. Without this the framework
 * answers them with an empty body.
 */
@ApplicationScoped
public class HttpFailures {

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
        String length = ctx.request().getHeader("Content-Length");
        if (length != null) {
            try {
                if (Long.parseLong(length.trim()) > bodyLimit) {
                    ctx.response().putHeader("Connection", "close");
                    answer(ctx, 413);
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
        answer(ctx, status);
    }

    private void answer(RoutingContext ctx, int status) {
        String message = status == 413 ? "the request body is over the size limit" : "the request was refused (" + status + ")";
        String path = ctx.normalizedPath();
        String body;
        if (path.startsWith("/mcp") || path.startsWith("/messages") || path.startsWith("/sse")) {
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

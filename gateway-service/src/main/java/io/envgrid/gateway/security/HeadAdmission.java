package io.envgrid.gateway.security;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;

/**
 * {@link AccessGuard}'s check of a request that carries a body, made on its head before any route reads the body: a
 * foreign Host or Origin (403), no token, a malformed, unknown, expired or revoked one (401, as far as this replica
 * knows of the revocation) are answered at once in the door's shape (a JSON-RPC error on the MCP doors, the envelope
 * on the Sandbox and admin API) and the connection is closed once the answer is written, so the body is never read.
 * Before, the MCP doors read the body in their body handler and a chunked body to the REST API was read by
 * {@code HttpFailures}, up to the body limit, before the access check: an anonymous caller could make the gateway hold
 * a megabyte per connection, and a wrong token got its refusal only after uploading everything.
 *
 * <p>An admitted request goes on untouched to its door's own check ({@code HttpExchange.admitted}, {@code
 * SandboxAccess}), which decides again (no I/O) and also asks Redis about a revocation this replica has not heard of
 * yet. A request without a body is whole with its head, so the door's check alone answers it. Engine.IO
 * ({@code /socket.io/}: the credential is in the Socket.IO handshake, a body) and Quarkus' {@code /q/} are not checked
 * here; both are told by the normalized path, the one the routes match.
 */
@ApplicationScoped
public class HeadAdmission {

    private static final List<String> NOT_CHECKED = List.of("/socket.io/", "/q/");
    private static final List<String> JSON_RPC_DOORS = List.of("/mcp", "/messages", "/sse");

    private final AccessGuard guard;
    private final ObjectMapper json;

    public HeadAdmission(AccessGuard guard, ObjectMapper json) {
        this.guard = guard;
        this.json = json;
    }

    /**
     * First of all routes: at the order of {@code HttpFailures}' first route (which reads a chunked body), installed
     * before it (a lower priority value observes first), and Vert.x runs routes of equal order as they were added.
     */
    void install(@Observes @Priority(1) Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path;
        try {
            // the path the routes match, not the raw one: "/q/../mcp" is the MCP door, not Quarkus' /q/
            path = ctx.normalizedPath();
        } catch (IllegalArgumentException malformed) {
            // an escape that is none ("%/", "%ZZ"): Vert.x cannot normalize the path; what comes after answers it 400
            ctx.next();
            return;
        }
        if (!carriesBody(request) || NOT_CHECKED.stream().anyMatch(path::startsWith)) {
            ctx.next();
            return;
        }
        Authentication outcome = guard.admit(AccessGuard.host(request), request.getHeader("Origin"),
                request.getHeader("Authorization"));
        if (outcome instanceof Authentication.Refused refused) {
            refuse(ctx, path, refused.failure());
            return;
        }
        ctx.next();
    }

    /**
     * HTTP/1.x: a {@code Transfer-Encoding}, or a {@code Content-Length} other than 0 (the codec refused a malformed
     * one). HTTP/2 frames a body in DATA frames with neither header, so there every request but {@code GET}, {@code
     * HEAD} and {@code OPTIONS} is taken to carry one.
     */
    private static boolean carriesBody(HttpServerRequest request) {
        if (request.version() == HttpVersion.HTTP_2) {
            return request.method() != HttpMethod.GET && request.method() != HttpMethod.HEAD
                    && request.method() != HttpMethod.OPTIONS;
        }
        String length = request.getHeader("Content-Length");
        return request.headers().contains("Transfer-Encoding") || length != null && !length.trim().equals("0");
    }

    private void refuse(RoutingContext ctx, String path, ToolFailure failure) {
        String body;
        if (JSON_RPC_DOORS.stream().anyMatch(path::startsWith)) {
            body = JsonRpc.error(null, JsonRpc.ACCESS_DENIED, failure.getMessage()).toString();
        } else {
            try {
                body = json.writeValueAsString(failure.envelope());
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("the error envelope cannot be written", e);
            }
        }
        if (failure.status() == 401) {
            ctx.response().putHeader("WWW-Authenticate", "Bearer");
        }
        // the body is not read: it must not be taken as the next request, nor keep streaming into an open connection
        // (but an HTTP/2 connection carries other requests' streams: only this one ends)
        if (ctx.request().version() != HttpVersion.HTTP_2) {
            ctx.response().putHeader("Connection", "close").endHandler(written -> ctx.request().connection().close());
        }
        ctx.response().setStatusCode(failure.status()).putHeader("Content-Type", "application/json").end(body);
    }
}

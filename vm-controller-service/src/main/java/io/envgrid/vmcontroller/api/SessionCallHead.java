package io.envgrid.vmcontroller.api;

import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.HttpLayerErrors;
import io.envgrid.vmcontroller.session.SessionService;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The lease token of a session call that carries a body ({@code /sessions/{worker_id}/{resource_id}/...}: actions,
 * python, files), checked on the request's head before anything reads the body: no {@code X-Envgrid-Lease-Token}, a
 * blank one or one too long to be a lease token ({@link SessionService#token}) is 401 {@code UNAUTHORIZED} at once, in
 * the envelope, and the connection is closed once the answer is written, so the body is never read. Before, a chunked
 * body was read whole, up to the body limit (32 MB), by {@link HttpLayerErrors} before {@link SessionCallFilter} ran:
 * a caller without a token could make the controller hold that much per connection.
 *
 * <p>Whether a token is the live lease's takes a Redis round trip ({@link SessionService#authorize}), made where the
 * call acts, after its body, as before. {@code POST /sessions} carries its token in the body, so it has nothing to
 * check here. A call without a body is whole with its head: {@link SessionCallFilter} answers it.
 */
@ApplicationScoped
public class SessionCallHead {

    private final HttpLayerErrors errors;

    public SessionCallHead(HttpLayerErrors errors) {
        this.errors = errors;
    }

    /**
     * First of all routes: at the order of {@link HttpLayerErrors}' body screen, installed before it (a lower priority
     * value observes first), and Vert.x runs routes of equal order as they were added.
     */
    void install(@Observes @Priority(1) Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        String path;
        try {
            path = ctx.normalizedPath();
        } catch (IllegalArgumentException malformed) {
            // an escape that is none ("%/", "%ZZ"): Vert.x cannot normalize the path; what comes after answers it 400
            ctx.next();
            return;
        }
        if (!carriesBody(ctx.request()) || !sessionCall(path)) {
            ctx.next();
            return;
        }
        try {
            SessionService.token(ctx.request().getHeader(SessionService.LEASE_TOKEN_HEADER),
                    "header " + SessionService.LEASE_TOKEN_HEADER);
        } catch (ApiException refused) {
            errors.refuseUnread(ctx, refused);
            return;
        }
        ctx.next();
    }

    /** {@code /sessions/} followed by at least a worker and a resource segment. */
    static boolean sessionCall(String path) {
        return path.startsWith("/sessions/") && path.substring("/sessions/".length()).split("/").length >= 2;
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
}

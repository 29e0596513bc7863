package io.envgrid.rag.access;

import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.error.RouterErrors;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The credential of a search or a write that carries a body, checked on the request's head before anything reads the
 * body ({@link CollectionAccess#checkHead}): a malformed lease token, a lease token without an allocator to check it,
 * or a write with no credential is 401 {@code UNAUTHORIZED} at once, in the envelope, and the connection is closed once
 * the answer is written, so the body is never read. Before, {@link RouterErrors} read every body, up to the body limit
 * (16 MB), before the resource checked its caller: anyone could make the service hold that much per connection, and
 * a wrong credential got its refusal only after uploading everything.
 *
 * <p>Whether a well-formed lease token is live takes an allocator round trip, and a search's collection (open or
 * leased) is in its body: both are still decided by the resource, after the body, as before. A call without a body is
 * whole with its head: the resource answers it.
 */
@ApplicationScoped
public class HeadCheck {

    private final CollectionAccess access;
    private final RouterErrors errors;

    public HeadCheck(CollectionAccess access, RouterErrors errors) {
        this.access = access;
        this.errors = errors;
    }

    /** Just before {@link RouterErrors}' body route ({@code ROUTE_ORDER_UPLOAD_LIMIT - 1}). */
    void install(@Observes Router router) {
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 2).handler(this::check);
    }

    private void check(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        String path;
        try {
            path = ctx.normalizedPath();
        } catch (IllegalArgumentException malformed) {
            // an escape that is none ("%/", "%ZZ"): Vert.x cannot normalize the path; what comes after answers it 400
            ctx.next();
            return;
        }
        boolean write = path.startsWith("/collections/");
        if (!carriesBody(request) || !(write || path.equals("/search"))) {
            ctx.next();
            return;
        }
        try {
            access.checkHead(write, request.getHeader(HttpHeaders.AUTHORIZATION),
                    request.getHeader(Credentials.LEASE_TOKEN_HEADER));
        } catch (ApiException refused) {
            errors.refuseUnread(ctx, refused);
            return;
        }
        ctx.next();
    }

    /** A {@code Transfer-Encoding}, or a {@code Content-Length} other than 0 (the codec refused a malformed one). */
    private static boolean carriesBody(HttpServerRequest request) {
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.trim().equals("0");
    }
}

package io.envgrid.allocator.auth;

import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.HttpFailures;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The credential of an API call that carries a body, checked on the request's head before anything reads the body: a
 * missing, malformed or unknown bearer token (401) and an agent token outside the inventory (403) are answered at once by
 * {@link AccessPolicy#authenticate}, in the envelope, and the connection is closed once the answer is written, so the
 * body is never read. Without it the body came first: a chunked one was read whole, up to the body limit, by
 * {@link HttpFailures} before the filter ran, so an anonymous caller could make the allocator hold a megabyte per
 * connection and a wrong token got its refusal only after uploading everything. An admitted call goes on untouched,
 * and {@link ServiceTokenFilter} authenticates it again (a comparison and an HMAC, no I/O) to leave its principal in
 * {@link Caller}. A call without a body is whole with its head, so the filter alone answers it. Health, metrics and
 * OpenAPI under {@code /q} stay open, as there.
 */
@ApplicationScoped
public class HeadAuthentication {

    private final AccessPolicy policy;
    private final HttpFailures failures;

    public HeadAuthentication(AccessPolicy policy, HttpFailures failures) {
        this.policy = policy;
        this.failures = failures;
    }

    /**
     * First of all routes: at the same order as {@link HttpFailures}' body screen, whose route is installed after this
     * one (a higher priority value observes later), and Vert.x runs routes of equal order in the order they were added.
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
        if (carriesBody(ctx.request()) && !path.startsWith("/q/")) {
            try {
                policy.authenticate(ctx.request().getHeader(HttpHeaders.AUTHORIZATION), path);
            } catch (ApiException refused) {
                failures.refuseUnread(ctx, refused);
                return;
            }
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
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        return request.headers().contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.trim().equals("0");
    }
}

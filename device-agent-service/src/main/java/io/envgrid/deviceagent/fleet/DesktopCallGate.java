package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.envgrid.errors.ErrorEnvelope;
import io.envgrid.httpheads.RequestHeads;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The interceptor of one desktop's port ({@link DesktopPorts}): names the desktop and marks the request as the
 * proxy's, and admits at most {@code limit} calls at once. The one over the limit is answered
 * {@code 429 RATE_LIMIT_EXCEEDED} (with {@code Retry-After: 1}) without reaching the agent, so the holder of one
 * desktop cannot queue up connections that another desktop's calls then wait behind. A call counts from its
 * admission until its answer was sent or the exchange failed; a caller that does not take its answer has its
 * connection closed after the port's idle timeout ({@link DesktopPortConnections}), which fails the exchange.
 * <p>
 * A call that carries a body is admitted only once its credential passed the {@link DesktopHeadCheck} on its head:
 * the body may be trickled for up to the read timeout, and a call counts from its head, so without the check a caller
 * with a made-up (well-formed) lease token could hold every place of the desktop and starve its real holder. A refused
 * call is answered at once with the route's refusal and never takes a place; its body is dropped unread. The check
 * admitted is handed to the route in this process ({@link HeadChecks}), so the allocator is asked once per call, not
 * twice; a {@link HeadChecks#HEADER} the caller sent is removed. A call
 * without a body is complete with its head, so the route checks it at once; checking it here too would only double
 * the allocator's round trips of the most frequent calls (screenshots).
 * <p>
 * Before anything else a request must be a plain call on a path ({@link #unservable}): a protocol upgrade (WebSocket,
 * h2c), {@code CONNECT}, or a target that is not a path ({@code http://host/x}, {@code *}, the HTTP/2 preface's
 * {@code PRI *}) is answered {@code 400 INVALID_PARAMETERS} and never forwarded. The OSWorld protocol has none of
 * them, and each is a way a request could turn the connection into a tunnel that no call place, head check or idle
 * clock covers.
 */
final class DesktopCallGate implements ProxyInterceptor {

    private static final Logger LOG = Logger.getLogger(DesktopCallGate.class);
    private static final String ADMITTED = DesktopCallGate.class.getName() + ".admitted";
    private static final String CHECK = DesktopCallGate.class.getName() + ".check";
    private final ObjectMapper json;
    private final String desktop;
    private final String mark;
    private final int limit;
    private final DesktopHeadCheck headCheck;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param json    writes the error envelope
     * @param desktop the desktop's name, set as {@link DesktopRouting#DESKTOP_HEADER}
     * @param mark    the proxy's secret, set as {@link DesktopPorts#PROXY_MARK_HEADER}
     * @param limit   calls admitted at once, ≥ 1
     * @param headCheck the credential check of a call with a body, before it is admitted
     */
    DesktopCallGate(ObjectMapper json, String desktop, String mark, int limit, DesktopHeadCheck headCheck) {
        this.json = json;
        this.desktop = desktop;
        this.mark = mark;
        this.limit = limit;
        this.headCheck = headCheck;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        String unservable = unservable(context.request().proxiedRequest());
        if (unservable != null) {
            drop(context);
            return Future.succeededFuture(answer(context, 400, ErrorEnvelope.of(ErrorCode.INVALID_PARAMETERS,
                    unservable, Map.of("desktop", desktop))));
        }
        // only this port names its own checks to the agent: a caller's value would otherwise reach the route
        context.request().headers().remove(HeadChecks.HEADER);
        if (!carriesBody(context.request().headers())) {
            return admit(context, null);
        }
        // the request stays paused (the proxy paused it) while the check runs: not a byte of its body is read
        return headCheck.check(context.request().headers()).transform(checked -> {
            if (checked.succeeded()) {
                return admit(context, checked.result());
            }
            drop(context);
            return Future.succeededFuture(refused(context, checked.cause()));
        });
    }

    /**
     * Why {@code request} is not served on a desktop's port, or null when it is a plain call: no {@code Upgrade} or
     * {@code HTTP2-Settings} header and no {@code upgrade} token in {@code Connection} (a WebSocket or h2c upgrade),
     * not {@code CONNECT}, and a target that is a path (origin-form) and a valid URI.
     */
    static String unservable(HttpServerRequest request) {
        MultiMap headers = request.headers();
        boolean upgrade = headers.contains(HttpHeaders.UPGRADE) || headers.contains("HTTP2-Settings")
                || headers.getAll(HttpHeaders.CONNECTION).stream()
                        .flatMap(value -> Arrays.stream(value.split(",")))
                        .anyMatch(token -> token.trim().equalsIgnoreCase("upgrade"));
        if (upgrade) {
            return "a desktop's port serves no protocol upgrade (WebSocket, h2c)";
        }
        if (request.method() == HttpMethod.CONNECT) {
            return "a desktop's port serves no CONNECT";
        }
        if (!request.uri().startsWith("/")) {
            return "a desktop's port serves requests for a path only, not for " + request.uri();
        }
        // as on the agent's port: refused before the credential check, so the answer does not depend on a token
        return RequestHeads.targetProblem(request.uri()).orElse(null);
    }

    /**
     * Answers a request whose {@code Transfer-Encoding} is anything but {@code chunked} itself, before the proxy sees
     * it: 400 with the envelope, and the connection closed (the body's length cannot be known, RFC 9112 6.3). The proxy
     * (vertx-http-proxy) refused such a request with an empty 400 before any interceptor ran.
     *
     * @return whether the request was answered here
     */
    boolean refusedUnproxiable(HttpServerRequest request) {
        List<String> codings = request.headers().getAll(HttpHeaders.TRANSFER_ENCODING);
        if (codings.isEmpty() || codings.size() == 1 && codings.get(0).strip().equalsIgnoreCase("chunked")) {
            return false;
        }
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(ErrorCode.INVALID_PARAMETERS, "a desktop's port takes no "
                    + "Transfer-Encoding but chunked: the length of the body cannot be known", Map.of("desktop", desktop)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error envelope is always serialisable", e);
        }
        request.response().setStatusCode(400).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close").end(body).onComplete(done -> request.connection().close());
        return true;
    }

    /**
     * Reads and drops whatever body comes: closing instead could reset the connection (unread data) before the caller
     * reads the refusal. The port's idle clock runs from the refusal on, so a body trickled on after it is cut off at
     * the idle timeout, holding no call place meanwhile.
     */
    private static void drop(ProxyContext context) {
        context.request().proxiedRequest().handler(dropped -> { }).resume();
    }

    /**
     * Whether a request has a body to wait for (HTTP/1.1: a {@code Transfer-Encoding}, or a {@code Content-Length}
     * other than 0). Vert.x' codec refused a malformed length, and {@link #refusedUnproxiable} a transfer coding other
     * than {@code chunked} (400), before this runs.
     */
    static boolean carriesBody(MultiMap headers) {
        String length = headers.get(HttpHeaders.CONTENT_LENGTH);
        return headers.contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.trim().equals("0");
    }

    /** Admits the call if a place is free; {@code check} names its head check kept for the route, or is null. */
    private Future<ProxyResponse> admit(ProxyContext context, String check) {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            headCheck.forget(check);
            return Future.succeededFuture(busy(context));
        }
        AtomicBoolean admitted = new AtomicBoolean(true);
        context.set(ADMITTED, admitted);
        context.set(CHECK, check);
        context.request().headers().set(DesktopRouting.DESKTOP_HEADER, desktop);
        context.request().headers().set(DesktopPorts.PROXY_MARK_HEADER, mark);
        if (check != null) {
            context.request().headers().set(HeadChecks.HEADER, check);
        }
        return context.sendRequest().onFailure(e -> leave(admitted, check));
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        AtomicBoolean admitted = context.get(ADMITTED, AtomicBoolean.class);
        String check = context.get(CHECK, String.class);
        return context.sendResponse().onComplete(done -> leave(admitted, check));
    }

    /** Calls admitted and not yet answered. */
    int inFlight() {
        return inFlight.get();
    }

    private void leave(AtomicBoolean admitted, String check) {
        // a call leaves once, whichever of "request failed" and "answer sent" comes first
        if (admitted != null && admitted.compareAndSet(true, false)) {
            inFlight.decrementAndGet();
            headCheck.forget(check); // taken by the route already, unless the call never reached it
        }
    }

    private ProxyResponse busy(ProxyContext context) {
        Map<String, Object> details = Map.of("desktop", desktop, "max_concurrent_calls", limit, "retry_after_seconds", 1);
        ProxyResponse response = answer(context, 429, ErrorEnvelope.of(ErrorCode.RATE_LIMIT_EXCEEDED,
                "more than " + limit + " calls at once on this desktop", details));
        response.headers().set("Retry-After", "1");
        return response;
    }

    /** The head check's refusal as the route would answer it; anything but a refusal is a fault of the agent. */
    private ProxyResponse refused(ProxyContext context, Throwable cause) {
        if (cause instanceof ApiException refusal) {
            return answer(context, refusal.status(), ErrorEnvelope.of(refusal.code(), refusal.getMessage(),
                    refusal.details()));
        }
        LOG.errorf(cause, "desktop %s: the lease check on a request's head failed", desktop);
        return answer(context, 500, ErrorEnvelope.of(ErrorCode.INTERNAL_ERROR, "the lease check failed", Map.of()));
    }

    private ProxyResponse answer(ProxyContext context, int status, ErrorEnvelope envelope) {
        String body;
        try {
            body = json.writeValueAsString(envelope);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error envelope is always serialisable", e);
        }
        ProxyResponse response = context.request().response().setStatusCode(status);
        response.headers().set("Content-Type", "application/json");
        return response.setBody(Body.body(Buffer.buffer(body)));
    }
}

package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.error.ErrorEnvelope;
import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The interceptor of one desktop's port ({@link DesktopPorts}): names the desktop and marks the request as the
 * proxy's, and admits at most {@code limit} calls at once. The one over the limit is answered
 * {@code 429 RATE_LIMIT_EXCEEDED} (with {@code Retry-After: 1}) without reaching the agent, so the holder of one
 * desktop cannot queue up connections that another desktop's calls then wait behind. A call counts from its
 * admission until its answer was sent or the exchange failed.
 */
final class DesktopCallGate implements ProxyInterceptor {

    private static final String ADMITTED = DesktopCallGate.class.getName() + ".admitted";
    private final ObjectMapper json;
    private final String desktop;
    private final String mark;
    private final int limit;
    private final AtomicInteger inFlight = new AtomicInteger();

    /**
     * @param json    writes the error envelope
     * @param desktop the desktop's name, set as {@link DesktopRouting#DESKTOP_HEADER}
     * @param mark    the proxy's secret, set as {@link DesktopPorts#PROXY_MARK_HEADER}
     * @param limit   calls admitted at once, ≥ 1
     */
    DesktopCallGate(ObjectMapper json, String desktop, String mark, int limit) {
        this.json = json;
        this.desktop = desktop;
        this.mark = mark;
        this.limit = limit;
    }

    @Override
    public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        if (inFlight.incrementAndGet() > limit) {
            inFlight.decrementAndGet();
            return Future.succeededFuture(busy(context));
        }
        AtomicBoolean admitted = new AtomicBoolean(true);
        context.set(ADMITTED, admitted);
        context.request().headers().set(DesktopRouting.DESKTOP_HEADER, desktop);
        context.request().headers().set(DesktopPorts.PROXY_MARK_HEADER, mark);
        return context.sendRequest().onFailure(e -> leave(admitted));
    }

    @Override
    public Future<Void> handleProxyResponse(ProxyContext context) {
        AtomicBoolean admitted = context.get(ADMITTED, AtomicBoolean.class);
        return context.sendResponse().onComplete(done -> leave(admitted));
    }

    /** Calls admitted and not yet answered. */
    int inFlight() {
        return inFlight.get();
    }

    private void leave(AtomicBoolean admitted) {
        // a call leaves once, whichever of "request failed" and "answer sent" comes first
        if (admitted != null && admitted.compareAndSet(true, false)) {
            inFlight.decrementAndGet();
        }
    }

    private ProxyResponse busy(ProxyContext context) {
        Map<String, Object> details = Map.of("desktop", desktop, "max_concurrent_calls", limit, "retry_after_seconds", 1);
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(ErrorCode.RATE_LIMIT_EXCEEDED,
                    "more than " + limit + " calls at once on this desktop", details));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an error envelope is always serialisable", e);
        }
        ProxyResponse response = context.request().response().setStatusCode(429);
        response.headers().set("Content-Type", "application/json").set("Retry-After", "1");
        return response.setBody(Body.body(Buffer.buffer(body)));
    }
}

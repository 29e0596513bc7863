package io.envgrid.rag.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Bodies over {@code quarkus.http.limits.max-body-size} get {@code 413 PAYLOAD_TOO_LARGE} in the error
 * envelope. Quarkus' own limit answers a bare 413 without a body; this reads the body first (Quarkus REST
 * then takes the read body as it is) and refuses it, whether the size was declared (Content-Length, refused
 * before a byte of the body is read) or only found while reading a chunked body.
 */
@ApplicationScoped
public class BodyLimit {

    private final long limit;
    private final ObjectMapper json;

    public BodyLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit, ObjectMapper json) {
        this.limit = limit.asLongValue();
        this.json = json;
    }

    void install(@Observes Router router) {
        // Just before Quarkus' own limit (ROUTE_ORDER_UPLOAD_LIMIT), which never sees an oversized body then.
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1)
                // Preallocated, so an empty body is an empty buffer: with none at all Quarkus REST would wait
                // for a body from the request, which the handler has already read to its end.
                .handler(BodyHandler.create(false).setBodyLimit(limit).setPreallocateBodyBuffer(true))
                .failureHandler(this::tooLarge);
    }

    private void tooLarge(RoutingContext ctx) {
        if (ctx.response().ended() || ctx.response().closed()) {
            // The connection closed after the answer (or before it could be given): nothing left to say.
            return;
        }
        if (ctx.statusCode() != 413 || ctx.response().headWritten()) {
            ctx.next();
            return;
        }
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(ErrorCode.PAYLOAD_TOO_LARGE,
                    "request body is larger than " + limit + " bytes", Map.of("limit_bytes", limit)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the error envelope is always serializable", e);
        }
        // The rest of an oversized body may still be on its way: close rather than read it as the next request.
        ctx.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body);
    }
}

package io.envgrid.allocator.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The error envelope for a declared body over {@code quarkus.http.limits.max-body-size}: 413
 * {@code PAYLOAD_TOO_LARGE}, answered before any body is read. Quarkus' own check answers the same
 * status with an empty body; this route runs before it.
 *
 * <p>Not covered (Quarkus' HTTP layer answers before any route runs, with an empty body; nothing
 * reaches the service): a request URI with an invalid percent-escape (400), a request line over
 * 4 KB (414), and a chunked body that grows past the limit (413).
 */
@ApplicationScoped
public class HttpFailures {

    private final ObjectMapper json;
    private final long maxBodyBytes;

    public HttpFailures(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.json = json;
        this.maxBodyBytes = maxBodySize.map(MemorySize::asLongValue).orElse(0L);
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(this::screen);
    }

    private void screen(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && maxBodyBytes > 0) {
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1;
            }
            if (declared > maxBodyBytes) {
                // The body is not read: close the connection after the answer instead of draining it.
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                send(ctx, 413, ErrorCode.PAYLOAD_TOO_LARGE,
                        "request body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes");
                return;
            }
        }
        ctx.next();
    }

    private void send(RoutingContext ctx, int status, String code, String message) {
        try {
            ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                    .end(json.writeValueAsString(ErrorEnvelope.of(code, message, Map.of())));
        } catch (JsonProcessingException e) {
            ctx.response().setStatusCode(status).end();
        }
    }
}

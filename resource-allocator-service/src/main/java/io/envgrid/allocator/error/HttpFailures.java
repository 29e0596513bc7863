package io.envgrid.allocator.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import io.quarkus.runtime.configuration.MemorySize;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * The error envelope for failures that never reach a REST resource: a body over the size limit
 * (413, refused by the HTTP layer before any handler runs) or a request URI that cannot be decoded
 * (e.g. an invalid percent-escape, 400). Vert.x would otherwise answer them with an empty body.
 */
@ApplicationScoped
public class HttpFailures {

    private static final Logger LOG = Logger.getLogger(HttpFailures.class);

    private final ObjectMapper json;
    private final long maxBodyBytes;

    public HttpFailures(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.json = json;
        this.maxBodyBytes = maxBodySize.map(MemorySize::asLongValue).orElse(0L);
    }

    void install(@Observes Router router) {
        // First in line, before Quarkus' own size check (which answers 413 with an empty body).
        router.route().order(Integer.MIN_VALUE).handler(this::screen);
        // First in line for failures; one that already wrote its answer is passed on untouched.
        router.route().order(Integer.MIN_VALUE).failureHandler(this::render);
        // Failures the router meets before any route matches (e.g. a path it cannot normalize).
        for (int status : new int[] {400, 404, 405, 413, 414, 431, 500}) {
            router.errorHandler(status, this::render);
        }
    }

    /** Refuses a declared body over the limit, and a path or query that cannot be percent-decoded. */
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
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                send(ctx, 413, ErrorCode.PAYLOAD_TOO_LARGE,
                        "request body of " + declared + " bytes is over the limit of " + maxBodyBytes + " bytes");
                return;
            }
        }
        if (!decodable(ctx.request().path()) || !decodable(ctx.request().query())) {
            send(ctx, 400, ErrorCode.MALFORMED_REQUEST, "the request path or query has an invalid percent-escape");
            return;
        }
        ctx.next();
    }

    private static boolean decodable(String raw) {
        if (raw == null) {
            return true;
        }
        for (int i = 0; i < raw.length(); i++) {
            if (raw.charAt(i) == '%') {
                if (i + 2 >= raw.length() || Character.digit(raw.charAt(i + 1), 16) < 0
                        || Character.digit(raw.charAt(i + 2), 16) < 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private void render(RoutingContext ctx) {
        if (ctx.response().headWritten() || ctx.response().ended() || ctx.response().closed()) {
            ctx.next();
            return;
        }
        int status = ctx.statusCode() >= 400 && ctx.statusCode() <= 599 ? ctx.statusCode() : 500;
        String code = switch (status) {
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            case 400 -> ErrorCode.MALFORMED_REQUEST;
            default -> status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.HTTP_ERROR;
        };
        String message = switch (status) {
            case 413 -> "request body over the size limit";
            case 400 -> "the request cannot be decoded (request line, path or query)";
            default -> status >= 500 ? "internal error" : "HTTP " + status;
        };
        if (status >= 500) {
            LOG.error("unexpected failure outside the REST layer", ctx.failure());
        }
        send(ctx, status, code, message);
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

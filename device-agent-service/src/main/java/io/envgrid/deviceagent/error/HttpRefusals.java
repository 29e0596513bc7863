package io.envgrid.deviceagent.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Refusals made by the HTTP layer below JAX-RS, in the error envelope like every other refusal: a body over
 * {@code quarkus.http.limits.max-body-size} (Quarkus' own check answers an empty 413), and every 4xx a Vert.x route
 * fails with ({@code ctx.fail(400)} for a malformed multipart body or a request path that is no URI, 404 and 405
 * outside JAX-RS). Codec-level refusals (a request line over 4096 bytes: 414, a header block over the limit: 431,
 * unparsable HTTP) happen before any route and keep Vert.x's empty answer; see the README.
 */
@ApplicationScoped
public class HttpRefusals {

    private final ObjectMapper json;
    private final Optional<MemorySize> maxBodySize;

    public HttpRefusals(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") Optional<MemorySize> maxBodySize) {
        this.json = json;
        this.maxBodySize = maxBodySize;
    }

    void install(@Observes Router router) {
        // before Quarkus' own upload-limit route (order -2), which would answer first with an empty body
        router.route().order(RouteConstants.ROUTE_ORDER_UPLOAD_LIMIT - 1).handler(this::limitBody);
        router.route().order(Integer.MIN_VALUE).failureHandler(this::failed);
    }

    private void limitBody(RoutingContext ctx) {
        String length = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && maxBodySize.isPresent()) {
            long limit = maxBodySize.get().asLongValue();
            long declared;
            try {
                declared = Long.parseLong(length.trim());
            } catch (NumberFormatException e) {
                declared = -1; // Vert.x' codec refuses a malformed Content-Length before any route
            }
            if (declared > limit) {
                ctx.response().putHeader(HttpHeaders.CONNECTION, "close");
                ctx.response().endHandler(ignored -> ctx.request().connection().close());
                send(ctx, 413, ErrorCode.FILE_TOO_LARGE, "the request body is " + declared
                        + " bytes, more than the limit of " + limit, Map.of("max_bytes", limit));
                return;
            }
        }
        ctx.next();
    }

    private void failed(RoutingContext ctx) {
        int status = ctx.statusCode();
        if (ctx.response().ended() || ctx.response().headWritten() || status < 400 || status > 499) {
            ctx.next(); // 5xx and unknown failures: Quarkus' handler logs them; the fuzz test counts them as faults
            return;
        }
        String code = switch (status) {
            case 400 -> ErrorCode.INVALID_PARAMETERS;
            case 413 -> ErrorCode.FILE_TOO_LARGE;
            default -> ErrorCode.HTTP_ERROR;
        };
        String reason = ctx.failure() == null ? null : ctx.failure().getMessage();
        send(ctx, status, code, reason == null || reason.isBlank() ? "request refused with HTTP " + status : reason,
                Map.of());
    }

    private void send(RoutingContext ctx, int status, String code, String message, Map<String, Object> details) {
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(code, message, details));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the envelope is always serializable", e);
        }
        ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, "application/json").end(body);
    }
}

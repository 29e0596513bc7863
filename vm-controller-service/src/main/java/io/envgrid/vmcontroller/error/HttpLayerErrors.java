package io.envgrid.vmcontroller.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.errors.ErrorEnvelope;
import io.envgrid.httpheads.RequestHeads;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.MIMEHeader;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Refusals made by the HTTP layer before any resource method runs (a query string or path that
 * cannot be percent-decoded, a body over {@code quarkus.http.limits.max-body-size}, ...) get the
 * error envelope too: Vert.x answers those with a bare status, so a failure handler that runs
 * before Quarkus' own writes the envelope with the same status.
 *
 * <p>A body declared larger than {@code quarkus.http.limits.max-body-size} is refused here with 413
 * {@code BODY_TOO_LARGE} before it is read; a chunked one is read here up to the limit and refused
 * the same way once past it (see {@link #chunkedBodies}).
 *
 * <p>Not covered, because no application code runs for them: messages the HTTP codec cannot parse
 * (control characters in a header, a header section or request line over the codec's limits),
 * which Netty answers with a bare 400, 414 or 431 and a closed connection.
 */
@ApplicationScoped
public class HttpLayerErrors {

    private static final Logger LOG = Logger.getLogger(HttpLayerErrors.class);

    private static final String METRICS_PATH = "/q/metrics";
    /**
     * What the Prometheus endpoint answers with here: Prometheus text only (it answers
     * {@code application/openmetrics-text} with a bare 406 of its own, so that is refused here too).
     */
    private static final List<String[]> METRICS_TYPES = List.<String[]>of(new String[] {"text", "plain"});

    /**
     * The methods whose chunked body is read here. Vert.x's body handler refuses to decode a form body
     * of any other (an IllegalStateException, a 500), and no endpoint reads one.
     */
    private static final Set<HttpMethod> BODY_METHODS = Set.of(HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH,
            HttpMethod.DELETE);

    private final ObjectMapper json;
    private final long maxBodyBytes;
    /**
     * Reads a chunked body in memory up to the limit and fails the route with 413 past it, discarding
     * the rest as it arrives. Without it Quarkus REST read such a body itself and, once it had its
     * answer (a 400 for what is not JSON, "Request too large" at the limit), drained the rest of the
     * body before answering, until the read timeout (60 s) when the body never ends. Preallocated, so
     * an empty body is an empty buffer: with none Quarkus REST would wait for a body from the request,
     * which this has already read to its end.
     */
    private final BodyHandler chunkedBodies;

    public HttpLayerErrors(ObjectMapper json,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10M") MemorySize maxBody) {
        this.json = json;
        this.maxBodyBytes = maxBody.asLongValue();
        this.chunkedBodies = BodyHandler.create(false).setBodyLimit(maxBodyBytes).setPreallocateBodyBuffer(true);
    }

    void install(@Observes Router router) {
        // Quarkus' body handler answers a declared Content-Length over the limit with a bare 413;
        // this runs first and answers it with the envelope (a chunked body over the limit is read
        // here, fails the route with 413 and gets the envelope from the failure handler below).
        router.route().order(Integer.MIN_VALUE).handler(this::checkDeclaredLength);
        // The Prometheus endpoint lives on Quarkus' non-application router, whose content negotiation
        // answers an Accept it cannot serve with a bare 406; decided here first, with the envelope.
        // Its route also takes paths below it (/q/metrics/x), so those are checked as well.
        router.route(METRICS_PATH).order(Integer.MIN_VALUE + 1).handler(this::checkMetricsAccept);
        router.route(METRICS_PATH + "/*").order(Integer.MIN_VALUE + 1).handler(this::checkMetricsAccept);
        // A route's failure (rc.fail, e.g. the body limit): runs before Quarkus' failure handler,
        // which would write an empty body or an HTML page.
        router.route().order(Integer.MIN_VALUE).failureHandler(c -> failed(c, c.statusCode()));
        // A failure while routing, before any route runs (a path or query that cannot be decoded):
        // Vert.x answers it with its router's error handler for the status, by default a bare status.
        for (int status = 400; status < 600; status++) {
            int code = status;
            router.errorHandler(code, c -> failed(c, code));
        }
    }

    /**
     * Lets a scrape through when its Accept header (if any) admits the format the
     * endpoint serves (Prometheus text), as Vert.x' own matching does (a range with weight above 0, wildcards allowed);
     * otherwise 406 with the envelope.
     */
    private void checkMetricsAccept(RoutingContext context) {
        if (context.request().getHeader("Accept") == null || acceptsMetrics(context.parsedHeaders().accept())) {
            context.next();
            return;
        }
        failed(context, 406);
    }

    static boolean acceptsMetrics(List<MIMEHeader> accepted) {
        for (MIMEHeader range : accepted) {
            if (range.weight() <= 0) {
                continue;
            }
            for (String[] served : METRICS_TYPES) {
                if (("*".equals(range.component()) || served[0].equalsIgnoreCase(range.component()))
                        && ("*".equals(range.subComponent()) || served[1].equalsIgnoreCase(range.subComponent()))) {
                    return true;
                }
            }
        }
        return false;
    }

    private void checkDeclaredLength(RoutingContext context) {
        if (!RequestHeads.lengthKnowable(context.request().headers())) {
            context.response().putHeader("Connection", "close").endHandler(done -> context.request().connection().close());
            respond(context, 400, ErrorCode.HTTP_ERROR, RequestHeads.UNKNOWABLE_LENGTH);
            return;
        }
        String declared = context.request().getHeader("Content-Length");
        if (declared != null) {
            try {
                if (Long.parseLong(declared.trim()) > maxBodyBytes) {
                    // The body is not read: the connection cannot be reused, so it is closed once answered.
                    context.response().putHeader("Connection", "close")
                            .endHandler(done -> context.request().connection().close());
                    failed(context, 413);
                    return;
                }
            } catch (NumberFormatException e) {
                // Not a number: the HTTP codec has already refused such a request; nothing to check here.
            }
        } else if (context.request().headers().contains("Transfer-Encoding")
                && BODY_METHODS.contains(context.request().method())) {
            // No length to check up front: read the body, which fails the route with 413 once past the limit.
            chunkedBodies.handle(context);
            return;
        }
        context.next();
    }

    /**
     * Answers {@code refusal} in the envelope before the request's body is read, and closes the connection once the
     * answer is written: the body that may still come is neither read nor taken as the next request.
     */
    public void refuseUnread(RoutingContext context, ApiException refusal) {
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(refusal.code(), refusal.getMessage(), refusal.details()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        if (context.request().version() != HttpVersion.HTTP_2) { // an HTTP/2 connection carries other requests' streams
            context.response().putHeader("Connection", "close").endHandler(written -> context.request().connection().close());
        }
        context.response().setStatusCode(refusal.status()).putHeader("Content-Type", "application/json").end(body);
    }

    private void respond(RoutingContext context, int status, String code, String message) {
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(code, message, Map.of("status", status)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        context.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }

    /** Writes the envelope for {@code status} (500 {@code INTERNAL_ERROR} when there is none). */
    void failed(RoutingContext context, int failedStatus) {
        HttpServerResponse response = context.response();
        if (response.ended() || response.headWritten()) {
            return;
        }
        if (failedStatus == 413) {
            // The rest of the body may still be on its way: close rather than read it as the next request.
            response.putHeader("Connection", "close");
        }
        int status = failedStatus >= 400 ? failedStatus : 500;
        String code;
        String message;
        if (status == 500) {
            LOG.error("unexpected failure in the HTTP layer", context.failure());
            code = ErrorCode.INTERNAL_ERROR;
            message = "internal error";
        } else {
            code = status == 413 ? ErrorCode.BODY_TOO_LARGE : ErrorCode.HTTP_ERROR;
            message = status == 413 ? "request body larger than the service accepts"
                    : status == 406 ? "none of the accepted media types can be produced here"
                    : "request refused by the HTTP layer (" + status + "): "
                            + (context.failure() == null ? "malformed request" : context.failure().getMessage());
        }
        String body;
        try {
            body = json.writeValueAsString(ErrorEnvelope.of(code, message, Map.of("status", status)));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        response.setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
    }
}

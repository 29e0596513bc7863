package io.envgrid.errors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Turns every failure a service's REST routes raise into the error envelope with a matching status; nothing leaks a
 * stack trace. Found by Quarkus in every service that depends on this library (the jar is a bean archive:
 * META-INF/beans.xml). A service adds mappers for its own exception types next to these; Quarkus REST picks the
 * mapper of the most specific type.
 */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    private final MalformedBody malformedBody;

    /** @param malformedBody how this service words a body that is not the JSON it expects ({@link JsonPathRefusal}) */
    public ErrorMappers(MalformedBody malformedBody) {
        this.malformedBody = malformedBody;
    }

    /** The exception's own status, code, message and details; a 5xx is logged (without its stack). */
    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.status() >= 500) {
            LOG.warnf("%s: %s", e.code(), e.getMessage());
        }
        return envelope(e.status(), e.code(), e.getMessage(), e.details());
    }

    /** 400 with the service's {@link MalformedBody} code and message, the parser's message as details.reason. */
    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return envelope(400, malformedBody.code(), malformedBody.message(e),
                Map.of("reason", String.valueOf(e.getOriginalMessage())));
    }

    /** More specific than {@link #json}, so it wins over Quarkus' own mapper for wrongly typed fields. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    /**
     * The HTTP layer's refusals with their status: a 400 caused by the JSON parser as {@link #json}, another 400
     * with the malformed-body code, any other status as {@code HTTP_ERROR}.
     */
    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        return envelope(status, status == 400 ? malformedBody.code() : CommonCodes.HTTP_ERROR,
                e.getMessage(), Map.of());
    }

    /** Anything else: 500 {@code INTERNAL_ERROR}, the stack in the log only. */
    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return envelope(500, CommonCodes.INTERNAL_ERROR, "internal error", Map.of());
    }

    /** A JSON response of {@code status} whose entity is the envelope; for filters and services' own mappers. */
    public static Response envelope(int status, String code, String message, Map<String, Object> details) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(ErrorEnvelope.of(code, message, details))
                .build();
    }
}

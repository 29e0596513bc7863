package io.envgrid.deviceagent.error;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Turns every failure into the error envelope with a matching status; nothing leaks a stack trace. */
public class ErrorMappers {

    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        if (e.status() >= 500) {
            LOG.warnf("%s: %s", e.code(), e.getMessage());
        }
        return envelope(e.status(), e.code(), e.getMessage(), e.details());
    }

    @ServerExceptionMapper
    public Response json(JsonProcessingException e) {
        return envelope(400, ErrorCode.INVALID_PARAMETERS, "request body is not a JSON object of tool arguments",
                Map.of("reason", String.valueOf(e.getOriginalMessage())));
    }

    /** More specific than {@link #json}, so it wins over Quarkus' own mapper for wrongly typed bodies. */
    @ServerExceptionMapper
    public Response mismatched(MismatchedInputException e) {
        return json(e);
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        if (status == 400 && e.getCause() instanceof JsonProcessingException json) {
            return json(json);
        }
        return envelope(status, status == 400 ? ErrorCode.INVALID_PARAMETERS : ErrorCode.HTTP_ERROR,
                e.getMessage(), Map.of());
    }

    /**
     * A request body that could not be read: a multipart body that ends before its closing boundary, a connection
     * closed mid-body. Code reading files on the host wraps its failures in {@link java.io.UncheckedIOException}, so a
     * checked IOException reaching here comes from reading the request: the caller's fault.
     */
    @ServerExceptionMapper
    public Response unreadable(java.io.IOException e) {
        return envelope(400, ErrorCode.INVALID_PARAMETERS, "the request body could not be read",
                Map.of("reason", String.valueOf(e.getMessage())));
    }

    @ServerExceptionMapper
    public Response unexpected(RuntimeException e) {
        LOG.error("unexpected failure", e);
        return envelope(500, ErrorCode.INTERNAL_ERROR, "internal error", Map.of());
    }

    public static Response envelope(int status, String code, String message, Map<String, Object> details) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON)
                .entity(ErrorEnvelope.of(code, message, details))
                .build();
    }
}

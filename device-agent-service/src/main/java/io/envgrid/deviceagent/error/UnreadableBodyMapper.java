package io.envgrid.deviceagent.error;

import io.envgrid.errors.ErrorMappers;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The device agent's one failure beyond the shared {@link ErrorMappers}: a request body that could not be read. */
public class UnreadableBodyMapper {

    /**
     * A request body that could not be read: a multipart body that ends before its closing boundary, a connection
     * closed mid-body. Code reading files on the host wraps its failures in {@link java.io.UncheckedIOException}, so a
     * checked IOException reaching here comes from reading the request: the caller's fault.
     */
    @ServerExceptionMapper
    public Response unreadable(IOException e) {
        return ErrorMappers.envelope(400, ErrorCode.INVALID_PARAMETERS, "the request body could not be read",
                Map.of("reason", String.valueOf(e.getMessage())));
    }
}

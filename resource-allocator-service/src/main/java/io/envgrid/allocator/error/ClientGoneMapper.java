package io.envgrid.allocator.error;

import io.envgrid.allocator.lease.ClientGoneException;
import io.envgrid.errors.ErrorMappers;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** The allocator's one failure beyond the shared {@link ErrorMappers}: an allocation whose client went away. */
public class ClientGoneMapper {

    /** Nobody reads this answer (the client closed its connection); 499 as in common proxy logs. */
    @ServerExceptionMapper
    public Response gone(ClientGoneException e) {
        return ErrorMappers.envelope(499, ErrorCode.CLIENT_GONE, e.getMessage(), Map.of());
    }
}

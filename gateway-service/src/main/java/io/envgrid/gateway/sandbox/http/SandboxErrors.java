package io.envgrid.gateway.sandbox.http;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure of the gateway's REST API (the Sandbox API) as the error envelope: refusals with
 * their status, the framework's own (405, 415, …) with theirs, anything unexpected as a 500.
 */
public class SandboxErrors {

    private static final Logger LOG = Logger.getLogger(SandboxErrors.class);

    @ServerExceptionMapper
    public Response refused(ToolFailure failure) {
        return SandboxAccess.refusal(failure);
    }

    @ServerExceptionMapper
    public Response rejected(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        String code = switch (status) {
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            default -> ErrorCode.INVALID_PARAMETERS;
        };
        return SandboxAccess.refusal(new ToolFailure(status, code, e.getMessage(), Map.of()));
    }

    @ServerExceptionMapper
    public Response failed(RuntimeException e) {
        LOG.error("sandbox request failed", e);
        return SandboxAccess.refusal(new ToolFailure(500, ErrorCode.INTERNAL_ERROR, String.valueOf(e.getMessage()), Map.of()));
    }
}

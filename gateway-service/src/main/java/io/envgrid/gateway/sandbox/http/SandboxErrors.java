package io.envgrid.gateway.sandbox.http;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.RedisOutage;
import io.envgrid.gateway.error.ToolFailure;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Every failure of the gateway's REST API (the Sandbox API) as the error envelope: refusals with
 * their status, the framework's own (405, 415, …) with theirs, a Redis outage as the retryable 503
 * {@code REDIS_UNAVAILABLE}, anything unexpected as a 500.
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

    /**
     * Anything else: a Redis outage ({@link RedisOutage#isOutage}: a lost connection, a not-now reply, whichever type
     * the Redis client fails with) is the retryable {@code 503 REDIS_UNAVAILABLE}, every other failure a fault (500).
     */
    @ServerExceptionMapper
    public Response failed(Throwable e) {
        if (RedisOutage.isOutage(e)) {
            LOG.warnf("sandbox request met a Redis outage: %s", e.getMessage());
            return SandboxAccess.refusal(RedisOutage.failure(e));
        }
        LOG.error("sandbox request failed", e);
        return SandboxAccess.refusal(new ToolFailure(500, ErrorCode.INTERNAL_ERROR, String.valueOf(e.getMessage()), Map.of()));
    }
}

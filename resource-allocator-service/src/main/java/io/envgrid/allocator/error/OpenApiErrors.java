package io.envgrid.allocator.error;

import io.envgrid.allocator.auth.AccessPolicy;
import io.envgrid.errors.ErrorMappers;
import io.envgrid.openapierrors.ErrorResponsesFilter;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFilter;

/**
 * The refusals every route of the allocator shares, for its OpenAPI document ({@link OpenApiFilter}): the routes'
 * own refusals are their {@code @APIResponse}s, each naming its codes. Sources: {@link HttpFailures} (request target,
 * body size), {@link ErrorMappers} (JSON, the HTTP layer's 415, faults), {@code auth/AccessPolicy} (tokens) and
 * {@code redis/ScriptRunner} (Redis, replica acknowledgements).
 */
// RUNTIME_PER_REQUEST: the document stored at build stays without the error responses (small to read at start),
// they are added when /q/openapi is asked for. OASFilter again: Quarkus picks up an @OpenApiFilter class only when
// it names OASFilter among its own interfaces.
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class OpenApiErrors extends ErrorResponsesFilter implements OASFilter {

    @Override
    protected List<SharedError> sharedErrors() {
        return List.of(
                SharedError.everywhere(400, ErrorCode.INVALID_PARAMETERS,
                        "the request target is not a URI, or a Transfer-Encoding does not end in chunked"),
                SharedError.withBody(400, ErrorCode.MALFORMED_JSON,
                        "the body is not JSON, or not of this endpoint's shape (details.reason)"),
                SharedError.everywhere(401, ErrorCode.UNAUTHORIZED,
                        "no bearer token, or one that is neither the service token nor a valid agent token"),
                SharedError.where(route -> !AccessPolicy.agentMayCall(route.path()), 403, ErrorCode.FORBIDDEN,
                        "an agent token reaches only the inventory and /leases/verify"),
                SharedError.withBody(413, ErrorCode.PAYLOAD_TOO_LARGE, "the body is over the limit (1 MB)"),
                SharedError.withBody(415, ErrorCode.HTTP_ERROR, "a Content-Type this route does not read"),
                SharedError.everywhere(500, ErrorCode.INTERNAL_ERROR, "a fault, logged with its stack"),
                SharedError.everywhere(503, ErrorCode.REDIS_UNAVAILABLE, "Redis cannot be reached"),
                SharedError.where(route -> !route.method().equals("GET"), 503, ErrorCode.REPLICATION_TIMEOUT,
                        "with redis.wait-replicas on: fewer replicas acknowledged the write in time; it was made, "
                                + "the same request again is safe"));
    }
}

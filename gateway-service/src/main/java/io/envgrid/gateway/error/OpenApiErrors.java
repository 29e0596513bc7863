package io.envgrid.gateway.error;

import io.envgrid.openapierrors.ErrorResponsesFilter;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFilter;

/**
 * The refusals the gateway's REST routes (the Sandbox API, the admin routes) share, for its OpenAPI document
 * ({@link OpenApiFilter}); a route's own are its {@code @APIResponse}s. The MCP doors ({@code /mcp}, {@code /sse},
 * {@code /messages}, listed in {@code META-INF/openapi.yaml}) answer JSON-RPC errors, not the envelope, and are left as
 * that file describes them. Sources: {@link HttpFailures} (request head, body size) and
 * {@code sandbox/http/SandboxErrors} (faults).
 */
// RUNTIME_PER_REQUEST: the document stored at build stays without the error responses (small to read at start),
// they are added when /q/openapi is asked for. OASFilter again: Quarkus picks up an @OpenApiFilter class only when
// it names OASFilter among its own interfaces.
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class OpenApiErrors extends ErrorResponsesFilter implements OASFilter {

    @Override
    protected boolean answersEnvelope(Route route) {
        return !(route.under("/mcp") || route.under("/sse") || route.under("/messages"));
    }

    @Override
    protected List<SharedError> sharedErrors() {
        return List.of(
                SharedError.everywhere(400, ErrorCode.INVALID_PARAMETERS,
                        "the request target is not a URI, or a Transfer-Encoding does not end in chunked"),
                SharedError.withBody(413, ErrorCode.PAYLOAD_TOO_LARGE, "the body is over the limit (1 MB)"),
                SharedError.everywhere(500, ErrorCode.INTERNAL_ERROR, "a fault, logged with its stack"));
    }
}

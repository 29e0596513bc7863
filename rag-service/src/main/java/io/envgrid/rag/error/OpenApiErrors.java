package io.envgrid.rag.error;

import io.envgrid.errors.ErrorMappers;
import io.envgrid.openapierrors.ErrorResponsesFilter;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFilter;

/**
 * The refusals rag-service's routes share, for its OpenAPI document ({@link OpenApiFilter}); a route's own are
 * its {@code @APIResponse}s. Sources: {@link RouterErrors} (request head, media types, body size), {@link ErrorMappers}
 * (JSON, index I/O, faults), {@code index/CollectionRegistry} (warm-up) and {@code access/CollectionAccess} (the
 * credentials of a call that names a collection).
 */
// RUNTIME_PER_REQUEST: the document stored at build stays without the error responses (small to read at start),
// they are added when /q/openapi is asked for. OASFilter again: Quarkus picks up an @OpenApiFilter class only when
// it names OASFilter among its own interfaces.
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class OpenApiErrors extends ErrorResponsesFilter implements OASFilter {

    @Override
    protected List<SharedError> sharedErrors() {
        // every route but the listing names a collection, and is let through by CollectionAccess first
        RouteFilter guarded = route -> !route.path().equals("/collections");
        return List.of(
                SharedError.everywhere(400, ErrorCode.HTTP_ERROR,
                        "the request target is not a URI, or a Transfer-Encoding does not end in chunked"),
                SharedError.where(route -> route.reads("application/json"), 400, ErrorCode.MALFORMED_JSON,
                        "the body is not JSON, or not of this endpoint's shape (details.reason)"),
                SharedError.where(guarded, 401, ErrorCode.UNAUTHORIZED,
                        "the collection is leased (or a write) and neither the service token nor a lease token came, "
                                + "or X-Envgrid-Lease-Token is not a lease token"),
                SharedError.everywhere(406, ErrorCode.HTTP_ERROR, "the Accept header rules out application/json"),
                SharedError.where(guarded, 409, ErrorCode.LEASE_NOT_LIVE,
                        "the lease token is not the live lease of the collection"),
                SharedError.where(guarded, 409, ErrorCode.STALE_FENCING_TOKEN,
                        "a newer lease of the collection was seen"),
                SharedError.withBody(413, ErrorCode.PAYLOAD_TOO_LARGE, "the body is over the limit (16 MB)"),
                SharedError.withBody(415, ErrorCode.HTTP_ERROR,
                        "a Content-Type that is no media type, or one this route does not read"),
                SharedError.everywhere(500, ErrorCode.INTERNAL_ERROR, "a fault, logged with its stack"),
                SharedError.everywhere(503, ErrorCode.WARMING_UP, "the model and indexes are still loading; retry"),
                SharedError.everywhere(503, ErrorCode.INDEX_UNAVAILABLE, "the index cannot be read or written"),
                SharedError.where(guarded, 503, ErrorCode.ALLOCATOR_UNAVAILABLE,
                        "the lease token could not be checked with the allocator (fails closed)"));
    }
}

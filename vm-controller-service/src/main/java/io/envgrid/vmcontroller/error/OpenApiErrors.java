package io.envgrid.vmcontroller.error;

import io.envgrid.errors.ErrorMappers;
import io.envgrid.openapierrors.ErrorResponsesFilter;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import org.eclipse.microprofile.openapi.OASFilter;

/**
 * The refusals the vm-controller's routes share, for its OpenAPI document ({@link OpenApiFilter}); a route's own
 * are its {@code @APIResponse}s. Sources: {@link HttpLayerErrors} (request head, body size), {@link ErrorMappers}
 * (JSON, the VM's failures, faults), {@code api/SessionCallFilter} and {@code session/SessionService} (the checks of
 * every call on a session), {@code vm/DesktopRefusals} and {@code vm/OsWorldClient} (the desktop's refusals, passed on).
 */
// RUNTIME_PER_REQUEST: the document stored at build stays without the error responses (small to read at start),
// they are added when /q/openapi is asked for. OASFilter again: Quarkus picks up an @OpenApiFilter class only when
// it names OASFilter among its own interfaces.
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class OpenApiErrors extends ErrorResponsesFilter implements OASFilter {

    /** The path of one session; the desktop routes lie below it. */
    private static final String SESSION = "/sessions/{worker_id}/{resource_id}";

    @Override
    protected List<SharedError> sharedErrors() {
        RouteFilter session = route -> route.under(SESSION);
        RouteFilter desktop = route -> route.path().startsWith(SESSION + "/");
        return List.of(
                SharedError.everywhere(400, ErrorCode.HTTP_ERROR,
                        "a request target that cannot be decoded, or a Transfer-Encoding that does not end in chunked"),
                SharedError.withBody(400, ErrorCode.MALFORMED_JSON,
                        "the body is not JSON, or not of this endpoint's shape (details.reason)"),
                SharedError.where(session, 400, ErrorCode.INVALID_ID, "worker_id or resource_id is outside the id rule"),
                SharedError.where(desktop, 400, ErrorCode.INVALID_PARAMETERS,
                        "a value the controller refuses, or the desktop's 400 or 422, passed on (details.vm_status)"),
                SharedError.where(session, 401, ErrorCode.UNAUTHORIZED,
                        "no X-Envgrid-Lease-Token, or one that cannot be a lease token"),
                SharedError.where(session, 403, ErrorCode.NOT_LEASE_HOLDER, "the live lease is another worker's"),
                SharedError.where(session, 404, ErrorCode.SESSION_NOT_FOUND,
                        "that worker has no session on that resource"),
                SharedError.where(session, 409, ErrorCode.LEASE_NOT_LIVE,
                        "the session's lease ended, expired or was granted again, or the token is not its token"),
                SharedError.where(session, 409, ErrorCode.SESSION_ENDED, "the session was closed"),
                SharedError.where(session, 409, ErrorCode.STALE_FENCING_TOKEN,
                        "X-Fencing-Token is not the session's lease's: a newer lease was seen"),
                SharedError.withBody(413, ErrorCode.BODY_TOO_LARGE, "the body is over the limit (32 MB)"),
                SharedError.where(desktop, 413, ErrorCode.ANSWER_TOO_LARGE,
                        "the desktop's answer is over the controller's limit for it"),
                SharedError.withBody(415, ErrorCode.HTTP_ERROR, "a Content-Type this route does not read"),
                SharedError.where(desktop, 429, ErrorCode.RATE_LIMITED, "the desktop's rate limit, passed on"),
                SharedError.everywhere(500, ErrorCode.INTERNAL_ERROR, "a fault, logged with its stack"),
                SharedError.where(desktop, 502, ErrorCode.VM_UNREACHABLE,
                        "the desktop's OSWorld server did not answer (details.vm, endpoint)"),
                SharedError.where(desktop, 502, ErrorCode.VM_ERROR,
                        "the desktop answered an error (details.vm_status, vm_body)"),
                SharedError.where(desktop, 502, ErrorCode.VM_CIRCUIT_OPEN,
                        "the desktop is behind an open circuit breaker after repeated failures"),
                SharedError.where(session, 503, ErrorCode.REDIS_UNAVAILABLE, "the session store cannot be reached"),
                SharedError.where(desktop, 503, ErrorCode.ALLOCATOR_UNAVAILABLE,
                        "the device agent could not check the lease with the allocator just now; retry"),
                SharedError.where(desktop, 503, ErrorCode.DESKTOP_UNAVAILABLE,
                        "the desktop is being reset or has no display just now; retry"),
                SharedError.where(desktop, 504, ErrorCode.VM_TIMEOUT, "the desktop ran out of time"));
    }
}

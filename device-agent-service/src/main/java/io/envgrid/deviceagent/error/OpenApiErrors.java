package io.envgrid.deviceagent.error;

import io.envgrid.deviceagent.limit.RateLimiter;
import io.envgrid.errors.ErrorMappers;
import io.envgrid.openapierrors.ErrorResponsesFilter;
import io.quarkus.smallrye.openapi.OpenApiFilter;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.OASFactory;
import org.eclipse.microprofile.openapi.OASFilter;
import org.eclipse.microprofile.openapi.models.media.Schema;

/**
 * The refusals the device agent's routes share, for its OpenAPI document ({@link OpenApiFilter}); a route's own
 * are its {@code @APIResponse}s. Sources: {@link HttpRefusals} (request head, body size), {@link ErrorMappers}
 * (unreadable bodies, faults), {@code limit/RateLimiter} and {@code fleet/DesktopCallGate} (rate limits),
 * {@code tool/} and {@code access/} (every tool's refusals: a tool call answers its tool's codes), and on the desktop
 * routes {@code osworld/DesktopResource} (OSWorld's fields next to the envelope), {@code osworld/DesktopRouting},
 * {@code osworld/DesktopGate} and {@code access/LeaseAccess} (the lease of the desktop).
 */
// RUNTIME_PER_REQUEST: the document stored at build stays without the error responses (small to read at start),
// they are added when /q/openapi is asked for. OASFilter again: Quarkus picks up an @OpenApiFilter class only when
// it names OASFilter among its own interfaces.
@OpenApiFilter(stages = OpenApiFilter.RunStage.RUNTIME_PER_REQUEST)
public class OpenApiErrors extends ErrorResponsesFilter implements OASFilter {

    @Override
    protected List<SharedError> sharedErrors() {
        RouteFilter desktop = route -> RateLimiter.isDesktopRoute(route.path());
        RouteFilter tool = route -> route.path().startsWith("/tools/");
        RouteFilter computer = route -> route.under("/computer");
        RouteFilter leased = route -> desktop.test(route) || tool.test(route);
        return List.of(
                SharedError.everywhere(400, ErrorCode.INVALID_PARAMETERS,
                        "the request target is not a URI, or a Transfer-Encoding does not end in chunked"),
                SharedError.where(tool, 400, ErrorCode.INVALID_ID, "a device or resource id outside the id rule"),
                SharedError.where(route -> leased.test(route) || computer.test(route), 401, ErrorCode.UNAUTHORIZED,
                        "no credential this route takes (a live lease token, or the service token), or one that is "
                                + "not one"),
                SharedError.where(tool, 403, ErrorCode.NOT_BORROWER, "device.return of a device someone else borrowed"),
                SharedError.where(tool, 404, ErrorCode.TOOL_NOT_FOUND, "no tool of that name"),
                SharedError.where(tool, 404, ErrorCode.DEVICE_NOT_FOUND, "no device of that id"),
                SharedError.where(tool, 404, ErrorCode.COMMAND_EXECUTION_FAILED,
                        "device.download of a file the device does not have"),
                SharedError.where(desktop, 404, ErrorCode.DESKTOP_NOT_FOUND,
                        "no desktop this agent hosts is named (the agent's own port of a fleet, or an unknown one)"),
                SharedError.where(tool, 408, ErrorCode.COMMAND_EXECUTION_FAILED, "the command on the device timed out"),
                SharedError.where(leased, 409, ErrorCode.LEASE_NOT_LIVE,
                        "the lease token is not the resource's live lease (ended, expired, granted again)"),
                SharedError.where(leased, 409, ErrorCode.STALE_FENCING_TOKEN,
                        "a newer lease of the resource was already seen"),
                SharedError.where(tool, 409, ErrorCode.DEVICE_CONNECTION_FAILED,
                        "this host can never reach the device (details.reason: no_driver, not_this_host)"),
                SharedError.where(tool, 409, ErrorCode.DEVICE_ALREADY_EXISTS, "a device of that id is registered"),
                SharedError.where(tool, 409, ErrorCode.DEVICE_ALREADY_BORROWED, "the device is borrowed already"),
                SharedError.where(tool, 409, ErrorCode.DEVICE_NOT_BORROWED, "the device is not borrowed"),
                SharedError.withBody(413, ErrorCode.FILE_TOO_LARGE, "the body is over the limit (1 MB)"),
                SharedError.where(tool, 413, ErrorCode.FILE_TOO_LARGE, "a file over the limit (100 MB)"),
                SharedError.withBody(415, ErrorCode.HTTP_ERROR, "a Content-Type this route does not read"),
                SharedError.where(tool, 415, ErrorCode.UNSUPPORTED_FILE_TYPE,
                        "a file type outside .apk .ipa .exe .zip .txt .log"),
                SharedError.everywhere(429, ErrorCode.RATE_LIMIT_EXCEEDED,
                        "over the rate limit of this client (or of this desktop's port); Retry-After says when"),
                SharedError.everywhere(500, ErrorCode.INTERNAL_ERROR, "a fault, logged with its stack"),
                SharedError.where(route -> desktop.test(route) || tool.test(route), 500,
                        ErrorCode.COMMAND_EXECUTION_FAILED, "the command, program or X tool failed"),
                SharedError.where(tool, 503, ErrorCode.DEVICE_CONNECTION_FAILED, "the device cannot be reached now"),
                SharedError.where(leased, 503, ErrorCode.ALLOCATOR_UNAVAILABLE,
                        "the lease could not be checked with the allocator (fails closed); retry"),
                SharedError.where(desktop, 503, ErrorCode.DESKTOP_UNAVAILABLE,
                        "no X display, or the hosted desktop is being reset or down; retry"));
    }

    /** The desktop routes answer OSWorld's error fields next to {@code error} ({@code osworld/DesktopResource}). */
    @Override
    protected Map<String, Schema> envelopeExtras() {
        return Map.of(
                "status", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("desktop routes only: OSWorld's \"error\""),
                "message", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("desktop routes only: OSWorld's message, the same as error.message"),
                "output", OASFactory.createSchema().addType(Schema.SchemaType.STRING)
                        .description("desktop command routes only (/run_bash_script, /execute): OSWorld's output"),
                "returncode", OASFactory.createSchema().addType(Schema.SchemaType.INTEGER)
                        .description("desktop command routes only: OSWorld's return code (-1: not run to its end)"));
    }
}

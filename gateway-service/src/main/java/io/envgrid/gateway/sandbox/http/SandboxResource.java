package io.envgrid.gateway.sandbox.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorEnvelope;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.sandbox.backend.SessionBackend;
import io.envgrid.gateway.sandbox.execution.SandboxExecutor;
import io.envgrid.gateway.sandbox.execution.SandboxExecutor.Prepared;
import io.envgrid.gateway.sandbox.http.SandboxBodies.BatchAction;
import io.envgrid.gateway.sandbox.http.SandboxBodies.BatchRequest;
import io.envgrid.gateway.sandbox.http.SandboxBodies.ExecuteRequest;
import io.envgrid.gateway.sandbox.http.SandboxBodies.SessionRequest;
import io.envgrid.gateway.sandbox.http.SandboxBodies.WorkerRequest;
import io.envgrid.gateway.sandbox.session.SessionRouter;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The Sandbox HTTP API's calls of a worker (seeds 002/003): {@code /execute} and {@code /execute/batch} run tools by
 * prefixed name in explicit or temporary sessions; {@code /session/*} manage explicit sessions. Each body is read
 * into its record by {@link StrictBodies} and checked whole — worker, every entry's tool and parameters, a session's
 * merged config — before any part of it runs. The refusals every operation here may answer are declared once, on the
 * class; {@link SandboxCatalogResource} has the rest of the API.
 */
@Path("/")
@Tag(name = "Sandbox API")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
@APIResponse(responseCode = "400", description = "INVALID_PARAMETERS: a malformed body, an unknown field or a wrong JSON "
        + "type (details.field names it), an unknown or bad argument, an ambiguous name; INVALID_ID: an id outside the id rule",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class)))
@APIResponse(responseCode = "403", description = "WORKER_NOT_ENTITLED: the token does not cover the worker; WORKER_MISMATCH: "
        + "the session is another worker's",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class)))
@APIResponse(responseCode = "404", description = "UNKNOWN_TOOL: no Sandbox tool of that name; UNKNOWN_RESOURCE_TYPE: no "
        + "Sandbox backend for that type; SESSION_NOT_FOUND: no such Sandbox session",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class)))
@APIResponse(responseCode = "409", description = "SESSION_BUSY: the session is being created; LEASE_NOT_LIVE: no live lease "
        + "of the worker covers what the call needs (a leased collection it does not hold; a session whose lease ended "
        + "while it was created); SESSION_ENDED: the session was ended (idle sweep) while it was created",
        content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ErrorEnvelope.class)))
@APIResponse(responseCode = "503", description = "REDIS_UNAVAILABLE: the gateway's state cannot be reached; retry")
public class SandboxResource {

    static final int MAX_BATCH = 100;

    private final SandboxExecutor executor;
    private final SessionRouter router;
    private final StrictBodies bodies;

    public SandboxResource(SandboxExecutor executor, SessionRouter router, StrictBodies bodies) {
        this.executor = executor;
        this.router = router;
        this.bodies = bodies;
    }

    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ExecuteRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SandboxBodies.ExecuteResponse.class)))
    @POST
    @Path("execute")
    @Operation(summary = "Run a tool: {worker_id, action: \"vm:screenshot\", params} -> {success, data, tool, resource_type, "
            + "session_id, temporary_session, execution_time_ms}")
    public Uni<ObjectNode> execute(byte[] body, @Context RoutingContext routing) {
        ExecuteRequest request = bodies.read(body, ExecuteRequest.class, null);
        String worker = worker(routing, request.workerId(), false);
        Prepared call = executor.prepare(required("action", request.action()), request.params(), worker);
        if (worker == null && call.tool().resourceType() != null) {
            // refused here, not when the session would be opened: nothing runs without its worker
            throw ToolFailure.invalid("'worker_id' is required for " + call.tool().name());
        }
        return executor.execute(worker, call);
    }

    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = BatchRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SandboxBodies.BatchResponse.class)))
    @POST
    @Path("execute/batch")
    @Operation(summary = "Run several tools: {worker_id, actions: [{action, params}], parallel, stop_on_error} -> "
            + "{success, results, execution_time_ms}; all actions are checked before any runs")
    public Uni<ObjectNode> batch(byte[] body, @Context RoutingContext routing) {
        BatchRequest request = bodies.read(body, BatchRequest.class, null);
        // a batch is one worker's unit of work: checked whole (worker first) before any action runs
        String worker = worker(routing, request.workerId(), true);
        List<BatchAction> actions = request.actions();
        if (actions == null || actions.isEmpty() || actions.size() > MAX_BATCH) {
            throw ToolFailure.invalid("'actions' must be a list of 1 to " + MAX_BATCH + " {action, params}");
        }
        List<Prepared> calls = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            String entry = "actions[" + i + "]";
            if (actions.get(i) == null) {
                throw ToolFailure.invalid(entry + " must be an object {action, params}");
            }
            try {
                calls.add(executor.prepare(required(entry + ".action", actions.get(i).action()), actions.get(i).params(), worker));
            } catch (ToolFailure e) {
                throw new ToolFailure(e.status(), e.code(), entry + ": " + e.getMessage(), e.details());
            }
        }
        return executor.batch(worker, calls, Boolean.TRUE.equals(request.parallel()), Boolean.TRUE.equals(request.stopOnError()));
    }

    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SandboxBodies.SessionResponse.class)))
    @POST
    @Path("session/create")
    @Operation(summary = "Open the worker's session of a backend (desktop, device, rag): {worker_id, resource_type, config} -> "
            + "the session, with what it leased as 'resource' (null for a rag session naming no leased collection); "
            + "created: false when it already had one")
    public Uni<ObjectNode> createSession(byte[] body, @Context RoutingContext routing) {
        SessionRequest request = bodies.read(body, SessionRequest.class, null);
        String worker = worker(routing, request.workerId(), true);
        SessionBackend backend = statefulBackend(request);
        return router.create(worker, backend, router.mergedConfig(backend, request.config()));
    }

    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SessionRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SandboxBodies.SessionResponse.class)))
    @POST
    @Path("session/destroy")
    @Operation(summary = "End the worker's session of a backend and give its resource back: {worker_id, resource_type}")
    public Uni<ObjectNode> destroySession(byte[] body, @Context RoutingContext routing) {
        SessionRequest request = bodies.read(body, SessionRequest.class, null);
        return router.destroy(worker(routing, request.workerId(), true), statefulBackend(request));
    }

    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = WorkerRequest.class)))
    @APIResponse(responseCode = "200", content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = SandboxBodies.SessionListResponse.class)))
    @POST
    @Path("session/list")
    @Operation(summary = "The worker's sessions: {worker_id} -> {worker_id, count, sessions}")
    public Uni<ObjectNode> listSessions(byte[] body, @Context RoutingContext routing) {
        return router.list(worker(routing, bodies.read(body, WorkerRequest.class, null).workerId(), true));
    }

    /**
     * The backend a session request names in {@code resource_type}: present (400 naming it), a type under the id rule
     * (400 {@code INVALID_ID}), configured (404 {@code UNKNOWN_RESOURCE_TYPE}) and stateful (400), as
     * {@link SessionRouter#stateful} checks.
     */
    private SessionBackend statefulBackend(SessionRequest request) {
        return router.stateful(IdRule.requireType("resource_type", required("resource_type", request.resourceType())));
    }

    /** A string the request must carry ({@code action}, {@code resource_type}): present and not blank, else 400 naming it. */
    private static String required(String field, String value) {
        if (value == null || value.isBlank()) {
            throw ToolFailure.invalid("'" + field + "' must be a non-empty string");
        }
        return value;
    }

    /**
     * The request's worker: present when {@code required} (400), an id under the id rule (400 {@code INVALID_ID}) that
     * the caller's token covers (403 {@code WORKER_NOT_ENTITLED}); checked before anything runs. That it is a string
     * the body's record has made sure.
     */
    private static String worker(RoutingContext routing, String workerId, boolean required) {
        if (workerId == null) {
            if (required) {
                throw ToolFailure.invalid("'worker_id' is required");
            }
            return null;
        }
        return SandboxAccess.principal(routing).authorize("worker_id", workerId);
    }
}

package io.envgrid.gateway.sandbox.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.sandbox.backend.SessionBackend;
import io.envgrid.gateway.sandbox.execution.SandboxCatalog;
import io.envgrid.gateway.sandbox.execution.SandboxExecutor;
import io.envgrid.gateway.sandbox.execution.SandboxExecutor.Prepared;
import io.envgrid.gateway.sandbox.execution.SandboxTool;
import io.envgrid.gateway.sandbox.execution.WarmUps;
import io.envgrid.gateway.sandbox.session.SessionRouter;
import io.envgrid.gateway.tool.Args;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.MediaType;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * The Sandbox HTTP API of seeds 002/003: {@code /execute} and {@code /execute/batch} run tools by
 * prefixed name in explicit or temporary sessions; {@code /session/*} manage explicit sessions;
 * {@code /tools}, {@code /warmup}, {@code /warmup/status}, {@code /health}. Bodies are read as
 * JSON here, so malformed JSON gets the error envelope like every other refusal.
 */
@Path("/")
@Tag(name = "Sandbox API")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.WILDCARD)
public class SandboxResource {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    static final int MAX_BATCH = 100;

    private final SandboxExecutor executor;
    private final SessionRouter router;
    private final SandboxCatalog catalog;
    private final WarmUps warmUps;
    private final ObjectMapper json;

    public SandboxResource(SandboxExecutor executor, SessionRouter router, SandboxCatalog catalog, WarmUps warmUps,
            ObjectMapper json) {
        this.executor = executor;
        this.router = router;
        this.catalog = catalog;
        this.warmUps = warmUps;
        this.json = json;
    }

    @POST
    @Path("execute")
    @Operation(summary = "Run a tool: {worker_id, action: \"vm:screenshot\", params} -> {success, data, tool, resource_type, "
            + "session_id, temporary_session, execution_time_ms}")
    public Uni<ObjectNode> execute(byte[] body, @Context RoutingContext routing) {
        ObjectNode request = object(body);
        Args args = Args.of(request);
        String worker = workerId(routing, args, false);
        Prepared call = executor.prepare(args.string("action"), request.get("params"));
        if (worker == null && call.tool().resourceType() != null) {
            // refused here, not when the session would be opened: nothing runs without its worker
            throw ToolFailure.invalid("'worker_id' is required for " + call.tool().name());
        }
        return executor.execute(worker, call);
    }

    @POST
    @Path("execute/batch")
    @Operation(summary = "Run several tools: {worker_id, actions: [{action, params}], parallel, stop_on_error} -> "
            + "{success, results, execution_time_ms}; all actions are checked before any runs")
    public Uni<ObjectNode> batch(byte[] body, @Context RoutingContext routing) {
        ObjectNode request = object(body);
        Args args = Args.of(request);
        // a batch is one worker's unit of work: checked whole (worker first) before any action runs
        String worker = workerId(routing, args, true);
        JsonNode actions = request.path("actions");
        if (!actions.isArray() || actions.isEmpty() || actions.size() > MAX_BATCH) {
            throw ToolFailure.invalid("'actions' must be a list of 1 to " + MAX_BATCH + " {action, params}");
        }
        List<Prepared> calls = new ArrayList<>();
        for (int i = 0; i < actions.size(); i++) {
            JsonNode action = actions.get(i);
            if (!action.isObject()) {
                throw ToolFailure.invalid("actions[" + i + "] must be an object {action, params}");
            }
            try {
                calls.add(executor.prepare(Args.of((ObjectNode) action).string("action"), action.get("params")));
            } catch (ToolFailure e) {
                throw new ToolFailure(e.status(), e.code(), "actions[" + i + "]: " + e.getMessage(), e.details());
            }
        }
        return executor.batch(worker, calls, flag(request, "parallel"), flag(request, "stop_on_error"));
    }

    @POST
    @Path("session/create")
    @Operation(summary = "Open the worker's session of a stateful backend: {worker_id, resource_type, config} -> the "
            + "session (created: false when it already had one)")
    public Uni<ObjectNode> createSession(byte[] body, @Context RoutingContext routing) {
        Args args = Args.of(object(body));
        String worker = workerId(routing, args, true);
        SessionBackend backend = router.stateful(IdRule.requireType("resource_type", args.string("resource_type")));
        return router.create(worker, backend, router.mergedConfig(backend, args.optionalObject("config")));
    }

    @POST
    @Path("session/destroy")
    @Operation(summary = "End the worker's session of a backend and give its resource back: {worker_id, resource_type}")
    public Uni<ObjectNode> destroySession(byte[] body, @Context RoutingContext routing) {
        Args args = Args.of(object(body));
        String worker = workerId(routing, args, true);
        return router.destroy(worker, router.stateful(IdRule.requireType("resource_type", args.string("resource_type"))));
    }

    @POST
    @Path("session/list")
    @Operation(summary = "The worker's sessions: {worker_id} -> {worker_id, count, sessions}")
    public Uni<ObjectNode> listSessions(byte[] body, @Context RoutingContext routing) {
        return router.list(workerId(routing, Args.of(object(body)), true));
    }

    @GET
    @Path("tools")
    @Operation(summary = "Every tool with its full name, short name, resource type, description and input schema")
    public ObjectNode tools(@QueryParam("resource_type") String resourceType) {
        ObjectNode answer = NODES.objectNode();
        ArrayNode list = answer.putArray("tools");
        for (SandboxTool tool : catalog.tools()) {
            if (resourceType != null && !resourceType.equals(tool.resourceType())) {
                continue;
            }
            ObjectNode entry = list.addObject().put("name", tool.name()).put("short_name", tool.shortName())
                    .put("resource_type", tool.resourceType()).put("kind", tool.resourceType() == null ? "api" : "backend")
                    .put("description", tool.description());
            entry.set("input_schema", tool.inputSchema());
        }
        return answer.put("count", list.size());
    }

    @POST
    @Path("warmup")
    @Operation(summary = "Warm up backends: {resources: [\"rag\", \"vm\"]} (all when absent) -> the warm-up status")
    public Uni<ObjectNode> warmup(byte[] body) {
        ObjectNode request = body == null || body.length == 0 ? NODES.objectNode() : object(body);
        List<String> types = request.hasNonNull("resources") ? Args.of(request).strings("resources", 64) : List.of();
        return warmUps.warmUp(types);
    }

    @GET
    @Path("warmup/status")
    @Operation(summary = "{backends: {type: {loaded, warmed_up, stateless, details | error}}}")
    public ObjectNode warmupStatus() {
        return warmUps.status();
    }

    @GET
    @Path("health")
    @Operation(summary = "The Sandbox service's own health: profile, backends, tool count")
    public ObjectNode health() {
        ObjectNode answer = NODES.objectNode().put("status", "healthy").put("title", catalog.profile().title())
                .put("tools", catalog.tools().size()).put("session_ttl", catalog.profile().sessionTtlSeconds());
        catalog.backends().keySet().forEach(answer.putArray("backends")::add);
        return answer;
    }

    private ObjectNode object(byte[] body) {
        try {
            JsonNode node = body == null || body.length == 0 ? null : json.readTree(body);
            if (node == null || !node.isObject()) {
                throw ToolFailure.invalid("the body must be a JSON object");
            }
            return (ObjectNode) node;
        } catch (IOException e) {
            throw ToolFailure.invalid("the body is not JSON: " + e.getMessage());
        }
    }

    /**
     * The request's worker: present when {@code required} (400), a string (400), an id under the id
     * rule (400 {@code INVALID_ID}) that the caller's token covers (403 {@code WORKER_NOT_ENTITLED});
     * checked before anything runs.
     */
    private static String workerId(RoutingContext routing, Args args, boolean required) {
        JsonNode value = args.raw("worker_id");
        if (value == null || value.isNull()) {
            if (required) {
                throw ToolFailure.invalid("'worker_id' is required");
            }
            return null;
        }
        if (!value.isTextual()) {
            throw ToolFailure.invalid("'worker_id' must be a string");
        }
        return SandboxAccess.principal(routing).authorize("worker_id", value.asText());
    }

    private static boolean flag(ObjectNode request, String name) {
        JsonNode value = request.get(name);
        if (value != null && !value.isNull() && !value.isBoolean()) {
            throw ToolFailure.invalid("'" + name + "' must be true or false");
        }
        return value != null && value.asBoolean();
    }
}

package io.envgrid.gateway.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.surface.SurfaceMethods;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.tool.Tool;
import io.envgrid.gateway.tool.ToolRegistry;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The MCP methods the gateway answers, whatever transport carried them: {@code initialize},
 * {@code ping}, {@code tools/list}, {@code tools/call}, the {@code notifications/*} it acts on, and
 * the other server features through {@link SurfaceMethods}.
 */
@ApplicationScoped
public class McpProtocol {

    public static final String LATEST_VERSION = "2025-11-25";
    public static final List<String> VERSIONS = List.of(LATEST_VERSION, "2025-06-18", "2025-03-26", "2024-11-05");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final ToolRegistry tools;
    private final ToolInvoker invoker;
    private final InFlightCalls inFlight;
    private final SurfaceMethods surface;
    private final SessionTools sessionTools;

    public McpProtocol(ToolRegistry tools, ToolInvoker invoker, InFlightCalls inFlight, SurfaceMethods surface,
            SessionTools sessionTools) {
        this.surface = surface;
        this.sessionTools = sessionTools;
        this.tools = tools;
        this.invoker = invoker;
        this.inFlight = inFlight;
    }

    /** The version both sides speak: the client's when supported, else the newest (the client may then disconnect). */
    public static String negotiate(JsonNode initializeParams) {
        String asked = initializeParams == null ? null : initializeParams.path("protocolVersion").asText(null);
        return asked != null && VERSIONS.contains(asked) ? asked : LATEST_VERSION;
    }

    /**
     * Why {@code params} are no {@code initialize} request's ({@code InitializeRequestParams} of MCP 2025-11-25: an
     * object with a string {@code protocolVersion}, an object {@code capabilities} and a {@code clientInfo} object with
     * a string {@code name} and {@code version}); null when they are. Such a request is answered {@link
     * #invalidInitialize} and opens no session: {@code "params": null} or {@code "capabilities": []} is no client's.
     */
    public static String initializeProblem(JsonNode params) {
        if (params == null || !params.isObject()) {
            return "params must be an object";
        }
        if (!params.path("protocolVersion").isTextual()) {
            return "params.protocolVersion must be a string";
        }
        if (!params.path("capabilities").isObject()) {
            return "params.capabilities must be an object";
        }
        JsonNode client = params.path("clientInfo");
        if (!client.isObject() || !client.path("name").isTextual() || !client.path("version").isTextual()) {
            return "params.clientInfo must be an object with a string name and version";
        }
        return null;
    }

    /** The answer to an {@code initialize} whose params are wrong ({@link #initializeProblem}): {@code -32602}. */
    public static ObjectNode invalidInitialize(JsonNode id, String problem) {
        return JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "Invalid params: " + problem);
    }

    /**
     * Handles one valid message of a live session for the principal this request's token proved;
     * requests get exactly one response through {@code out}.
     */
    public void handle(McpSession session, Principal principal, JsonNode message, Responder out) {
        if (!JsonRpc.isRequest(message)) {
            if (JsonRpc.isNotification(message) && "notifications/cancelled".equals(message.get("method").asText())) {
                JsonNode requestId = message.path("params").path("requestId");
                if (!requestId.isMissingNode()) {
                    inFlight.cancel(session.id(), requestId.toString()).subscribe().with(v -> { }, e -> { });
                }
            }
            return; // other notifications (initialized, progress) and responses need no action
        }
        JsonNode id = message.get("id");
        String method = message.get("method").asText();
        JsonNode params = message.path("params");
        switch (method) {
            case "initialize" -> {
                String problem = initializeProblem(params);
                out.respond(problem == null ? JsonRpc.result(id, initializeResult(negotiate(params)))
                        : invalidInitialize(id, problem));
            }
            case "ping" -> out.respond(JsonRpc.result(id, NODES.objectNode()));
            case "tools/list" -> listTools(session, principal, id, out);
            case "tools/call" -> call(session, principal, id, params, out);
            default -> {
                if (surface.serves(method)) {
                    surface.handle(session, principal, id, method, params, out);
                } else {
                    out.respond(JsonRpc.error(id, JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method));
                }
            }
        }
    }

    public ObjectNode initializeResult(String version) {
        ObjectNode result = NODES.objectNode().put("protocolVersion", version);
        result.set("capabilities", surface.capabilities());
        result.putObject("serverInfo").put("name", "envgrid-gateway").put("version", "0.1.0");
        result.put("instructions", "envgrid hands out desktops, devices and retrieval indexes. Allocate with "
                + "allocate_batch_resources, prepare with setup_batch_resources, observe with "
                + "get_batch_initial_observations, act with computer / pyautogui / computer_13, search with rag_search, "
                + "and release with release_batch_resources. worker_id is remembered after the first call.");
        return result;
    }

    /** The registry's tools, then the session's own ({@link SessionTools}: an office's Computer tools). */
    private void listTools(McpSession session, Principal principal, JsonNode id, Responder out) {
        ObjectNode result = toolList();
        sessionTools.list(session, principal).subscribe().with(
                own -> {
                    own.forEach(((ArrayNode) result.get("tools"))::add);
                    out.respond(JsonRpc.result(id, result));
                },
                e -> out.respond(JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "tools/list failed: " + e.getMessage())));
    }

    private ObjectNode toolList() {
        ObjectNode result = NODES.objectNode();
        ArrayNode list = result.putArray("tools");
        for (ToolSpec spec : tools.listed()) {
            list.add(listing(spec));
        }
        return result;
    }

    /** A tool's {@code tools/list} entry: name, description, input and output schemas, annotations. */
    public static ObjectNode listing(ToolSpec spec) {
        ObjectNode tool = NODES.objectNode().put("name", spec.name()).put("description", spec.description());
        tool.set("inputSchema", spec.inputSchema());
        tool.set("outputSchema", spec.mcpOutputSchema());
        tool.set("annotations", spec.annotations().toJson());
        return tool;
    }

    private void call(McpSession session, Principal principal, JsonNode id, JsonNode params, Responder out) {
        String name = params.path("name").asText("");
        Tool tool = tools.find(name).orElse(null);
        JsonNode arguments = params.get("arguments");
        if (arguments != null && !arguments.isNull() && !arguments.isObject()) {
            out.respond(JsonRpc.error(id, JsonRpc.INVALID_PARAMS, "arguments must be an object"));
            return;
        }
        ObjectNode args = arguments == null || arguments.isNull() ? NODES.objectNode() : (ObjectNode) arguments;
        JsonNode progressToken = params.path("_meta").get("progressToken");
        ProgressNotifier progress = new ProgressNotifier(progressToken, out);
        String requestKey = id.toString();
        AtomicBoolean answered = new AtomicBoolean();
        Uni<ObjectNode> result = tool != null ? invoker.invoke(session, principal, tool, args, progress)
                : sessionTools.call(session, principal, name, args, progress);
        // registered before subscribing: a call that completes at once unregisters itself
        AtomicReference<Cancellable> running = new AtomicReference<>();
        inFlight.started(session.id(), requestKey, () -> {
            Cancellable subscription = running.get();
            if (subscription != null) {
                subscription.cancel();
            }
            // the client has stopped waiting; the open HTTP exchange still gets an end
            if (answered.compareAndSet(false, true)) {
                out.respond(JsonRpc.error(id, JsonRpc.REQUEST_CANCELLED, "request cancelled"));
            }
        });
        running.set(result.subscribe().with(
                r -> {
                    inFlight.finished(session.id(), requestKey);
                    if (answered.compareAndSet(false, true)) {
                        out.respond(JsonRpc.result(id, r));
                    }
                },
                e -> {
                    inFlight.finished(session.id(), requestKey);
                    if (answered.compareAndSet(false, true)) {
                        out.respond(e instanceof SessionTools.UnknownTool unknown
                                ? JsonRpc.error(id, JsonRpc.INVALID_PARAMS, unknown.getMessage())
                                : JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, "tool call failed: " + e.getMessage()));
                    }
                }));
    }
}

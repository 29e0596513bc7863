package io.envgrid.gateway.mcp.surface;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.protocol.Responder;
import io.envgrid.gateway.mcp.completion.Completions;
import io.envgrid.gateway.mcp.logging.SessionLogging;
import io.envgrid.gateway.mcp.prompts.PromptCatalog;
import io.envgrid.gateway.mcp.resources.GatewayResources;
import io.envgrid.gateway.mcp.resources.ResourceSubscriptions;
import io.envgrid.gateway.security.Principal;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * The MCP server features beyond tools — logging, resources, prompts, completion — as one set of
 * methods next to {@code tools/*}, and the capabilities {@code initialize} advertises for exactly
 * what is served here:
 * {@code logging {}}, {@code completions {}}, {@code prompts {listChanged: false}} (a fixed set),
 * {@code resources {subscribe: true, listChanged: true}} (the list follows the worker's leases) and
 * {@code tools {listChanged: true}} (the gateway's own tools are fixed for its life, but a session
 * bound to an A2C-SMCP office also lists that office's Computer tools, which come and go:
 * {@code smcp.bridge}).
 */
@ApplicationScoped
public class SurfaceMethods {

    private static final Logger LOG = Logger.getLogger(SurfaceMethods.class);
    private static final Set<String> METHODS = Set.of("logging/setLevel", "resources/list", "resources/templates/list",
            "resources/read", "resources/subscribe", "resources/unsubscribe", "prompts/list", "prompts/get",
            "completion/complete");
    /** MCP tools that act on a desktop: afterwards its screenshot has changed. */
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final SessionLogging logging;
    private final GatewayResources resources;
    private final ResourceSubscriptions subscriptions;
    private final PromptCatalog prompts;
    private final Completions completions;

    public SurfaceMethods(SessionLogging logging, GatewayResources resources, ResourceSubscriptions subscriptions,
            PromptCatalog prompts, Completions completions) {
        this.logging = logging;
        this.resources = resources;
        this.subscriptions = subscriptions;
        this.prompts = prompts;
        this.completions = completions;
    }

    /** Whether {@link #handle} answers this method. */
    public boolean serves(String method) {
        return METHODS.contains(method);
    }

    /** The {@code capabilities} of the {@code initialize} answer. */
    public ObjectNode capabilities() {
        ObjectNode capabilities = NODES.objectNode();
        capabilities.putObject("logging");
        capabilities.putObject("completions");
        capabilities.putObject("prompts").put("listChanged", false);
        capabilities.putObject("resources").put("subscribe", true).put("listChanged", true);
        capabilities.putObject("tools").put("listChanged", true);
        return capabilities;
    }

    /**
     * Answers one request of a method {@link #serves}; exactly one response goes to {@code out}. As
     * with tools, a session bound to a worker serves only a request whose own token covers that
     * worker (else {@code -32002} access denied, with {@code WORKER_NOT_ENTITLED}).
     */
    public void handle(McpSession session, Principal principal, JsonNode id, String method, JsonNode params, Responder out) {
        Uni<JsonNode> result;
        try {
            if (session.workerId() != null) {
                entitled(principal, session.workerId());
            }
            result = switch (method) {
                case "logging/setLevel" -> logging.setLevel(session.id(), params);
                case "resources/list" -> resources.list(session.workerId());
                case "resources/templates/list" -> Uni.createFrom().item(resources.templates());
                case "resources/read" -> resources.read(session.workerId(), requiredString(params, "uri"));
                case "resources/subscribe" -> subscriptions.subscribe(session.id(), params);
                case "resources/unsubscribe" -> subscriptions.unsubscribe(session.id(), params);
                case "prompts/list" -> Uni.createFrom().item(prompts.list());
                case "prompts/get" -> Uni.createFrom().item(prompts.get(params, session.protocolVersion()));
                case "completion/complete" -> completions.complete(session.workerId(), params);
                default -> throw new McpError(JsonRpc.METHOD_NOT_FOUND, "Method not found: " + method);
            };
        } catch (McpError e) {
            out.respond(error(id, e));
            return;
        }
        result.subscribe().with(r -> out.respond(JsonRpc.result(id, r)), e -> {
            if (e instanceof McpError known) {
                out.respond(error(id, known));
            } else {
                LOG.warnf("%s failed: %s", method, e.getMessage());
                out.respond(JsonRpc.error(id, JsonRpc.INTERNAL_ERROR, method + " failed: " + e.getMessage()));
            }
        });
    }

    private static void entitled(Principal principal, String workerId) {
        try {
            principal.authorize("worker_id", workerId);
        } catch (ToolFailure refused) {
            throw new McpError(JsonRpc.ACCESS_DENIED, refused.code() + ": " + refused.getMessage());
        }
    }

    private static String requiredString(JsonNode params, String name) {
        JsonNode value = params.get(name);
        if (value == null || !value.isTextual()) {
            throw new McpError(JsonRpc.INVALID_PARAMS, "'" + name + "' must be a string");
        }
        return value.asText();
    }

    private static ObjectNode error(JsonNode id, McpError e) {
        ObjectNode answer = JsonRpc.error(id, e.code(), e.getMessage());
        if (e.data() != null) {
            ((ObjectNode) answer.get("error")).set("data", e.data());
        }
        return answer;
    }
}

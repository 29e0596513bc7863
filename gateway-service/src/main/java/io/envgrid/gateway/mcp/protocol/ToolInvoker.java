package io.envgrid.gateway.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.tool.ParamsCheck;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolExecution;
import io.envgrid.gateway.tool.ToolRegistry;
import io.envgrid.gateway.tool.ToolResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;

/**
 * {@code tools/call} for an MCP session: the worker comes from the session once bound (seed 000
 * injects it), only ids the caller's token covers are bound or acted for, a call naming another
 * worker than the bound one is refused, and every outcome becomes an MCP tool
 * result carrying both {@code structuredContent} and text ({@code isError} for failures).
 */
@ApplicationScoped
public class ToolInvoker {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final McpSessions sessions;
    private final ToolExecution execution;
    private final ToolRegistry registry;
    private final ObjectMapper json;

    public ToolInvoker(McpSessions sessions, ToolExecution execution, ToolRegistry registry, ObjectMapper json) {
        this.sessions = sessions;
        this.registry = registry;
        this.execution = execution;
        this.json = json;
    }

    /**
     * Runs a tool for the session's worker. Before anything is bound or runs: every id argument is
     * checked against the id rule (400 {@code INVALID_ID}) and the worker against the principal's
     * entitlement (403 {@code WORKER_NOT_ENTITLED}); a session bound to another worker refuses the
     * call (403 {@code WORKER_MISMATCH}). Every outcome is a tool result.
     */
    public Uni<ObjectNode> invoke(McpSession session, Principal principal, String name, ObjectNode args,
            ProgressSink progress) {
        boolean unbound = session.workerId() == null;
        return Uni.createFrom().deferred(() -> resolveWorker(session, principal, name, args))
                .chain(worker -> execution.run(name, new ToolCall(args, worker, progress))
                        // the binding is part of the call: a first call that fails leaves the session unbound
                        .onFailure().call(() -> unbound && worker != null ? sessions.unbind(session.id(), worker)
                                .onFailure().recoverWithNull() : Uni.createFrom().voidItem()))
                .map(this::success)
                .onFailure(ToolFailure.class).recoverWithItem(e -> failure((ToolFailure) e));
    }

    private Uni<String> resolveWorker(McpSession session, Principal principal, String name, ObjectNode args) {
        IdRule.checkArguments(args);
        // the whole call is checked before the session is bound: a refused call binds nothing
        registry.find(name).ifPresent(tool -> {
            List<String> problems = ParamsCheck.problems(tool.spec().inputSchema(), args, true);
            if (!problems.isEmpty()) {
                throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, name + ": " + String.join("; ", problems),
                        Map.of("tool", name, "problems", problems));
            }
        });
        JsonNode given = args.get("worker_id");
        if (given != null && !given.isNull() && !given.isTextual()) {
            return Uni.createFrom().failure(ToolFailure.invalid("'worker_id' must be a string"));
        }
        String asked = given == null || given.isNull() ? null : principal.authorize("worker_id", given.asText());
        if (session.workerId() != null) {
            if (asked != null && !asked.equals(session.workerId())) {
                return Uni.createFrom().failure(mismatch(session.workerId(), asked));
            }
            // a session id presented with another principal's token acts for nobody that token does not cover
            return Uni.createFrom().item(principal.authorize("worker_id", session.workerId()));
        }
        if (asked == null) {
            return Uni.createFrom().nullItem();
        }
        return sessions.bind(session.id(), asked).map(bound -> {
            if (bound == null) {
                throw new ToolFailure(404, ErrorCode.SESSION_ENDED, "the MCP session ended during the call", Map.of());
            }
            if (!asked.equals(bound)) {
                throw mismatch(bound, asked);
            }
            return bound;
        });
    }

    private static ToolFailure mismatch(String bound, String asked) {
        return new ToolFailure(403, ErrorCode.WORKER_MISMATCH, "this MCP session acts for worker '" + bound
                + "', not '" + asked + "'", Map.of("bound_worker_id", bound));
    }

    private ObjectNode success(ToolResult result) {
        ObjectNode answer = NODES.objectNode();
        ArrayNode content = answer.putArray("content");
        content.addObject().put("type", "text").put("text", result.structured().toString());
        for (String png : result.pngImages()) {
            content.addObject().put("type", "image").put("data", png).put("mimeType", "image/png");
        }
        answer.set("structuredContent", structured(result.structured()));
        answer.put("isError", false);
        return answer;
    }

    private ObjectNode failure(ToolFailure failure) {
        JsonNode envelope = json.valueToTree(failure.envelope());
        ObjectNode answer = NODES.objectNode();
        answer.putArray("content").addObject().put("type", "text").put("text", envelope.toString());
        answer.set("structuredContent", envelope);
        answer.put("isError", true);
        return answer;
    }

    /** structuredContent must be an object; other JSON values are wrapped. */
    private static JsonNode structured(JsonNode value) {
        return value.isObject() ? value : NODES.objectNode().set("result", value);
    }
}

package io.envgrid.gateway.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.util.RawValue;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.tool.CheckedCall;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.gateway.tool.Tool;
import io.envgrid.gateway.tool.ToolExecution;
import io.envgrid.gateway.tool.ToolRegistry;
import io.envgrid.gateway.tool.ToolResult;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * {@code tools/call} for an MCP session: the worker comes from the session once bound (the rollout
 * framework's client injects it), only ids the caller's token covers are bound or acted for, a call naming another
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
     * Runs a tool for the session's worker. Before anything is bound or runs, the whole call is
     * checked: the arguments against the tool's schema and the id rule (400 {@code INVALID_PARAMETERS}
     * or {@code INVALID_ID} naming the argument; unknown arguments included), the worker against
     * the principal's entitlement (403 {@code WORKER_NOT_ENTITLED}); a session bound to another
     * worker refuses the call (403 {@code WORKER_MISMATCH}). Every outcome is a tool result.
     */
    public Uni<ObjectNode> invoke(McpSession session, Principal principal, Tool tool, ObjectNode args,
            ProgressSink progress) {
        boolean unbound = session.workerId() == null;
        return Uni.createFrom().deferred(() -> {
            CheckedCall call = registry.prepare(tool, args);
            return resolveWorker(session, principal, args).chain(worker -> {
                Uni<ToolResult> run = execution.run(call, worker, progress);
                if (!unbound || worker == null) {
                    // no binding made by this call (the usual case: a bound session): no stages to undo or keep one
                    return run;
                }
                // the binding is part of the call: a first call that fails leaves the session unbound ...
                return run.onFailure().call(() -> sessions.unbind(session.id(), worker).onFailure().recoverWithNull())
                        // ... but not after a concurrent first call succeeded: what it was granted is told to this session
                        .call(() -> sessions.keepBinding(session.id(), worker).onFailure().recoverWithNull());
            });
        })
                .map(this::success)
                .onFailure(ToolFailure.class).recoverWithItem(e -> failure((ToolFailure) e));
    }

    /** The worker the call acts for; the schema has already checked that {@code worker_id}, when given, is a string. */
    private Uni<String> resolveWorker(McpSession session, Principal principal, ObjectNode args) {
        JsonNode given = args.get("worker_id");
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

    /**
     * A tool's answer as an MCP tool result: {@code structuredContent}, the same JSON as text, images; {@code isError: false}.
     * The result is serialized once: {@code structuredContent} is that text written as it is (a raw value, so the
     * answer is for sending, not for reading its {@code structuredContent} back as a tree).
     */
    public ObjectNode success(ToolResult result) {
        String text = result.structured().toString();
        ObjectNode answer = NODES.objectNode();
        ArrayNode content = answer.putArray("content");
        content.addObject().put("type", "text").put("text", text);
        for (String png : result.pngImages()) {
            content.addObject().put("type", "image").put("data", png).put("mimeType", "image/png");
        }
        answer.putRawValue("structuredContent", new RawValue(text));
        answer.put("isError", false);
        return answer;
    }

    /** A failure as an MCP tool result: {@code isError: true}, the error envelope as {@code structuredContent} and text. */
    public ObjectNode failure(ToolFailure failure) {
        JsonNode envelope = json.valueToTree(failure.envelope());
        ObjectNode answer = NODES.objectNode();
        answer.putArray("content").addObject().put("type", "text").put("text", envelope.toString());
        answer.set("structuredContent", envelope);
        answer.put("isError", true);
        return answer;
    }
}

package io.envgrid.gateway.smcp.bridge;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.smcp.office.CallOutcome;
import io.envgrid.gateway.smcp.SmcpConfig;
import io.envgrid.gateway.smcp.office.ClientCalls;
import io.envgrid.gateway.tool.ProgressSink;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * An MCP {@code tools/call} of a Computer tool, relayed as A2C-SMCP {@code client:tool_call {agent, req_id, computer,
 * tool_name, params, timeout}} (docs/contracts/smcp.md §5) through {@link ClientCalls}, so the Computer may sit on any replica, counted
 * against the MCP session's and the office's caps as an agent's calls are. The call's deadline is the gateway's for
 * tools that act on a machine ({@code envgrid.gateway.downstream.action-timeout}, 130 s) but at most the SMCP
 * server's {@code envgrid.gateway.smcp.max-call-timeout}, sent as {@code timeout} in whole seconds so the Computer
 * stops at the same time. Cancelling the returned work
 * (MCP {@code notifications/cancelled}, a closed connection, the session's end) sends the Computer
 * {@code notify:tool_call_cancel {agent, req_id}}, which aborts the call at its MCP server; so does the deadline.
 * When the MCP caller asked for progress (a {@code progressToken} it can receive), the call carries envgrid's
 * {@code envgrid_progress: true} and the Computer's progress reports for it become the caller's
 * {@code notifications/progress}.
 *
 * <p>Answers: the Computer's {@code CallToolResult} is passed on as the MCP result (its {@code meta} as MCP's
 * {@code _meta}); its flat ErrorPayload (docs/contracts/smcp.md §8) becomes an {@code isError} result with the gateway's envelope, as every
 * failed tool call of the gateway: 404 / 4001 {@code UNKNOWN_TOOL} (404), 4004 {@code BACKEND_TIMEOUT} (408), other
 * codes {@code BACKEND_ERROR} (502), each with {@code details.smcp_code}; a Computer gone from the office
 * {@code NO_SUCH_RESOURCE} (404); no answer by the deadline {@code BACKEND_TIMEOUT} (408); a cap reached (the
 * session's or the office's calls waiting on this replica, or the answers the Computer owes) {@code RATE_LIMITED}
 * (429, {@code details.scope} and {@code limit}), the call not sent.
 */
@ApplicationScoped
public class RelayedToolCall {

    private static final String TOOL_CALL = "client:tool_call";
    /** The {@link ClientCalls} caller key of a session's calls (its per-caller cap). */
    private static final String CALLER_PREFIX = "mcp:";
    /** envgrid's extension field of {@code client:tool_call} asking the Computer for progress (README, "Progress"). */
    private static final String PROGRESS_FLAG = "envgrid_progress";

    private final ClientCalls calls;
    private final ObjectMapper json;
    private final long timeoutMs;

    @Inject
    public RelayedToolCall(ClientCalls calls, ObjectMapper json, GatewayConfig config, SmcpConfig smcp) {
        this(calls, json, Math.min(config.downstream().actionTimeout().toMillis(), smcp.maxCallTimeout().toMillis()));
    }

    RelayedToolCall(ClientCalls calls, ObjectMapper json, long timeoutMs) {
        this.calls = calls;
        this.json = json;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Calls {@code tool} in {@code officeId} as {@code agent} for the MCP session {@code sessionId}; the item is the
     * MCP {@code CallToolResult}, or fails with a {@link ToolFailure} for the caller to answer as an {@code isError}
     * result. The Computer's progress reports go to {@code progress} (asked for only when it {@link ProgressSink#wanted()}).
     */
    public Uni<ObjectNode> call(String sessionId, String officeId, String agent, ComputerTool tool, ObjectNode arguments,
            ProgressSink progress) {
        String reqId = UUID.randomUUID().toString();
        ObjectNode request = json.createObjectNode().put("agent", agent).put("req_id", reqId)
                .put("computer", tool.computer()).put("tool_name", tool.exposedName())
                .put("timeout", Math.max(1, timeoutMs / 1000));
        request.set("params", arguments);
        if (progress.wanted()) {
            request.put(PROGRESS_FLAG, true);
        }
        return calls.relay(CALLER_PREFIX + sessionId, officeId, tool.computer(), TOOL_CALL, request, timeoutMs,
                        progress.wanted() ? report -> progress.report(report.path("progress").asDouble(),
                                report.path("total").isNumber() ? report.get("total").asDouble() : null,
                                report.path("message").isTextual() ? report.get("message").asText() : null) : null)
                .onCancellation().call(() -> calls.cancelAt(officeId, tool.computer(), agent, reqId))
                .call(outcome -> outcome instanceof CallOutcome.TimedOut
                        ? calls.cancelAt(officeId, tool.computer(), agent, reqId) : Uni.createFrom().voidItem())
                .map(outcome -> answer(officeId, tool, outcome));
    }

    /** The MCP result of an outcome; fails with the {@link ToolFailure} to answer instead. */
    ObjectNode answer(String officeId, ComputerTool tool, CallOutcome outcome) {
        Map<String, Object> where = new LinkedHashMap<>();
        where.put("office_id", officeId);
        where.put("computer", tool.computer());
        where.put("tool", tool.name());
        return outcome.on(new CallOutcome.Cases<>() {
            @Override
            public ObjectNode answered(CallOutcome.Answered answered) {
                return fromComputer(tool, answered.args(), where);
            }

            @Override
            public ObjectNode gone(CallOutcome.Gone gone) {
                throw new ToolFailure(404, ErrorCode.NO_SUCH_RESOURCE, "Computer '" + tool.computer()
                        + "' is no longer in office '" + officeId + "'", where);
            }

            @Override
            public ObjectNode saturated(CallOutcome.Saturated saturated) {
                where.put("scope", saturated.scope());
                where.put("limit", saturated.limit());
                throw new ToolFailure(429, ErrorCode.RATE_LIMITED, "Too many calls in flight (" + saturated.scope()
                        + " limit " + saturated.limit() + "); the call was not sent", where);
            }

            @Override
            public ObjectNode timedOut(CallOutcome.TimedOut timedOut) {
                throw new ToolFailure(408, ErrorCode.BACKEND_TIMEOUT, "Computer '" + tool.computer()
                        + "' did not answer within " + timeoutMs + " ms", where);
            }
        });
    }

    /** The Computer's ack: a {@code CallToolResult}, or a flat ErrorPayload (docs/contracts/smcp.md §8). */
    private static ObjectNode fromComputer(ComputerTool tool, ArrayNode args, Map<String, Object> where) {
        JsonNode first = args.path(0);
        if (first instanceof ObjectNode result && result.get("content") instanceof ArrayNode) {
            return mcpResult(result);
        }
        if (first instanceof ObjectNode error && error.path("code").isInt()) {
            int code = error.path("code").asInt();
            where.put("smcp_code", code);
            String message = error.path("message").asText("");
            throw switch (code) {
                case 404, 4001 -> new ToolFailure(404, ErrorCode.UNKNOWN_TOOL, message, where);
                case 4004 -> new ToolFailure(408, ErrorCode.BACKEND_TIMEOUT, message, where);
                case 429 -> new ToolFailure(429, ErrorCode.RATE_LIMITED, message, where);
                default -> new ToolFailure(502, ErrorCode.BACKEND_ERROR, message, where);
            };
        }
        throw new ToolFailure(502, ErrorCode.BACKEND_ERROR, "Computer '" + tool.computer()
                + "' answered neither a CallToolResult nor an error", where);
    }

    /** The Computer dumps {@code CallToolResult} with pydantic's field names: {@code meta} is MCP's {@code _meta}. */
    private static ObjectNode mcpResult(ObjectNode result) {
        ObjectNode out = result.deepCopy();
        JsonNode meta = out.remove("meta");
        if (meta != null && meta.isObject() && !out.has("_meta")) {
            out.set("_meta", meta);
        }
        if (!out.path("isError").isBoolean()) {
            out.put("isError", false);
        }
        if (out.has("structuredContent") && !out.get("structuredContent").isObject()) {
            out.remove("structuredContent"); // MCP's structuredContent is an object
        }
        return out;
    }
}

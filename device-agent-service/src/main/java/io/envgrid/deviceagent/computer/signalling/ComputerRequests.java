package io.envgrid.deviceagent.computer.signalling;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.computer.hosting.CallOutcome;
import io.envgrid.deviceagent.computer.hosting.CallProgress;
import io.envgrid.deviceagent.computer.hosting.McpServerHost;
import io.envgrid.deviceagent.computer.hosting.ProtocolError;
import io.socket.client.Ack;
import io.socket.client.Socket;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jboss.logging.Logger;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The Computer's answers to {@code client:*} requests relayed by the signalling server, with the acknowledgement
 * shapes of A2C-SMCP (docs/contracts/smcp.md §5): a tool call answers the MCP {@code CallToolResult}; {@code get_tools}
 * {@code {tools, req_id}}; {@code get_config} {@code {inputs, servers}} with placeholders; {@code get_desktop}
 * {@code {desktops, req_id}}; {@code get_resources} {@code {resources, next_cursor, req_id}}. Refusals are the flat
 * ErrorPayload: 400 a payload that is not an object, 404 a request meant for another Computer (the reference Computer
 * asserts {@code computer} is its own name), 4014/4015 resources, 4016 skills (this Computer has none), 4018/4019
 * blobs (none either). {@code notify:tool_call_cancel {agent, req_id}} aborts the call; an unknown one is ignored.
 * A tool call with {@code envgrid_progress: true} (an envgrid extension, gateway README "Progress") gives the MCP
 * server a progress token, and each {@code notifications/progress} it sends for the call is emitted as
 * {@code server:tool_call_progress {computer, agent, req_id, progress, total?, message?}}.
 * Work runs off the Socket.IO event thread, on threads of its own (listing resources waits on the MCP server; the
 * common pool has one thread on a two-core host), so one slow request never holds up the others.
 */
final class ComputerRequests {

    private static final Logger LOG = Logger.getLogger(ComputerRequests.class);

    private final McpServerHost host;
    private final ObjectMapper mapper;
    private final String name;
    private final ExecutorService workers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "smcp-request");
        t.setDaemon(true);
        return t;
    });

    ComputerRequests(McpServerHost host, ObjectMapper mapper, String name) {
        this.host = host;
        this.mapper = mapper;
        this.name = name;
    }

    void register(Socket socket) {
        socket.on(SmcpEvents.TOOL_CALL, args -> answerLater(args, r -> toolCall(socket, r)));
        answer(socket, SmcpEvents.GET_TOOLS, r -> withReqId(r, Map.of("tools",
                host.tools().stream().map(t -> t.toWire(mapper)).toList())));
        answer(socket, SmcpEvents.GET_CONFIG, r -> host.publicConfig());
        answer(socket, SmcpEvents.GET_MCP_CONFIG, r -> host.publicConfig());
        answer(socket, SmcpEvents.GET_DESKTOP, r -> withReqId(r, Map.of("desktops",
                host.desktops(r.get("desktop_size") instanceof Number n ? n.intValue() : null,
                        r.get("window") instanceof String w ? w : null))));
        answer(socket, SmcpEvents.GET_RESOURCES, r -> withReqId(r, host.resources(
                String.valueOf(r.get("mcp_server")), r.get("cursor") instanceof String c ? c : null)));
        answer(socket, SmcpEvents.GET_SKILLS, r -> withReqId(r, Map.of("skills", List.of())));
        answer(socket, SmcpEvents.GET_SKILL, r -> {
            throw new ProtocolError(4016, "this Computer has no skill '" + r.get("name") + "'", Map.of());
        });
        answer(socket, SmcpEvents.GET_BLOB, r -> {
            throw new ProtocolError(4018, "this Computer has no blob '" + r.get("blob_handle") + "'", Map.of());
        });
        answer(socket, SmcpEvents.PUT_BLOB, r -> {
            throw new ProtocolError(4019, "this Computer accepts no blobs", Map.of());
        });
        socket.on(SmcpEvents.TOOL_CALL_CANCEL, args -> {
            Map<String, Object> r = payload(args);
            if (r != null && r.get("req_id") != null) {
                host.cancel(callKey(r), "cancelled by agent '" + r.get("agent") + "'");
            }
        });
    }

    /** Ends the request threads (the agent stops). */
    void close() {
        workers.shutdownNow();
    }

    private CompletableFuture<Map<String, Object>> toolCall(Socket socket, Map<String, Object> r) {
        Object timeout = r.get("timeout");
        Duration limit = timeout instanceof Number n && n.doubleValue() > 0
                ? Duration.ofMillis(Math.round(n.doubleValue() * 1000)) : null;
        @SuppressWarnings("unchecked")
        Map<String, Object> params = r.get("params") instanceof Map<?, ?> p ? (Map<String, Object>) p : Map.of();
        CallProgress progress = Boolean.TRUE.equals(r.get(SmcpEvents.PROGRESS_FLAG))
                ? (done, total, message) -> emitProgress(socket, r, done, total, message) : CallProgress.NONE;
        return host.call(String.valueOf(r.get("tool_name")), params, limit, callKey(r), progress)
                .thenApply(CallOutcome::toWire).toCompletableFuture();
    }

    private void emitProgress(Socket socket, Map<String, Object> call, double progress, Double total, String message) {
        try {
            JSONObject report = new JSONObject().put("computer", name).put("agent", call.get("agent"))
                    .put("req_id", call.get("req_id")).put("progress", progress);
            if (total != null) {
                report.put("total", total.doubleValue());
            }
            if (message != null) {
                report.put("message", message);
            }
            socket.emit(SmcpEvents.TOOL_CALL_PROGRESS, report);
        } catch (JSONException e) {
            LOG.debugf("a progress report could not be encoded: %s", e.getMessage());
        }
    }

    /** Calls are keyed by agent and request id: two agents' {@code req_id}s may collide. */
    private static String callKey(Map<String, Object> r) {
        return r.get("agent") + "/" + r.get("req_id");
    }

    private void answer(Socket socket, String event, Function<Map<String, Object>, Map<String, Object>> handler) {
        socket.on(event, args -> answerLater(args, r -> CompletableFuture.supplyAsync(() -> handler.apply(r), workers)));
    }

    private void answerLater(Object[] args, Function<Map<String, Object>, CompletableFuture<Map<String, Object>>> h) {
        if (args.length == 0 || !(args[args.length - 1] instanceof Ack ack)) {
            return; // nobody waits for an answer
        }
        Map<String, Object> request = payload(args);
        if (request == null) {
            reply(ack, new ProtocolError(400, "Invalid request payload", Map.of()).toWire());
            return;
        }
        if (!name.equals(request.get("computer"))) {
            reply(ack, new ProtocolError(404, "Computer with name '" + request.get("computer") + "' not found",
                    Map.of("computer_name", String.valueOf(request.get("computer")))).toWire());
            return;
        }
        CompletableFuture<Map<String, Object>> answer;
        try {
            answer = h.apply(request);
        } catch (RuntimeException e) {
            answer = CompletableFuture.failedFuture(e);
        }
        answer.whenComplete((result, error) -> reply(ack, error == null ? result : refusal(error)));
    }

    private static Map<String, Object> refusal(Throwable error) {
        Throwable cause = error.getCause() != null && !(error instanceof ProtocolError) ? error.getCause() : error;
        if (cause instanceof ProtocolError p) {
            return p.toWire();
        }
        LOG.warnf("a client request failed: %s", cause.toString());
        return new ProtocolError(500, "Internal server error", Map.of()).toWire();
    }

    private void reply(Ack ack, Map<String, Object> answer) {
        try {
            ack.call(new JSONObject(mapper.writeValueAsString(answer)));
        } catch (IOException | JSONException e) {
            LOG.warnf("an answer could not be encoded: %s", e.getMessage());
        }
    }

    private Map<String, Object> payload(Object[] args) {
        if (args.length == 0 || !(args[0] instanceof JSONObject json)) {
            return null;
        }
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = mapper.readValue(json.toString(), Map.class);
            return map;
        } catch (IOException e) {
            return null;
        }
    }

    private static Map<String, Object> withReqId(Map<String, Object> request, Map<String, Object> body) {
        Map<String, Object> out = new LinkedHashMap<>(body);
        out.put("req_id", request.get("req_id"));
        return out;
    }
}

package io.envgrid.deviceagent.computer.hosting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a tool call on the Computer ended. Every outcome is answered as an MCP {@code CallToolResult}
 * ({@code {content, isError, structuredContent?, meta?}}, key {@code meta} as the reference Computer dumps it);
 * failures carry the A2C-SMCP code in {@code meta.error_code}: 4001 no such tool, 4003 execution failed, 4004
 * timeout (with {@code meta.a2c_timeout}); a cancelled call has {@code meta.a2c_cancelled}.
 */
public sealed interface CallOutcome {

    /** The wire form ({@code CallToolResult} as a JSON object). */
    Map<String, Object> toWire();

    /** The server answered (its result may itself be a tool error). */
    record Answered(Map<String, Object> result) implements CallOutcome {
        @Override
        public Map<String, Object> toWire() {
            Map<String, Object> wire = new LinkedHashMap<>(result);
            Object meta = wire.remove("_meta");
            if (meta != null) {
                wire.put("meta", meta);
            }
            wire.putIfAbsent("isError", false);
            return wire;
        }
    }

    /** No tool of that exposed name (4001). */
    record UnknownTool(String name) implements CallOutcome {
        @Override
        public Map<String, Object> toWire() {
            return error("no tool '" + name + "' on this Computer", Map.of("error_code", 4001));
        }
    }

    /** The server could not run the call: not running, exited mid-call, protocol failure (4003). */
    record Failed(String reason) implements CallOutcome {
        @Override
        public Map<String, Object> toWire() {
            return error("tool call failed: " + reason, Map.of("error_code", 4003));
        }
    }

    /** The call took longer than its timeout and was cancelled at the server (4004). */
    record TimedOut(long timeoutMillis) implements CallOutcome {
        @Override
        public Map<String, Object> toWire() {
            return error("tool call timed out after " + timeoutMillis + " ms",
                    Map.of("error_code", 4004, "a2c_timeout", true));
        }
    }

    /** The caller cancelled the call; the server was told. */
    record Cancelled(String reason) implements CallOutcome {
        @Override
        public Map<String, Object> toWire() {
            return error("tool call cancelled: " + reason, Map.of("a2c_cancelled", true));
        }
    }

    private static Map<String, Object> error(String text, Map<String, Object> meta) {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("content", List.of(Map.of("type", "text", "text", text)));
        wire.put("isError", true);
        wire.put("meta", meta);
        return wire;
    }
}

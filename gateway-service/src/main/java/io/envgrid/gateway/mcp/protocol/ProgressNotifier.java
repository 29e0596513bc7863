package io.envgrid.gateway.mcp.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.ProgressSink;

/** Tool progress as MCP {@code notifications/progress}, when the client asked for it (a progress token) and can receive it. */
final class ProgressNotifier implements ProgressSink {

    private final JsonNode token;
    private final Responder out;

    ProgressNotifier(JsonNode token, Responder out) {
        this.token = token;
        this.out = out;
    }

    @Override
    public boolean wanted() {
        return token != null && !token.isNull() && out.streams();
    }

    @Override
    public void report(double progress, Double total, String message) {
        if (!wanted()) {
            return;
        }
        ObjectNode params = JsonNodeFactory.instance.objectNode();
        params.set("progressToken", token);
        params.put("progress", progress);
        if (total != null) {
            params.put("total", total);
        }
        if (message != null) {
            params.put("message", message);
        }
        out.notify(JsonRpc.notification("notifications/progress", params));
    }
}

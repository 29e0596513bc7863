package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;

/**
 * A tool's answer: the structured JSON (MCP {@code structuredContent}, also sent as text; the
 * Sandbox API's {@code data}) and images to show the model (base64 PNG). The structured answer is
 * always an object, as MCP requires: another JSON value is wrapped as {@code {"result": value}}.
 */
public record ToolResult(ObjectNode structured, List<String> pngImages) {

    public static ToolResult of(JsonNode structured) {
        return new ToolResult(asObject(structured), List.of());
    }

    public static ToolResult withImages(JsonNode structured, List<String> pngImages) {
        return new ToolResult(asObject(structured), pngImages);
    }

    private static ObjectNode asObject(JsonNode value) {
        return value.isObject() ? (ObjectNode) value : JsonNodeFactory.instance.objectNode().set("result", value);
    }
}

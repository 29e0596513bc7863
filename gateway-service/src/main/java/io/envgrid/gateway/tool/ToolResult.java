package io.envgrid.gateway.tool;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A tool's answer: the structured JSON (also sent as text) and images to show the model (base64 PNG). */
public record ToolResult(JsonNode structured, List<String> pngImages) {

    public static ToolResult of(JsonNode structured) {
        return new ToolResult(structured, List.of());
    }
}

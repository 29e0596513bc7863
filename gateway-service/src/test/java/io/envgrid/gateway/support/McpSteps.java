package io.envgrid.gateway.support;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Building {@link McpClient} steps and reading their result lines. */
public final class McpSteps {

    private static final ObjectMapper JSON = new ObjectMapper();

    private McpSteps() {
    }

    /** Adds a tools/call step and answers its arguments object to fill in. */
    public static ObjectNode call(ArrayNode steps, String tool) {
        ObjectNode step = steps.addObject().put("op", "call").put("name", tool);
        return step.putObject("arguments");
    }

    /** The structuredContent of a successful tool call's line; fails the test otherwise. */
    public static JsonNode structured(JsonNode line) {
        assertTrue(line.path("ok").asBoolean(), line.toString());
        assertFalse(line.path("result").path("isError").asBoolean(), line.toString());
        return line.path("result").path("structuredContent");
    }

    public static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.envgrid.gateway.smcp.bridge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.smcp.office.CallOutcome;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** What a bridged call's outcome becomes for the MCP client: its result, or the failure answered as {@code isError}. */
class RelayedToolCallTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ComputerTool TOOL = new ComputerTool("everything__echo", "box", "everything__echo", "everything",
            "echoes", JSON.createObjectNode(), null, null);
    private final RelayedToolCall relay = new RelayedToolCall(null, JSON, 3000);

    private ToolFailure failure(CallOutcome outcome) {
        return assertThrows(ToolFailure.class, () -> relay.answer("office-1", TOOL, outcome));
    }

    @Test
    void aSaturatedCallIsRateLimitedWithItsScopeAndLimit() {
        for (String scope : new String[] {"session", "office", "computer"}) {
            ToolFailure refused = failure(new CallOutcome.Saturated(scope, 7));
            assertEquals(429, refused.status());
            assertEquals("RATE_LIMITED", refused.code());
            assertEquals(Map.of("office_id", "office-1", "computer", "box", "tool", "everything__echo", "scope", scope,
                    "limit", 7), refused.details());
        }
    }

    @Test
    void theOtherOutcomesKeepTheirAnswers() {
        assertEquals("NO_SUCH_RESOURCE", failure(new CallOutcome.Gone()).code());
        ToolFailure late = failure(new CallOutcome.TimedOut());
        assertEquals(408, late.status());
        assertEquals("Computer 'box' did not answer within 3000 ms", late.getMessage());

        ArrayNode error = JSON.createArrayNode();
        error.addObject().put("code", 4001).put("message", "no such tool");
        assertEquals("UNKNOWN_TOOL", failure(new CallOutcome.Answered(error)).code());
        ArrayNode busy = JSON.createArrayNode();
        busy.addObject().put("code", 429).put("message", "Too many calls in flight");
        assertEquals(429, failure(new CallOutcome.Answered(busy)).status());

        ArrayNode result = JSON.createArrayNode();
        ObjectNode answered = result.addObject();
        answered.putArray("content").addObject().put("type", "text").put("text", "hi");
        answered.putObject("meta").put("k", "v");
        ObjectNode mcp = relay.answer("office-1", TOOL, new CallOutcome.Answered(result));
        assertEquals("v", mcp.path("_meta").path("k").asText(), mcp.toString());
        assertFalse(mcp.path("isError").asBoolean(true), mcp.toString());
    }
}

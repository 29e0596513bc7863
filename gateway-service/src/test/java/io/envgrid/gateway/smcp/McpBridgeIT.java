package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpClient;
import io.envgrid.gateway.support.McpSteps;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MCP bridge end to end, nothing faked: the official MCP TypeScript SDK client on the first gateway replica's
 * {@code /mcp} binds its session to an office whose Computer — the packaged device agent hosting
 * {@code @modelcontextprotocol/server-everything} over stdio, announcing protocol 0.5.0 — dialled the second replica.
 * It sees {@code {computer}.everything__echo} in {@code tools/list} and calls it, gets {@code notifications/tools/list_changed}
 * when a second server is added through the agent's {@code /computer} API, cancels a long call (the hosted server
 * receives {@code notifications/cancelled} for it), and after {@code smcp_leave_office} no longer has the tools. A call
 * with a progress token gets the hosted server's {@code notifications/progress} through the relay (envgrid's
 * {@code server:tool_call_progress} extension between Computer and gateway).
 */
class McpBridgeIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(90);
    private static final String LONG = "trigger-long-running-operation";

    private static SmcpGateways gateways;
    private static EverythingComputer computer;

    @BeforeAll
    static void startComputer() {
        gateways = SmcpGateways.get();
        computer = EverythingComputer.start("bridged-" + UUID.randomUUID().toString().substring(0, 8), Offices.office(),
                gateways.second.url(), "0.5.0");
        Conditions.await("the 0.5.0 Computer's tools reach a bound MCP session", START, () -> {
            ArrayNode steps = McpClient.steps();
            McpSteps.call(steps, "smcp_join_office").put("office_id", computer.office);
            steps.addObject().put("op", "listTools");
            return names(run(steps).get(2)).contains(tool("everything__echo"));
        });
    }

    @AfterAll
    static void stop() {
        if (computer != null) {
            computer.close();
        }
    }

    @Test
    void anMcpClientCallsTheComputersToolsThroughTheGateway() throws IOException {
        Path secondTrace = computer.trace.resolveSibling("second-trace.jsonl");
        ArrayNode steps = McpClient.steps();
        McpSteps.call(steps, tool("everything__echo")).put("message", "before binding");                      // 0
        McpSteps.call(steps, "smcp_join_office").put("office_id", computer.office);                        // 1
        steps.addObject().put("op", "listTools");                                                          // 2
        McpSteps.call(steps, tool("everything__echo")).put("message", "through the bridge");                  // 3
        ObjectNode add = steps.addObject().put("op", "fetch").put("method", "PUT")                          // 4
                .put("url", computer.agent.url() + "/computer/servers/second");
        add.putObject("headers").put("Authorization", "Bearer " + EverythingComputer.SERVICE_TOKEN)
                .put("Content-Type", "application/json");
        add.set("body", JSON.valueToTree(EverythingComputer.serverConfig("second", secondTrace)));
        steps.addObject().put("op", "awaitToolListed").put("name", tool("second__echo")).put("timeoutMs", 90_000); // 5
        McpSteps.call(steps, tool("second__echo")).put("message", "added at run time");                       // 6
        ObjectNode longCall = steps.addObject().put("op", "call").put("name", tool("everything__" + LONG));   // 7
        longCall.putObject("arguments").put("duration", 60).put("steps", 60);
        longCall.putObject("abortWhenFileContains").put("file", computer.trace.toString()).put("text", LONG);
        McpSteps.call(steps, "smcp_leave_office");                                                         // 8
        steps.addObject().put("op", "listTools");                                                          // 9
        McpSteps.call(steps, tool("everything__echo")).put("message", "after leaving");                       // 10

        List<JsonNode> out = run(steps);
        assertEquals(-32602, out.get(1).path("error").path("code").asInt(), "an unbound session has no such tool: " + out.get(1));
        JsonNode bound = McpSteps.structured(out.get(2));
        assertEquals(computer.office, bound.path("office_id").asText(), bound.toString());
        assertTrue(bound.path("tools").toString().contains(tool("everything__echo")), bound.toString());

        JsonNode echo = StreamSupport.stream(out.get(3).path("result").spliterator(), false)
                .filter(t -> t.path("name").asText().equals(tool("everything__echo"))).findFirst().orElseThrow();
        assertEquals("string", echo.path("inputSchema").path("properties").path("message").path("type").asText(), echo.toString());
        assertEquals(computer.name, echo.path("_meta").path("a2c/computer").asText(), echo.toString());
        assertEquals("everything", echo.path("_meta").path("a2c/bundle_id").asText(), echo.toString());
        assertTrue(echo.path("_meta").path("a2c_tool_meta").isObject(), echo.toString());
        assertTrue(names(out.get(3)).contains("smcp_leave_office"), out.get(3).toString());

        JsonNode answer = out.get(4).path("result");
        assertTrue(out.get(4).path("ok").asBoolean(), out.get(4).toString());
        assertFalse(answer.path("isError").asBoolean(), answer.toString());
        assertEquals("Echo: through the bridge", answer.path("content").get(0).path("text").asText(), answer.toString());

        assertEquals(201, out.get(5).path("result").path("status").asInt(), out.get(5).toString());
        assertTrue(out.get(6).path("ok").asBoolean(), "list_changed, then second__echo listed: " + out.get(6));
        assertTrue(out.get(6).path("result").path("notifications").asInt() >= 1, out.get(6).toString());
        assertEquals("Echo: added at run time", out.get(7).path("result").path("content").get(0).path("text").asText(),
                out.get(7).toString());

        assertFalse(out.get(8).path("ok").asBoolean(), "the long call was cancelled by the client: " + out.get(8));
        JsonNode requestId = JSON.readTree(received(computer.trace).stream().filter(l -> l.contains(LONG)
                && l.contains("tools/call")).findFirst().orElseThrow()).path("id");
        Conditions.await("the hosted server received notifications/cancelled for the call", START,
                () -> received(computer.trace).stream().filter(l -> l.contains("notifications/cancelled"))
                        .anyMatch(l -> McpSteps.readTree(l).path("params").path("requestId").equals(requestId)));

        assertEquals(computer.office, McpSteps.structured(out.get(9)).path("left").asText(), out.get(9).toString());
        assertFalse(names(out.get(10)).contains(tool("everything__echo")), out.get(10).toString());
        assertTrue(names(out.get(10)).contains("smcp_join_office"), out.get(10).toString());
        assertEquals(-32602, out.get(11).path("error").path("code").asInt(), "unbound again: " + out.get(11));
    }

    @Test
    void theHostedServersProgressReachesTheMcpClientThroughTheRelay() {
        ArrayNode steps = McpClient.steps();
        McpSteps.call(steps, "smcp_join_office").put("office_id", computer.office);                       // 1
        ObjectNode call = steps.addObject().put("op", "call").put("name", tool("everything__" + LONG)).put("progress", true);
        call.putObject("arguments").put("duration", 2).put("steps", 4);                                  // 2
        McpSteps.call(steps, tool("everything__" + LONG)).put("duration", 1).put("steps", 2);                 // 3

        List<JsonNode> out = run(steps);
        JsonNode result = out.get(2).path("result");
        assertTrue(out.get(2).path("ok").asBoolean(), out.get(2).toString());
        assertFalse(result.path("isError").asBoolean(), result.toString());
        // the client (Computer on the other replica) got server-everything's progress: 1..4 of 4, in order
        JsonNode progress = result.path("progress");
        assertEquals(4, progress.size(), result.toString());
        for (int i = 0; i < 4; i++) {
            assertEquals(i + 1, progress.get(i).path("progress").asInt(), progress.toString());
            assertEquals(4, progress.get(i).path("total").asInt(), progress.toString());
        }
        assertTrue(out.get(3).path("ok").asBoolean(), "a call without a progress token works as before: " + out.get(3));
        assertEquals(0, out.get(3).path("result").path("progress").size(), out.get(3).toString());
        // the hosted server was given a progress token only for the call whose client asked for progress
        List<JsonNode> longCalls = received(computer.trace).stream().map(McpSteps::readTree)
                .filter(m -> "tools/call".equals(m.path("method").asText())
                        && m.path("params").path("name").asText().equals(LONG)
                        && m.path("params").path("arguments").path("steps").asInt() <= 4)
                .toList();
        assertTrue(longCalls.stream().anyMatch(m -> m.path("params").path("_meta").has("progressToken")
                && m.path("params").path("arguments").path("steps").asInt() == 4), longCalls.toString());
        assertTrue(longCalls.stream().noneMatch(m -> m.path("params").path("_meta").has("progressToken")
                && m.path("params").path("arguments").path("steps").asInt() == 2), longCalls.toString());
    }

    private static List<JsonNode> run(ArrayNode steps) {
        List<JsonNode> out = McpClient.run(gateways.first.url() + "/mcp", "streamable",
                List.of("Authorization: Bearer " + SmcpGateways.TOKEN), steps);
        assertTrue(out.get(0).path("ok").asBoolean(), out.get(0).toString());
        assertEquals(steps.size() + 1, out.size(), out.toString());
        return out;
    }

    /** The MCP name of the Computer's tool {@code exposed}: {@code {computer}.{exposed}} (plain names are kept). */
    private static String tool(String exposed) {
        return computer.name + "." + exposed;
    }

    private static String names(JsonNode listLine) {
        StringBuilder names = new StringBuilder();
        listLine.path("result").forEach(t -> names.append(t.path("name").asText()).append(' '));
        return names.toString();
    }

    private static List<String> received(Path trace) {
        try {
            return Files.readAllLines(trace, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

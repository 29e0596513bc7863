package io.envgrid.deviceagent.computer.signalling;

import static io.envgrid.deviceagent.support.SmcpStandin.COMPUTER;
import static io.envgrid.deviceagent.support.SmcpStandin.OFFICE;
import static io.envgrid.deviceagent.support.SmcpStandin.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.SmcpStandin;
import io.envgrid.deviceagent.support.WithSmcpStandin;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The agent as A2C-SMCP Computer against a stand-in signalling server ({@link SmcpStandin}: the npm socket.io
 * server speaking the protocol's 0.4 generation, standing in for the gateway's until that exists), which plays the
 * office's agent: joins, every {@code client:*} the Computer answers, tool calls timed out and cancelled,
 * {@code server:update_*} on changes, and a session closed by the server followed by a reconnect and rejoin.
 */
@QuarkusTest
@WithSmcpStandin
class SignallingClientTest {

    private static final Duration ACK = Duration.ofSeconds(60);

    @Test
    void theComputerJoinsItsOfficeAndAnswersTheAgentThroughIt() throws Exception {
        JsonNode connection = SmcpStandin.awaitLine(event("connection"), "the Computer connects");
        assertEquals("0.4.0", connection.get("a2c_version").asText());
        JsonNode join = SmcpStandin.awaitLine(event("server:join_office"), "the Computer joins").get("payload");
        assertEquals(Map.of("role", "computer", "name", COMPUTER, "office_id", OFFICE),
                Map.of("role", join.get("role").asText(), "name", join.get("name").asText(),
                        "office_id", join.get("office_id").asText()));
        Conditions.await(() -> tools().toString().contains("everything__echo"), "the hosted tools are listed",
                Duration.ofSeconds(90));
        assertTrue(SmcpStandin.count(event("server:update_tool_list")) >= 1, "the office heard of the tools");

        JsonNode tools = SmcpStandin.request("client:get_tools", request("r1"), ACK).get(0);
        assertEquals("r1", tools.get("req_id").asText());
        JsonNode echo = null;
        for (JsonNode t : tools.get("tools")) {
            if (t.get("name").asText().equals("everything__echo")) {
                echo = t;
            }
        }
        assertEquals("everything", echo.get("bundle_id").asText());
        assertTrue(echo.get("params_schema").isObject());
        assertTrue(echo.get("meta").get("a2c_tool_meta").isTextual(), "a2c_tool_meta is a JSON string");

        JsonNode result = SmcpStandin.request("client:tool_call", call("r2", "everything__echo",
                Map.of("message", "through the office"), 30), ACK).get(0);
        assertFalse(result.get("isError").asBoolean(), result.toString());
        assertTrue(result.get("content").toString().contains("through the office"));

        JsonNode unknown = SmcpStandin.request("client:tool_call", call("r3", "everything__nothing", Map.of(), 30),
                ACK).get(0);
        assertEquals(4001, unknown.get("meta").get("error_code").asInt());

        JsonNode config = SmcpStandin.request("client:get_config", request("r4"), ACK).get(0);
        assertEquals("${input:greeting}",
                config.get("servers").get("everything").get("server_parameters").get("env").get("GREETING").asText());
        assertEquals(config, SmcpStandin.request("client:get_mcp_config", request("r5"), ACK).get(0),
                "the seed's name is answered alike");

        JsonNode desktop = SmcpStandin.request("client:get_desktop", request("r6"), ACK).get(0);
        assertEquals("r6", desktop.get("req_id").asText());
        assertTrue(desktop.get("desktops").isArray() && desktop.get("desktops").isEmpty(),
                "server-everything has no window:// resources: " + desktop);
        JsonNode resources = SmcpStandin.request("client:get_resources",
                with(request("r7"), "mcp_server", "everything"), ACK).get(0);
        assertTrue(resources.get("resources").size() > 0, resources.toString());
        JsonNode missing = SmcpStandin.request("client:get_resources",
                with(request("r8"), "mcp_server", "nobody"), ACK).get(0);
        assertEquals(4014, missing.get("code").asInt());
        JsonNode elsewhere = SmcpStandin.request("client:get_tools",
                Map.of("agent", "agent-1", "req_id", "r9", "computer", "another"), ACK).get(0);
        assertEquals(404, elsewhere.get("code").asInt());

        JsonNode timedOut = SmcpStandin.request("client:tool_call", call("r10",
                "everything__trigger-long-running-operation", Map.of("duration", 60, "steps", 60), 1), ACK).get(0);
        assertEquals(4004, timedOut.get("meta").get("error_code").asInt(), timedOut.toString());

        CompletableFuture<JsonNode> cancelled = CompletableFuture.supplyAsync(() -> SmcpStandin.request(
                "client:tool_call", call("r11", "everything__trigger-long-running-operation",
                        Map.of("duration", 60, "steps", 60), 120), ACK).get(0));
        Conditions.await(() -> {
            SmcpStandin.notifyComputer("notify:tool_call_cancel", Map.of("agent", "agent-1", "req_id", "r11"));
            return cancelled.isDone();
        }, "the cancelled call is answered", Duration.ofSeconds(60));
        JsonNode answer = cancelled.get(1, TimeUnit.SECONDS);
        assertTrue(answer.get("meta").get("a2c_cancelled").asBoolean(), answer.toString());
    }

    @Test
    void changesReachTheOfficeAndAClosedSessionIsRejoined() {
        SmcpStandin.awaitLine(event("server:join_office"), "the Computer joins");
        Conditions.await(() -> tools().toString().contains("everything__echo"), "the hosted tools are listed",
                Duration.ofSeconds(90));
        long configs = SmcpStandin.count(event("server:update_config"));
        AgentCalls.asService().contentType(ContentType.JSON).body(List.of(
                Map.of("type", "promptString", "id", "greeting", "default", "changed")))
                .put("/computer/inputs").then().statusCode(200);
        Conditions.await(() -> SmcpStandin.count(event("server:update_config")) > configs,
                "server:update_config after a change", Duration.ofSeconds(30));
        JsonNode update = SmcpStandin.awaitLine(event("server:update_config"), "update");
        assertEquals(COMPUTER, update.get("payload").get("computer").asText());

        long joins = SmcpStandin.count(event("server:join_office"));
        SmcpStandin.kick();
        Conditions.await(() -> SmcpStandin.count(event("server:join_office")) > joins,
                "the Computer reconnects and rejoins", Duration.ofSeconds(30));
        Conditions.await(() -> {
            try {
                return SmcpStandin.request("client:tool_call", call("again", "everything__echo",
                        Map.of("message", "rejoined"), 30), ACK).get(0).toString().contains("rejoined");
            } catch (AssertionError notYet) {
                return false;
            }
        }, "calls work after the rejoin", Duration.ofSeconds(30));
    }

    private static JsonNode tools() {
        return SmcpStandin.request("client:get_tools", request("probe"), ACK).get(0);
    }

    private static Map<String, Object> request(String reqId) {
        return Map.of("agent", "agent-1", "req_id", reqId, "computer", COMPUTER);
    }

    private static Map<String, Object> with(Map<String, Object> request, String key, Object value) {
        Map<String, Object> out = new java.util.HashMap<>(request);
        out.put(key, value);
        return out;
    }

    private static Map<String, Object> call(String reqId, String tool, Map<String, ?> params, int timeout) {
        return Map.of("agent", "agent-1", "req_id", reqId, "computer", COMPUTER, "tool_name", tool,
                "params", params, "timeout", timeout);
    }
}

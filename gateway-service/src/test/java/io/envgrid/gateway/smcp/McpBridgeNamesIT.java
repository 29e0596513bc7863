package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.SocketIoDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The MCP bridge's tool names through the real path (raw Streamable HTTP on the first replica, Computers as
 * socket.io-client stand-ins on the second): Computers whose names or tools would once have collided, or that are
 * named like the gateway's tools, each have every tool listed under a name of its own, and a call of a name reaches
 * exactly the Computer and tool it was listed for, in the session's own office; a name of another office, or of a
 * Computer that left, reaches nothing ({@code -32602}).
 */
class McpBridgeNamesIT extends SmcpClients {

    private static final Pattern MCP_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,128}");

    /** A Computer {@code name} in {@code office} listing {@code tools}; every call answers "from {name}". */
    private String computer(String handle, String name, String office, List<String> tools) {
        String client = offices.connect(handle + "-" + run, gateways.second.url(), "0.5.0");
        assertEquals(0, offices.join(client, "computer", name, office).size(), "joined");
        ObjectNode listed = SocketIoDriver.object();
        ArrayNode array = listed.putArray("tools");
        tools.forEach(t -> array.addObject().put("name", t).put("description", "a test tool")
                .set("params_schema", SocketIoDriver.object().put("type", "object")));
        driver.serve(client, "client:get_tools", SocketIoDriver.array().add(listed), 0);
        ObjectNode result = SocketIoDriver.object().put("isError", false);
        result.putArray("content").addObject().put("type", "text").put("text", "from " + name);
        driver.serve(client, "client:tool_call", SocketIoDriver.array().add(result), 0);
        return client;
    }

    private static McpBridgeSession bound(String url, String office) {
        McpBridgeSession session = McpBridgeSession.open(url, SmcpGateways.TOKEN);
        JsonNode bound = session.call(SmcpGateways.TOKEN, "smcp_join_office", McpBridgeSession.args().put("office_id", office));
        assertFalse(bound.path("result").path("isError").asBoolean(), bound.toString());
        return session;
    }

    /** A Computer tool as listed: its Computer and the name the Computer exposes it under (from {@code _meta}). */
    private record Listed(String computer, String tool) {
    }

    /** The session's Computer tools, by the MCP name listed. */
    private static Map<String, Listed> computerTools(McpBridgeSession session) {
        Map<String, Listed> out = new HashMap<>();
        for (JsonNode tool : session.tools(SmcpGateways.TOKEN)) {
            JsonNode meta = tool.path("_meta");
            if (meta.has("a2c/computer")) {
                String name = tool.path("name").asText();
                assertTrue(MCP_NAME.matcher(name).matches(), name);
                Listed listed = new Listed(meta.path("a2c/computer").asText(), meta.path("a2c/exposed_name").asText());
                assertNull(out.put(name, listed), "listed twice: " + name);
                assertTrue(tool.path("title").asText().contains(listed.tool()), "the title keeps the original: " + tool);
            }
        }
        return out;
    }

    private static String nameOf(Map<String, Listed> tools, String computer, String tool) {
        return tools.entrySet().stream().filter(e -> e.getValue().equals(new Listed(computer, tool))).map(Map.Entry::getKey)
                .findFirst().orElse(null);
    }

    private static String text(JsonNode answer) {
        return answer.path("result").path("content").path(0).path("text").asText();
    }

    @Test
    void collidingOddAndGatewayLikeNamesEachReachTheirOwnComputerAndTool() {
        String office = Offices.office();
        String spaced = "pc 1-" + run;
        String slashed = "pc/1-" + run;
        String plain = "pc_1-" + run;
        Map<String, String> handles = Map.of(
                spaced, computer("spaced", spaced, office, List.of("a__x")),
                slashed, computer("slashed", slashed, office, List.of("a__x", "fs.read", "数据 工具")),
                plain, computer("plain", plain, office, List.of("a__x")),
                "desktop", computer("desktop", "desktop", office, List.of("screenshot", "computer", "smcp_join_office")));
        McpBridgeSession session = bound(gateways.first.url(), office);
        List<String> gatewayTools = new ArrayList<>();
        session.tools(SmcpGateways.TOKEN).forEach(t -> gatewayTools.add(t.path("name").asText()));

        Map<String, Listed> listed = computerTools(session);
        assertEquals(8, listed.size(), "every tool of every Computer is listed: " + listed);
        for (Map.Entry<String, Listed> entry : listed.entrySet()) {
            String name = entry.getKey();
            Listed pair = entry.getValue();
            JsonNode answer = session.call(SmcpGateways.TOKEN, name, McpBridgeSession.args());
            assertEquals("from " + pair.computer(), text(answer), name + ": " + answer);
            JsonNode sent = driver.waitEvent(handles.get(pair.computer()), "served:client:tool_call", Offices.ACK_MS).get(0);
            assertEquals(pair.tool(), sent.path("tool_name").asText(), "under the Computer's own name: " + sent);
            assertEquals(pair.computer(), sent.path("computer").asText(), sent.toString());
        }

        // the gateway's own tools stay the gateway's (listed at most once: system tools may be hidden), and never
        // reach the Computer named "desktop"
        for (String own : List.of("desktop.screenshot", "computer", "smcp_join_office")) {
            assertFalse(listed.containsKey(own), own);
            assertTrue(gatewayTools.stream().filter(own::equals).count() <= 1, own + " listed once: " + gatewayTools);
        }
        JsonNode gatewaysOwn = session.call(SmcpGateways.TOKEN, "desktop.screenshot", McpBridgeSession.args());
        assertNotEquals("from desktop", text(gatewaysOwn), gatewaysOwn.toString());
        assertFalse(offices.eventNames(handles.get("desktop")).contains("served:client:tool_call"),
                "the gateway's tool did not reach the Computer");
    }

    @Test
    void aNameOfAnotherOfficeOrOfAComputerThatLeftReachesNothing() {
        String mine = Offices.office();
        String theirs = Offices.office();
        String alpha = "alpha-" + run;
        String beta = "beta-" + run;
        String alphaClient = computer("alpha", alpha, mine, List.of("a__x"));
        String betaClient = computer("beta", beta, theirs, List.of("a__x"));
        McpBridgeSession session = bound(gateways.first.url(), mine);
        McpBridgeSession other = bound(gateways.first.url(), theirs);
        String betaName = nameOf(computerTools(other), beta, "a__x");
        String alphaName = nameOf(computerTools(session), alpha, "a__x");
        assertEquals("from " + beta, text(other.call(SmcpGateways.TOKEN, betaName, McpBridgeSession.args())), "a real name there");
        driver.waitEvent(betaClient, "served:client:tool_call", Offices.ACK_MS);

        JsonNode foreign = session.call(SmcpGateways.TOKEN, betaName, McpBridgeSession.args());
        assertEquals(-32602, foreign.path("error").path("code").asInt(), "another office's name is no tool here: " + foreign);
        assertFalse(offices.eventNames(betaClient).contains("served:client:tool_call"), "nothing reached the other office");

        // alpha leaves; another Computer with the same tool joins: alpha's name still names alpha's tool, and nothing
        driver.disconnect(alphaClient);
        String gammaClient = computer("gamma", "gamma-" + run, mine, List.of("a__x"));
        Conditions.await("alpha's tool leaves the listing", Duration.ofSeconds(20),
                () -> {
                    Map<String, Listed> now = computerTools(session);
                    return nameOf(now, alpha, "a__x") == null && nameOf(now, "gamma-" + run, "a__x") != null;
                });
        JsonNode gone = session.call(SmcpGateways.TOKEN, alphaName, McpBridgeSession.args());
        assertEquals(-32602, gone.path("error").path("code").asInt(), "a Computer that left: " + gone);
        assertFalse(offices.eventNames(gammaClient).contains("served:client:tool_call"), "not sent to the newcomer");
    }
}

package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.smcp.SmcpGateways.Tight;
import io.envgrid.gateway.support.SocketIoDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The MCP bridge under the SMCP server's hardening: an office is used only by tokens covering it, at
 * {@code smcp_join_office} and again at every call and listing ({@link SmcpGateways#NARROW_TOKEN}: the same principal
 * as {@link SmcpGateways#TOKEN}, covering other offices); bridged calls count against the session's and the office's
 * caps and the Computer's, each refusal an {@code isError} result with the {@code RATE_LIMITED} envelope (429); and a
 * bridged call's deadline is at most {@code max-call-timeout}. Computers are socket.io-client stand-ins.
 */
class McpBridgeAccessIT extends SmcpClients {

    /** A Computer in {@code office} on {@code url} listing one tool {@code <bundle>__t}; its calls answer per {@code reply}. */
    private String computer(String name, String url, String office, String bundle, ArrayNode reply) {
        String client = offices.connect(name + "-" + run, url, "0.5.0");
        offices.join(client, "computer", client, office);
        ObjectNode tools = SocketIoDriver.object();
        tools.putArray("tools").addObject().put("name", bundle + "__t").put("description", "a test tool")
                .put("bundle_id", bundle).set("params_schema", SocketIoDriver.object().put("type", "object"));
        driver.serve(client, "client:get_tools", SocketIoDriver.array().add(tools), 0);
        driver.serve(client, "client:tool_call", reply, 0);
        return client;
    }

    private static ArrayNode answering(String text) {
        ObjectNode result = SocketIoDriver.object().put("isError", false);
        result.putArray("content").addObject().put("type", "text").put("text", text);
        return SocketIoDriver.array().add(result);
    }

    private static ObjectNode join(String office) {
        return McpBridgeSession.args().put("office_id", office);
    }

    private static JsonNode error(JsonNode answer) {
        assertTrue(answer.path("result").path("isError").asBoolean(), answer.toString());
        return answer.path("result").path("structuredContent").path("error");
    }

    @Test
    void anOfficeTheTokenDoesNotCoverIsRefusedAtJoinAndAtEveryCall() {
        String office = Offices.office();
        String box = computer("box", gateways.second.url(), office, "acl", answering("served"));
        McpBridgeSession session = McpBridgeSession.open(gateways.first.url(), SmcpGateways.TOKEN);

        String foreign = "other-" + UUID.randomUUID();
        JsonNode refused = error(session.call(SmcpGateways.TOKEN, "smcp_join_office", join(foreign)));
        assertEquals("WORKER_NOT_ENTITLED", refused.path("code").asText(), refused.toString());
        assertEquals(foreign, refused.path("details").path("office_id").asText(), refused.toString());
        assertFalse(session.toolNames(SmcpGateways.TOKEN).contains("__t"), "nothing bound");
        assertEquals("INVALID_PARAMETERS", error(session.call(SmcpGateways.TOKEN, "smcp_join_office",
                join("office with spaces"))).path("code").asText(), "an office id follows the id rule");

        JsonNode bound = session.call(SmcpGateways.TOKEN, "smcp_join_office", join(office));
        assertFalse(bound.path("result").path("isError").asBoolean(), bound.toString());
        JsonNode served = session.call(SmcpGateways.TOKEN, box + ".acl__t", McpBridgeSession.args());
        assertEquals("served", served.path("result").path("content").path(0).path("text").asText(), served.toString());
        driver.waitEvent(box, "served:client:tool_call", Offices.ACK_MS);

        // the same principal with a token that no longer covers the office: its calls and listings reach nothing
        JsonNode lost = error(session.call(SmcpGateways.NARROW_TOKEN, box + ".acl__t", McpBridgeSession.args()));
        assertEquals("WORKER_NOT_ENTITLED", lost.path("code").asText(), lost.toString());
        assertFalse(session.toolNames(SmcpGateways.NARROW_TOKEN).contains("acl__t"), "the office's tools are not listed");
        assertTrue(session.toolNames(SmcpGateways.TOKEN).contains("acl__t"), "the covering token still sees them");
        assertFalse(offices.eventNames(box).contains("served:client:tool_call"), "the refused call never reached the Computer");
    }

    @Test
    void bridgedCallsAreCappedPerSessionComputerAndOfficeAndEndAtTheMaxCallTimeout() {
        String url = gateways.tight().url();
        String office = Offices.office();
        String busy = computer("busy", url, office, "busy", null); // never answers
        String idle = computer("idle", url, office, "idle", null);
        McpBridgeSession first = McpBridgeSession.open(url, SmcpGateways.TOKEN);
        McpBridgeSession second = McpBridgeSession.open(url, SmcpGateways.TOKEN);
        for (McpBridgeSession session : List.of(first, second)) {
            JsonNode bound = session.call(SmcpGateways.TOKEN, "smcp_join_office", join(office));
            assertEquals(2, bound.path("result").path("structuredContent").path("tools").size(), bound.toString());
        }

        List<CompletableFuture<JsonNode>> waiting = new ArrayList<>();
        for (int i = 0; i < Tight.CALLS_PER_SOCKET; i++) {
            waiting.add(first.callAsync(SmcpGateways.TOKEN, busy + ".busy__t", McpBridgeSession.args()));
            JsonNode sent = driver.waitEvent(busy, "served:client:tool_call", Offices.ACK_MS).get(0);
            assertEquals(Tight.MAX_CALL_TIMEOUT_MS / 1000, sent.path("timeout").asLong(),
                    "the deadline is max-call-timeout, below the gateway's action timeout: " + sent);
        }
        assertRateLimited(first.call(SmcpGateways.TOKEN, idle + ".idle__t", McpBridgeSession.args()), "session", Tight.CALLS_PER_SOCKET);
        assertRateLimited(second.call(SmcpGateways.TOKEN, busy + ".busy__t", McpBridgeSession.args()), "computer", Tight.CALLS_PER_SOCKET);
        waiting.add(second.callAsync(SmcpGateways.TOKEN, idle + ".idle__t", McpBridgeSession.args()));
        driver.waitEvent(idle, "served:client:tool_call", Offices.ACK_MS);
        assertRateLimited(second.call(SmcpGateways.TOKEN, idle + ".idle__t", McpBridgeSession.args()), "office", Tight.CALLS_PER_OFFICE);

        for (CompletableFuture<JsonNode> call : waiting) {
            assertEquals("BACKEND_TIMEOUT", error(call.join()).path("code").asText(), "ended at max-call-timeout");
        }
        driver.serve(idle, "client:tool_call", answering("freed"), 0);
        JsonNode after = first.call(SmcpGateways.TOKEN, idle + ".idle__t", McpBridgeSession.args());
        assertEquals("freed", after.path("result").path("content").path(0).path("text").asText(),
                "the ended calls freed their slots: " + after);
    }

    private static void assertRateLimited(JsonNode answer, String scope, int limit) {
        JsonNode error = error(answer);
        assertEquals("RATE_LIMITED", error.path("code").asText(), answer.toString());
        assertEquals(scope, error.path("details").path("scope").asText(), answer.toString());
        assertEquals(limit, error.path("details").path("limit").asInt(), answer.toString());
    }
}

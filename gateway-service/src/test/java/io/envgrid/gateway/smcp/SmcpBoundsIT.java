package io.envgrid.gateway.smcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.smcp.SmcpGateways.Tight;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.SocketIoDriver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every per-connection bound of the A2C-SMCP server, reached with raw HTTP, raw WebSocket frames and the npm client
 * against the replica with {@link Tight tight bounds}: pending unauthenticated sessions (per address, in all, the
 * connect timeout), payload size (413 closes the session; a WebSocket message too), binary and malformed packets
 * (parse error), the send buffer of a client that stops reading, queued events, field lengths, tool-call timeouts
 * and pending calls per socket, office and Computer. The sessions-cap test runs first, while no other test of the
 * class has left a session waiting.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SmcpBoundsIT extends SmcpClients {

    private String url;
    private RawEngine raw;

    @BeforeEach
    void tight() {
        url = gateways.tight().url();
        raw = new RawEngine(url);
    }

    private String tightClient(String name, String version) {
        return offices.connect(name + "-" + run, url, version);
    }

    private static String office() {
        return Offices.office();
    }

    /** True when the session is gone: its next poll is refused as an unknown session. */
    private boolean gone(String sid) {
        RawEngine.Answer poll = raw.poll(sid);
        return poll.status() == 400 && poll.body().contains("\"code\":1");
    }

    @Test
    @Order(1)
    void sessionsWaitingToConnectAreCappedPerAddressAndInAllAndTimeOut() {
        List<String> sids = new ArrayList<>();
        RawEngine first = new RawEngine(url, "127.0.0.1", "0.5.0");
        for (int i = 0; i < Tight.MAX_PENDING_PER_ADDRESS; i++) {
            sids.add(RawEngine.sid(first.handshake()));
        }
        RawEngine.Answer refused = first.handshake();
        assertEquals(429, refused.status(), refused.toString());
        assertEquals("{\"code\":4,\"message\":\"Too many sessions waiting to connect from this address\"}", refused.body());

        RawEngine second = new RawEngine(url, "127.0.0.2", "0.5.0");
        for (int i = Tight.MAX_PENDING_PER_ADDRESS; i < Tight.MAX_PENDING_SESSIONS; i++) {
            sids.add(RawEngine.sid(second.handshake()));
        }
        RawEngine.Answer full = new RawEngine(url, "127.0.0.3", "0.5.0").handshake();
        assertEquals(429, full.status(), full.toString());
        assertEquals("{\"code\":4,\"message\":\"Too many sessions waiting to connect\"}", full.body());
        // a WebSocket-only handshake is counted the same way, before any upgrade
        assertEquals(429, new RawEngine(url, "127.0.0.3", "0.5.0").websocketHandshake().status());

        // none of them connects to /smcp: each is closed at the connect timeout, and the slots are free again
        Conditions.await("the waiting sessions are closed", Duration.ofMillis(Tight.CONNECT_TIMEOUT_MS * 5),
                () -> sids.stream().allMatch(this::gone));
        String connected = first.connect(SmcpGateways.TOKEN);
        assertFalse(gone(connected), "an authenticated session does not time out");
        for (int i = 0; i < Tight.MAX_PENDING_PER_ADDRESS; i++) {
            String sid = RawEngine.sid(first.handshake());
            first.post(sid, "1"); // closed by the client: no longer waiting either
        }
        first.post(connected, "1");
    }

    /**
     * A session whose client left {@code /smcp} (namespace DISCONNECT) and stays on Engine.IO is closed like one that
     * never connected (hostile review 22): it counts neither as waiting nor as its principal's connection, so without
     * that a token holder keeps any number of sessions open by connecting and leaving, past both caps.
     */
    @Test
    void aSessionLeftWithNoNamespaceIsClosedLikeOneThatNeverConnected() {
        String sid = raw.connect(SmcpGateways.TOKEN);
        raw.post(sid, "41/smcp,");
        Conditions.await("the session without a namespace closed", Duration.ofMillis(Tight.CONNECT_TIMEOUT_MS * 5),
                () -> gone(sid));
    }

    @Test
    void aPollingBodyOverMaxPayloadIs413AndClosesTheSession() {
        String sid = raw.connect(SmcpGateways.TOKEN);
        RawEngine.Answer answer = raw.post(sid, "4" + "x".repeat(Tight.MAX_PAYLOAD));
        assertEquals(413, answer.status(), answer.toString());
        assertTrue(gone(sid), "the session is closed");

        String fits = raw.connect(SmcpGateways.TOKEN);
        assertEquals(200, raw.post(fits, "3").status(), "a body within the bound is served");
        raw.post(fits, "1");
    }

    @Test
    void aWebSocketMessageOverMaxPayloadClosesTheConnection() {
        try (RawWebSocket ws = RawWebSocket.connected(url, SmcpGateways.TOKEN)) {
            ws.text("4" + "x".repeat(Tight.MAX_PAYLOAD + 1));
            assertTrue(ws.closedWithin(10_000));
        }
    }

    @Test
    void binaryAndMalformedPacketsCloseTheConnectionWithAParseError() {
        // Engine.IO binary over polling (base64, "b" prefix), a Socket.IO BINARY_EVENT and BINARY_ACK, an unknown type
        for (String payload : new String[] {"bAQID", "451-/smcp,[\"client:tool_call\",{\"_placeholder\":true,\"num\":0}]",
            "461-/smcp,0[{\"_placeholder\":true,\"num\":0}]", "9", "42/smcp,[\"unclosed\""}) {
            String sid = raw.connect(SmcpGateways.TOKEN);
            assertEquals(200, raw.post(sid, payload).status(), payload);
            assertTrue(gone(sid), "closed after " + payload);
        }
        try (RawWebSocket ws = RawWebSocket.connected(url, SmcpGateways.TOKEN)) {
            ws.binary(new byte[] {1, 2, 3});
            assertTrue(ws.closedWithin(10_000), "a binary WebSocket frame closes the connection");
        }
        try (RawWebSocket ws = RawWebSocket.connected(url, SmcpGateways.TOKEN)) {
            ws.text("451-/smcp,[\"client:tool_call\",{\"_placeholder\":true,\"num\":0}]");
            assertTrue(ws.closedWithin(10_000), "a Socket.IO BINARY_EVENT closes the connection");
        }
    }

    @Test
    void aClientThatStopsPollingIsClosedWhenItsSendBufferIsFull() {
        String office = office();
        String sid = raw.connect(SmcpGateways.TOKEN);
        String name = "raw-box-" + run;
        raw.post(sid, "42/smcp,0[\"server:join_office\",{\"role\":\"computer\",\"name\":\"" + name + "\",\"office_id\":\"" + office + "\"}]");
        assertTrue(raw.poll(sid).body().contains("43/smcp,0[]"), "joined");

        String agent = tightClient("agent", "0.5.0");
        offices.join(agent, "agent", agent, office);
        // the raw Computer never polls again: each call waits in its buffer until the buffer is full
        String big = "y".repeat(Tight.MAX_SEND_BUFFER / 3 + 1000);
        List<CompletableFuture<JsonNode>> calls = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            ObjectNode call = Offices.call(agent, name).put("tool_name", "box__t").put("timeout", 60);
            call.putObject("params").put("blob", big);
            calls.add(driver.emitAsync(agent, "client:tool_call", 10_000, call));
        }
        ArrayNode notFound = Offices.error(404, "Computer with name '" + name + "' not found",
                SocketIoDriver.object().put("computer_name", name));
        for (CompletableFuture<JsonNode> call : calls) {
            assertEquals(notFound, Offices.acked(call.join()), "the Computer's connection closed while the call waited");
        }
        assertEquals(SocketIoDriver.array().add(SocketIoDriver.object().put("office_id", office).put("computer", name)),
                driver.waitEvent(agent, "notify:leave_office", Offices.ACK_MS));
        assertTrue(gone(sid));
    }

    @Test
    void aClientSendingFasterThanItsEventsAreHandledIsDisconnected() {
        String sid = raw.connect(SmcpGateways.TOKEN);
        StringBuilder flood = new StringBuilder();
        for (int i = 0; i < Tight.MAX_QUEUED_EVENTS * 5; i++) {
            if (i > 0) {
                flood.append(RawEngine.SEPARATOR);
            }
            flood.append("42/smcp,[\"server:join_office\",{\"role\":\"computer\",\"name\":\"flood-").append(run)
                    .append("\",\"office_id\":\"").append(office()).append("\"}]");
        }
        assertEquals(200, raw.post(sid, flood.toString()).status());
        Conditions.await("the flooding session is closed", Duration.ofSeconds(10), () -> gone(sid));
    }

    @Test
    void namesAndOfficeIdsAreBounded() {
        String v5 = tightClient("fields5", "0.5.0");
        String v4 = tightClient("fields4", "0.4.0");
        ArrayNode invalid = Offices.error(400, "Invalid request payload", null);
        String longName = "n".repeat(Tight.MAX_NAME_LENGTH + 1);
        String longOffice = "office-" + "o".repeat(200);
        for (String[] join : new String[][] {{longName, office()}, {"ok", longOffice}, {"ok", "office with spaces"}}) {
            assertEquals(invalid, offices.join(v5, "agent", join[0], join[1]));
            assertEquals(Offices.refused04("Invalid request payload"), offices.join(v4, "agent", join[0], join[1]));
        }
        assertEquals(SocketIoDriver.array(), offices.join(v5, "agent", "n".repeat(Tight.MAX_NAME_LENGTH), office()),
                "a name at the bound is fine");
    }

    @Test
    void aToolCallTimeoutIsClampedAndCheckedAndPendingCallsAreCapped() {
        String office = office();
        String agent = tightClient("agent", "0.5.0");
        String computer = tightClient("computer", "0.5.0");
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", computer, office);
        driver.serve(computer, "client:tool_call", null, 0);
        driver.serve(computer, "client:get_tools", SocketIoDriver.array().add(Offices.noTools()), 0);

        ArrayNode invalid = Offices.error(400, "Invalid request payload", null);
        for (JsonNode timeout : new JsonNode[] {SocketIoDriver.object().numberNode(-1), SocketIoDriver.object().numberNode(0),
            SocketIoDriver.object().textNode("10"), SocketIoDriver.object().booleanNode(true), SocketIoDriver.object()}) {
            ObjectNode call = Offices.call(agent, computer).put("tool_name", "box__t");
            call.set("timeout", timeout);
            assertEquals(invalid, Offices.acked(driver.emit(agent, "client:tool_call", Offices.ACK_MS, call)), timeout.toString());
        }

        // 1e300 seconds: the Computer is told the clamped timeout, and the calls end at it
        for (int i = 0; i < Tight.CALLS_PER_SOCKET; i++) {
            ObjectNode call = Offices.call(agent, computer).put("tool_name", "box__t").put("timeout", 1e300);
            driver.send(agent, "client:tool_call", call);
            assertEquals(Tight.MAX_CALL_TIMEOUT_MS / 1000, driver.waitEvent(computer, "served:client:tool_call",
                    Offices.ACK_MS).get(0).path("timeout").asLong());
        }
        ArrayNode tooMany = Offices.error(429, "Too many calls in flight", SocketIoDriver.object()
                .put("limit", Tight.CALLS_PER_SOCKET).put("scope", "socket"));
        assertEquals(tooMany, Offices.acked(driver.emit(agent, "client:get_tools", Offices.ACK_MS, Offices.call(agent, computer))));
        Conditions.await("the clamped calls ended", Duration.ofMillis(Tight.MAX_CALL_TIMEOUT_MS * 5),
                () -> Offices.acked(driver.emit(agent, "client:get_tools", Offices.ACK_MS, Offices.call(agent, computer)))
                        .get(0).has("tools"));
    }

    @Test
    void pendingCallsAreCappedPerOfficeAndPerComputer() {
        String office = office();
        String first = tightClient("agent1", "0.5.0");
        String second = tightClient("agent2", "0.5.0");
        String busy = tightClient("busy", "0.5.0");
        String idle = tightClient("idle", "0.5.0");
        offices.join(first, "agent", first, office);
        offices.join(busy, "computer", busy, office);
        offices.join(idle, "computer", idle, office);
        driver.serve(busy, "client:get_tools", null, 0);
        driver.serve(idle, "client:get_tools", null, 0);
        // get_tools waits the relay timeout (60 s): these calls stay pending for the whole test
        for (int i = 0; i < Tight.CALLS_PER_SOCKET; i++) {
            driver.send(first, "client:get_tools", Offices.call(first, busy));
            driver.waitEvent(busy, "served:client:get_tools", Offices.ACK_MS);
        }
        offices.leave(first, office);
        offices.join(second, "agent", second, office);
        assertEquals(Offices.error(429, "Too many calls in flight", SocketIoDriver.object()
                .put("limit", Tight.CALLS_PER_SOCKET).put("scope", "computer")),
                Offices.acked(driver.emit(second, "client:get_tools", Offices.ACK_MS, Offices.call(second, busy))),
                "the busy Computer owes as many answers as it may");
        driver.send(second, "client:get_tools", Offices.call(second, idle));
        driver.waitEvent(idle, "served:client:get_tools", Offices.ACK_MS);
        assertEquals(Offices.error(429, "Too many calls in flight", SocketIoDriver.object()
                .put("limit", Tight.CALLS_PER_OFFICE).put("scope", "office")),
                Offices.acked(driver.emit(second, "client:get_tools", Offices.ACK_MS, Offices.call(second, idle))));
    }

    @Test
    void aLargeMessageWithinMaxPayloadTravelsOverWebSocketBothWays() {
        // on the default replica (1 MB payloads): larger than Vert.x's default WebSocket frame (64 KiB) and message (256 KiB)
        String office = office();
        String agent = client("agent", "0.5.0");
        String computer = client("computer", "0.5.0");
        driver.ok(SocketIoDriver.command("waitUpgrade").put("client", agent).put("timeoutMs", 5000));
        driver.ok(SocketIoDriver.command("waitUpgrade").put("client", computer).put("timeoutMs", 5000));
        offices.join(agent, "agent", agent, office);
        offices.join(computer, "computer", computer, office);
        String big = "z".repeat(400_000);
        ObjectNode result = SocketIoDriver.object().put("isError", false);
        result.putArray("content").addObject().put("type", "text").put("text", big);
        driver.serve(computer, "client:tool_call", SocketIoDriver.array().add(result), 0);
        ObjectNode call = Offices.call(agent, computer).put("tool_name", "box__echo").put("timeout", 20);
        call.putObject("params").put("text", big);
        assertEquals(SocketIoDriver.array().add(result), Offices.acked(driver.emit(agent, "client:tool_call", 30_000, call)));
        assertEquals(big, driver.waitEvent(computer, "served:client:tool_call", Offices.ACK_MS).get(0)
                .path("params").path("text").asText());
    }
}

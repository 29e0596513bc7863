package io.envgrid.gateway.mcp.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.session.McpSession;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Messages of one session raised at the same moment (a grant's {@code notifications/resources/updated} and its
 * {@code allocation.granted} log message) reach the stream in the order of their event ids: the script recording
 * one also relays it. A message that still arrives after a later one (recorded and delivered apart) is written
 * too; only a copy of a message the client already has (replayed after its {@code Last-Event-ID}) is left out.
 * Recorded and relayed in two round trips, the later arrival was dropped: {@code GatewayReplicasIT} lost the
 * lease update this way.
 */
@QuarkusTest
@WithCluster
class LiveEventOrderTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String LEASES = "envgrid://worker/leases";

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    McpSessions sessions;

    @Inject
    SseRelay relay;

    @Inject
    Replica replica;

    private static ObjectNode updated(String uri) {
        return JsonRpc.notification("notifications/resources/updated", JsonNodeFactory.instance.objectNode().put("uri", uri));
    }

    private static ObjectNode logged(String event) {
        ObjectNode params = JsonNodeFactory.instance.objectNode().put("level", "info").put("logger", "envgrid.gateway");
        params.putObject("data").put("event", event);
        return JsonRpc.notification("notifications/message", params);
    }

    /** Records the message for the session as the notifier does, answering its event id. */
    private String record(String session, ObjectNode message) {
        return sessions.appendEvent(session, message.toString()).await().atMost(WAIT);
    }

    /**
     * The same race through the tools: every grant also logs {@code allocation.granted}, raised right after the
     * lease update; each grant and release must update the subscribed session, none may be lost on the way.
     */
    @Test
    void everyLeaseChangeOfManyReachesTheSubscribedSession() {
        String worker = "order-" + UUID.randomUUID();
        int rounds = 12;
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            client.openStream(mcp.toString());
            client.request("logging/setLevel", "{\"level\":\"info\"}");
            client.request("resources/subscribe", "{\"uri\":\"" + LEASES + "\"}");
            for (int i = 0; i < rounds; i++) {
                JsonNode granted = client.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{"
                        + "\"worker_id\":\"" + worker + "\",\"resource_type\":\"vm_pyautogui\",\"wait_ms\":1000}}");
                assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
                client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
            }
            Conditions.await(2L * rounds + " lease updates", WAIT, () -> updates(client) >= 2L * rounds);
            assertEquals(2L * rounds, updates(client), "lease updates for " + rounds + " grants and " + rounds + " releases");
            // recorded and relayed in one Redis step, they arrive in the order of their event ids
            List<String> ids = client.eventIds();
            assertEquals(ids.stream().sorted(EventIds::compare).toList(), ids, "in the order recorded");
        }
    }

    private static long updates(McpStream client) {
        return client.received().stream().filter(McpStream.message("notifications/resources/updated", LEASES)).count();
    }

    /** The ordering that lost the lease update: recorded first, relayed second. */
    @Test
    void aMessageRecordedFirstButArrivingSecondIsStillWritten() {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            client.openStream(mcp.toString());
            McpSession session = new McpSession(client.sessionId(), McpSession.STREAMABLE, "2025-11-25", null, replica.id());
            ObjectNode update = updated(LEASES);
            ObjectNode granted = logged("allocation.granted");
            String first = record(session.id(), update);
            String second = record(session.id(), granted);

            relay.deliver(session, granted, second).await().atMost(WAIT);
            relay.deliver(session, update, first).await().atMost(WAIT);

            client.await("the log message", WAIT, McpStream.message("notifications/message", "allocation.granted"));
            client.await("the lease update recorded before it", WAIT, McpStream.message("notifications/resources/updated", LEASES));
            assertEquals(List.of(second, first), client.eventIds());
        }
    }

    /**
     * A resumed stream gets the recorded messages after its {@code Last-Event-ID} once; live copies of them, and
     * of messages up to that id, are not written again, while a live message after them is, whatever its order.
     */
    @Test
    void aResumedStreamWritesEachMessageOnce() {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            client.openStream(mcp.toString());
            McpSession session = new McpSession(client.sessionId(), McpSession.STREAMABLE, "2025-11-25", null, replica.id());
            ObjectNode seen = logged("seen-" + UUID.randomUUID());
            String seenId = record(session.id(), seen);
            relay.deliver(session, seen, seenId).await().atMost(WAIT);
            client.await("the first message", WAIT, McpStream.message("notifications/message", seen.path("params")
                    .path("data").path("event").asText()));
            client.closeStream();

            ObjectNode missed = updated(LEASES);
            String missedId = record(session.id(), missed);
            int before = client.received().size();
            client.openStream(mcp.toString(), seenId);
            ObjectNode later = logged("later-" + UUID.randomUUID());
            String laterId = record(session.id(), later);
            // a later message relayed first, then late copies of the missed one and of one the client had
            relay.deliver(session, later, laterId).await().atMost(WAIT);
            relay.deliver(session, missed, missedId).await().atMost(WAIT);
            relay.deliver(session, seen, seenId).await().atMost(WAIT);
            // the stream writes in the order it is handed messages: once this one is in, any copy would be too
            ObjectNode last = logged("last-" + UUID.randomUUID());
            String lastId = record(session.id(), last);
            relay.deliver(session, last, lastId).await().atMost(WAIT);

            client.await("the last message", WAIT, McpStream.message("notifications/message", last.path("params")
                    .path("data").path("event").asText()));
            List<String> resumed = new ArrayList<>(client.eventIds().subList(before, client.eventIds().size()));
            assertFalse(resumed.contains(seenId), "the client had it already: " + resumed);
            assertEquals(List.of(missedId, laterId, lastId), resumed.stream().sorted(EventIds::compare).toList(),
                    "each once: " + resumed);
        }
    }
}

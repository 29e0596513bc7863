package io.envgrid.gateway.mcp.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.mcp.session.StreamOwnership;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.RawSocket;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URL;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A second {@code GET /mcp} of a session takes its standalone stream over, and the end of the stream it replaced
 * must not clear the new stream's claim: the claim is given back only by the stream that holds it
 * ({@link StreamOwnership}, compare-and-delete on the stream's id). Two replicas: {@code GatewayReplicasIT}.
 */
@QuarkusTest
@WithCluster
class StreamTakeoverTest {

    private static final Duration WAIT = Duration.ofSeconds(15);

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    RedisDataSource redis;

    @Inject
    StreamOwnership ownership;

    /** The session's key comes from the gateway's own names (its prefix is configurable, {@code {envgrid-gw}:} now). */
    @Inject
    GatewayKeys keys;

    /** The interleaving that lost messages: stream a claims, b takes over (same replica or not), a's end is noticed. */
    @Test
    void onlyTheStreamHoldingTheClaimGivesItBack() {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            String session = client.sessionId();
            assertTrue(ownership.claim(session, "replica-1", "stream-a").await().atMost(WAIT));
            assertTrue(ownership.claim(session, "replica-1", "stream-b").await().atMost(WAIT));
            assertFalse(ownership.release(session, "stream-a").await().atMost(WAIT), "a no longer holds the claim");
            assertEquals("replica-1", field(session, "owner"), "b's claim survives a's end on the same replica");
            assertTrue(ownership.claim(session, "replica-2", "stream-c").await().atMost(WAIT));
            assertFalse(ownership.release(session, "stream-b").await().atMost(WAIT));
            assertEquals("replica-2", field(session, "owner"), "c's claim survives b's end on another replica");
            assertTrue(ownership.release(session, "stream-c").await().atMost(WAIT));
            assertEquals("", field(session, "owner"), "the holder's own end gives the claim back");
        }
    }

    @Test
    void aClaimNeverRecreatesAnEndedSession() {
        McpStream client = McpStream.initialize(mcp.toString());
        client.close();
        String key = keys.mcpSession(client.sessionId());
        assertFalse(ownership.claim(client.sessionId(), "replica-1", "stream-a").await().atMost(WAIT));
        assertFalse(ownership.release(client.sessionId(), "stream-a").await().atMost(WAIT));
        assertEquals(0, redis.key().exists(key) ? 1 : 0, "no key left behind");
    }

    /** End to end on one replica: the replaced stream is ended, and server messages reach its successor. */
    @Test
    void serverMessagesReachTheStreamThatTookOver() {
        String worker = "takeover-" + UUID.randomUUID();
        try (McpStream first = McpStream.initialize(mcp.toString())) {
            first.openStream(mcp.toString());
            McpStream second = first.sameSession().openStream(mcp.toString());
            Conditions.await("the replaced stream is ended", WAIT, first::streamEnded);
            JsonNode granted = first.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{\"worker_id\":\""
                    + worker + "\",\"resource_type\":\"vm_pyautogui\"}}");
            assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
            second.await("list changed on the stream that took over", WAIT,
                    McpStream.message("notifications/resources/list_changed", null));
            assertTrue(first.received().isEmpty(), "nothing on the replaced stream: " + first.received());
            first.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        }
    }

    /**
     * A client that sends {@code GET /mcp} and closes at once is gone before the claim's Redis round trip lands; its
     * close was once noticed before the stream's close handler existed, so the claim (owner, stream id) stayed and the
     * session's messages went to a dead response. The claim must be given back as soon as it lands.
     */
    @Test
    void aClientGoneBeforeItsClaimLandsLeavesNoClaim() throws Exception {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            String session = client.sessionId();
            String get = "GET /mcp HTTP/1.1\r\nHost: " + mcp.getHost() + ":" + mcp.getPort() + "\r\nAccept: text/event-stream\r\n"
                    + "Mcp-Session-Id: " + session + "\r\nMCP-Protocol-Version: 2025-11-25\r\n\r\n";
            // the same request, read until the stream opens: it is one the gateway accepts and claims for
            try (Socket socket = RawSocket.send(mcp, get)) {
                String answer = RawSocket.read(socket, ": stream open", WAIT);
                assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
            }
            Conditions.await("the read stream's close gives its claim back", WAIT, () -> "".equals(field(session, "stream")));
            // a marker claim the GET's claim replaces: once it is gone, that claim has landed
            assertTrue(ownership.claim(session, "replica-marker", "stream-marker").await().atMost(WAIT));
            RawSocket.send(mcp, get).close();
            Conditions.await("the GET's claim lands", WAIT, () -> !"stream-marker".equals(field(session, "stream")));
            Conditions.await("the gone client's claim is given back", WAIT,
                    () -> "".equals(field(session, "owner")) && "".equals(field(session, "stream")));
        }
    }

    /**
     * A stream taken over on another replica gets no more messages on this one (the session's owner is elsewhere), so
     * its keep-alive, finding another stream id in the session, ends it; the successor's claim stays.
     */
    @Test
    void aStreamWhoseClaimWasTakenElsewhereIsEnded() {
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            String session = client.sessionId();
            client.openStream(mcp.toString());
            assertTrue(ownership.claim(session, "replica-elsewhere", "stream-elsewhere").await().atMost(WAIT));
            // the keep-alive runs every 15 s here (the default)
            Conditions.await("the stream that lost its claim is ended", Duration.ofSeconds(40), client::streamEnded);
            assertEquals("stream-elsewhere", field(session, "stream"), "the successor's claim stays");
            assertEquals("replica-elsewhere", field(session, "owner"));
        }
    }

    private String field(String session, String name) {
        return redis.hash(String.class).hget(keys.mcpSession(session), name);
    }
}

package io.envgrid.gateway.mcp.notify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.mcp.session.McpSessions;
import io.envgrid.gateway.mcp.transport.SseRelay;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.OwnPubSub;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.transactions.TransactionResult;
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
 * A replica whose Redis pub/sub connection ended subscribes again ({@code redis/KeptSubscription}). Was: the client's
 * subscription <em>completes</em> when its connection ends, only a failure was retried, and the relay of session
 * messages to the streams this replica holds stopped for good, unlogged: a subscribed session's lease update was
 * recorded in its event stream and published to a channel nobody listened to (the standalone stream never got it).
 * A message published while the subscription is lost is caught up with once it is in place again.
 */
@QuarkusTest
@WithCluster
class RelayResubscribeTest {

    private static final String TYPE = "vm_resubscribe";
    private static final String LEASES = "envgrid://worker/leases";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Inject
    Replica replica;

    @Inject
    McpSessions sessions;

    @Inject
    SseRelay relay;

    @Inject
    WorkerResources resources;

    /**
     * Records a session's message as the gateway's recording script does (the entry, then its relay to the stream's
     * replica); answers {@code [event id, subscribers the relay reached]}. Run in the MULTI that kills the relay's
     * connection, it is published while no subscription is in place, whatever the gateway does meanwhile.
     */
    private static final String RECORD_IN_GAP = "local id = redis.call('XADD', KEYS[1], '*', 'm', ARGV[1]) "
            + "redis.call('PEXPIRE', KEYS[1], 600000) "
            + "return {id, redis.call('PUBLISH', ARGV[2], ARGV[3] .. '\\n' .. id .. '\\n' .. ARGV[1])}";

    @Test
    void aSessionGetsItsUpdateAfterTheRelaysConnectionWasKilled() {
        TestCluster.get().register("resubscribe-" + UUID.randomUUID(), TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "resubscribe-" + UUID.randomUUID();
        String channel = keys.replicaChannel(replica.id());
        try (McpStream client = McpStream.initialize(mcp.toString()).openStream(mcp.toString())) {
            client.request("resources/subscribe", "{\"uri\":\"" + LEASES + "\"}");

            assertTrue(killOwnPubSubConnections() > 0, "this gateway holds pub/sub connections");
            Conditions.await("the relay subscribed again", WAIT, () -> subscribers(channel) > 0);

            JsonNode granted = client.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{"
                    + "\"worker_id\":\"" + worker + "\",\"resource_type\":\"" + TYPE + "\",\"timeout\":60}}");
            assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
            client.await("the grant's update", WAIT, McpStream.message("notifications/resources/updated", LEASES));
            client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        }
    }

    /**
     * Was: a message recorded for a session while the relay's subscription was lost (published to nobody) never
     * reached the session's open stream, nor would it unless the client reconnected with {@code Last-Event-ID}. Now
     * the stream catches up once the subscription is in place again: the message arrives once, between the one
     * written before the loss and the one recorded after, in the order of their ids.
     */
    @Test
    void aMessageRecordedWhileTheRelayWasUnsubscribedReachesTheOpenStreamOnce() {
        String channel = keys.replicaChannel(replica.id());
        try (McpStream client = McpStream.initialize(mcp.toString()).openStream(mcp.toString())) {
            String session = client.sessionId();
            String before = "before-" + UUID.randomUUID();
            record(session, before);
            client.await("the message recorded before the loss", WAIT, McpStream.message("notifications/message", before));

            // the kill and the recording in one MULTI: Redis runs them back to back, so the message is published
            // after the relay's subscription ended and before any new one can be in place
            List<String> ids = ownPubSubClientIds();
            assertFalse(ids.isEmpty(), "this gateway holds pub/sub connections");
            String gap = "gap-" + UUID.randomUUID();
            TransactionResult killedAndRecorded = redis.withTransaction(tx -> {
                ids.forEach(id -> tx.execute("CLIENT", "KILL", "ID", id));
                tx.execute("EVAL", RECORD_IN_GAP, "1", keys.mcpSessionEvents(session), message(gap), channel, session);
            });
            assertFalse(killedAndRecorded.discarded() || killedAndRecorded.hasErrors(), killedAndRecorded.toString());
            io.vertx.mutiny.redis.client.Response recorded = killedAndRecorded.get(ids.size());
            assertEquals(0, recorded.get(1).toLong(), "the gap's message reached no subscriber");
            Conditions.await("the relay subscribed again", WAIT, () -> subscribers(channel) > 0);

            client.await("the message recorded while the relay was unsubscribed", WAIT,
                    McpStream.message("notifications/message", gap));
            String after = "after-" + UUID.randomUUID();
            record(session, after);
            client.await("the message recorded after", WAIT, McpStream.message("notifications/message", after));

            List<String> order = new ArrayList<>();
            for (JsonNode m : client.received()) {
                String event = m.path("params").path("data").path("event").asText();
                if (event.equals(before) || event.equals(gap) || event.equals(after)) {
                    order.add(event);
                }
            }
            assertEquals(List.of(before, gap, after), order, "each once, in the order recorded");
        }
    }

    /**
     * Was: a lease that ended while the expiries' subscription was lost stayed in the worker's record (the keep-alive
     * renews only leases still held and never clears one). Here the lease ends without a message the gateway could
     * hear (a plain release at the allocator publishes none), which leaves the record as a missed expiry does; once
     * the subscription is in place again, the live worker's record is checked against the allocator's leases.
     */
    @Test
    void aLeaseThatEndedUnheardLeavesTheRecordOnceTheExpiriesAreSubscribedAgain() {
        String type = "vm_catchup";
        String resource = "catchup-" + UUID.randomUUID();
        TestCluster.get().register(resource, type, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "catchup-" + UUID.randomUUID();
        try (McpStream client = McpStream.initialize(mcp.toString())) {
            JsonNode granted = client.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{"
                    + "\"worker_id\":\"" + worker + "\",\"resource_type\":\"" + type + "\",\"timeout\":60}}");
            assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
            assertFalse(recorded(worker).isEmpty(), "the grant is recorded");

            var released = TestCluster.get().allocatorCall("POST", "/release/batch",
                    "{\"worker_id\":\"" + worker + "\",\"resource_ids\":[\"" + resource + "\"]}");
            assertTrue(released.statusCode() < 300, released.body());
            assertEquals(0, TestCluster.get().leasesOf(worker).size(), "the allocator ended the lease");
            assertFalse(recorded(worker).isEmpty(), "the gateway heard nothing of it");

            assertTrue(killOwnPubSubConnections() > 0, "this gateway holds pub/sub connections");
            Conditions.await("the ended lease left the worker's record", WAIT, () -> recorded(worker).isEmpty());
        }
    }

    private java.util.Map<String, JsonNode> recorded(String worker) {
        return resources.all(worker).await().atMost(WAIT);
    }

    /** Records a log message for the session and relays it, as the gateway's notifications are. */
    private void record(String session, String event) {
        sessions.appendEvent(session, message(event), relay.channelPrefix()).await().atMost(WAIT);
    }

    private static String message(String event) {
        return "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"level\":\"info\","
                + "\"logger\":\"envgrid\",\"data\":{\"event\":\"" + event + "\"}}}";
    }

    private long subscribers(String channel) {
        return OwnPubSub.subscribers(redis, channel);
    }

    private int killOwnPubSubConnections() {
        return OwnPubSub.kill(redis);
    }

    private List<String> ownPubSubClientIds() {
        return OwnPubSub.clientIds(redis);
    }
}

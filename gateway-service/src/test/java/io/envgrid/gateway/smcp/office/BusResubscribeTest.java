package io.envgrid.gateway.smcp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.smcp.SmcpKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.OwnPubSub;
import io.envgrid.gateway.support.SocketIoDriver;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.redis.datasource.transactions.TransactionResult;
import io.quarkus.redis.datasource.transactions.TransactionalRedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.mutiny.redis.client.Response;
import jakarta.inject.Inject;
import java.net.URL;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The SMCP replica bus ({@link ReplicaBus}) whose Redis pub/sub connection ended subscribes again; what was broadcast
 * to this replica's members meanwhile was published to nobody. Was: the members' view of the office stayed wrong (a
 * Computer that left was still in it, an updated tool list went unannounced) until the next notice. Now the members
 * are brought up to date once the bus is subscribed again.
 *
 * <p>The other replica is simulated as the bus sees one: its Computer is a record in the office naming another
 * replica, and what it raises in the gap is its change to the office and its {@code {op:"emit"}} on this replica's
 * channel, run in the one {@code MULTI} that kills this JVM's pub/sub connections (so the emit reaches 0 subscribers,
 * whatever the gateway does meanwhile). The Agent is the npm {@code socket.io-client} on this replica.
 */
@QuarkusTest
@WithCluster
class BusResubscribeTest {

    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ELSEWHERE = "replica-elsewhere";

    @TestHTTPResource("/")
    URL base;

    @Inject
    RedisDataSource redis;

    @Inject
    SmcpKeys keys;

    @Inject
    Replica replica;

    @Test
    void aToolListUpdateRaisedWhileTheBusWasUnsubscribedReachesTheAgent() {
        String office = "office-" + UUID.randomUUID();
        try (SocketIoDriver driver = SocketIoDriver.start()) {
            seat(office, "box-sid", "box");
            String agent = joinAgent(driver, office);
            ObjectNode update = JSON.createObjectNode().put("computer", "box");

            inGap(tx -> { }, emit(agent, "notify:update_tool_list", update));

            assertEquals(args(update), driver.waitEvent("agent", "notify:update_tool_list", WAIT.toMillis()));
        }
    }

    @Test
    void aComputerThatLeftAndOneThatEnteredWhileTheBusWasUnsubscribedAreAnnouncedToTheAgent() {
        String office = "office-" + UUID.randomUUID();
        try (SocketIoDriver driver = SocketIoDriver.start()) {
            seat(office, "box-sid", "box");
            String agent = joinAgent(driver, office);
            ObjectNode left = JSON.createObjectNode().put("office_id", office).put("computer", "box");
            ObjectNode entered = JSON.createObjectNode().put("office_id", office).put("computer", "box2");

            inGap(tx -> {
                tx.execute("HDEL", keys.office(office), "box-sid");
                tx.execute("HSET", keys.office(office), "box2-sid", record(office, "box2-sid", "box2"));
            }, emit(agent, "notify:leave_office", left), emit(agent, "notify:enter_office", entered));

            assertEquals(args(left), driver.waitEvent("agent", "notify:leave_office", WAIT.toMillis()));
            assertEquals(args(entered), driver.waitEvent("agent", "notify:enter_office", WAIT.toMillis()));
            assertEquals(args(JSON.createObjectNode().put("computer", "box2")),
                    driver.waitEvent("agent", "notify:update_tool_list", WAIT.toMillis()));
            for (JsonNode event : driver.events("agent")) {
                String name = event.path("event").asText();
                assertFalse(name.endsWith("_office") || event.toString().contains("\"box\""),
                        "each change once, nothing of the Computer gone: " + event);
            }
        }
    }

    /** A Computer of another replica sitting in the office, as that replica's join writes it. */
    private void seat(String office, String sid, String name) {
        redis.execute("HSET", keys.office(office), sid, record(office, sid, name));
    }

    private static String record(String office, String sid, String name) {
        return JSON.createObjectNode().put("sid", sid).put("name", name).put("role", "computer").put("office_id", office)
                .put("a2c_version", "0.5.0").put("replica", ELSEWHERE).put("epoch", "1").toString();
    }

    /** Connects the Agent to this replica and seats it in the office; answers its sid. */
    private String joinAgent(SocketIoDriver driver, String office) {
        String url = base.toString().replaceAll("/$", "");
        JsonNode connected = driver.ok(SocketIoDriver.command("connect").put("client", "agent").put("url", url)
                .put("version", "0.5.0"));
        JsonNode joined = driver.emit("agent", "server:join_office", WAIT.toMillis(),
                JSON.createObjectNode().put("role", "agent").put("name", "agent").put("office_id", office));
        assertTrue(joined.path("acked").asBoolean(), joined.toString());
        return connected.path("sid").asText();
    }

    /** What the other replica publishes on this replica's channel to emit {@code event} to the member. */
    private static String emit(String sid, String event, ObjectNode payload) {
        ObjectNode message = JSON.createObjectNode().put("op", "emit").put("sid", sid).put("event", event);
        message.set("payload", payload);
        return message.toString();
    }

    /**
     * Kills this JVM's pub/sub connections, changes the office ({@code change}) and publishes {@code emits} on this
     * replica's channel, back to back in one MULTI; then waits until the bus is subscribed again.
     */
    private void inGap(Consumer<TransactionalRedisDataSource> change,
            String... emits) {
        String channel = keys.channel(replica.id());
        List<String> ids = OwnPubSub.clientIds(redis);
        assertFalse(ids.isEmpty(), "this gateway holds pub/sub connections");
        TransactionResult result = redis.withTransaction(tx -> {
            ids.forEach(id -> tx.execute("CLIENT", "KILL", "ID", id));
            change.accept(tx);
            for (String emit : emits) {
                tx.execute("PUBLISH", channel, emit);
            }
        });
        assertFalse(result.discarded() || result.hasErrors(), result.toString());
        for (int i = result.size() - emits.length; i < result.size(); i++) {
            assertEquals(0L, ((Response) result.get(i)).toLong(),
                    "the emit raised in the gap reached no subscriber");
        }
        Conditions.await("the bus subscribed again", WAIT, () -> OwnPubSub.subscribers(redis, channel) > 0);
    }

    private static ArrayNode args(JsonNode payload) {
        return JSON.createArrayNode().add(payload);
    }
}

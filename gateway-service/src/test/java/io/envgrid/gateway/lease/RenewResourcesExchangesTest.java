package io.envgrid.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.id.SessionId;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpStream;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;

/**
 * How many Redis exchanges a {@code renew_resources} makes on its worker's keys, counted with Redis {@code MONITOR}.
 * Was two after the allocator's answer: the record's compare-and-write script, then the look-up of the worker's
 * sessions subscribed to {@code envgrid://worker/leases} (another script, over the worker's session set). Now the
 * write's script also makes the look-up ({@link WorkerResources#renewedAndTold}): one exchange, and the subscribed
 * session still gets {@code notifications/resources/updated}.
 */
@QuarkusTest
@WithCluster
class RenewResourcesExchangesTest {

    private static final String TYPE = "vm_exchanges";
    private static final String LEASES = "envgrid://worker/leases";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TestHTTPResource("/mcp")
    URL mcp;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Inject
    LeaseKeepAlive keepAlive;

    @Test
    void aRenewalWritesTheRecordAndFindsItsSubscribersInOneExchange() throws IOException {
        TestCluster.get().register("exchanges-" + UUID.randomUUID(), TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "exchanges-" + UUID.randomUUID();
        String record = keys.workerResources(worker);
        // every gateway key of this worker (its record, its session set, its unsettled requests) starts so
        String workerKeys = record.substring(0, record.lastIndexOf(':') + 1);
        try (McpStream client = McpStream.initialize(mcp.toString()).openStream(mcp.toString())) {
            subscribeAndGrant(client, worker);
            // the first renewal after a grant reads the record (the grant dropped this replica's copy); counted: the next
            renew(client);
            Conditions.await("the first renewal's update", WAIT, () -> updates(client) >= 2);

            // no keep-alive round renews this worker meanwhile: the lock taken (once free), and a running round over
            String holder = "exchanges-test-" + UUID.randomUUID();
            Conditions.await("the keep-alive's lock", WAIT, () -> redis.value(String.class).setnx(keys.keepaliveLock(), holder));
            try {
                Conditions.await("no keep-alive round running", WAIT, () -> !keepAlive.renewing());
                try (Monitor monitor = new Monitor(TestCluster.get().redisUrl())) {
                    renew(client);
                    Conditions.await("the counted renewal's update", WAIT, () -> updates(client) >= 3);
                    List<String> exchanges = monitor.commandsUntilNow(redis).stream()
                            .filter(command -> command.contains("\"" + workerKeys)).toList();

                    assertEquals(1, exchanges.size(), "exchanges on the worker's keys: " + exchanges);
                    String exchange = exchanges.get(0);
                    assertTrue(exchange.contains("\"" + record + "\"") && exchange.contains("\"" + keys.workerMcpSessions(worker) + "\""),
                            "one script on the record and the worker's session set: " + exchange);
                }
            } finally {
                redis.key().del(keys.keepaliveLock());
            }
            client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        }
    }

    /**
     * A listener's read that fails inside the renewal's script (here: a session of the worker whose record is not a
     * hash, so its look-up's {@code HGET} is refused) does not fail {@code renew_resources}. Was: the error failed the
     * whole script after the record had been written, and the call answered an error for a renewal the allocator made.
     */
    @Test
    void aFailingReadOfAListenerDoesNotFailTheRenewal() {
        TestCluster.get().register("exchanges-" + UUID.randomUUID(), TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "exchanges-" + UUID.randomUUID();
        String bogus = SessionId.fresh();
        try (McpStream client = McpStream.initialize(mcp.toString()).openStream(mcp.toString())) {
            subscribeAndGrant(client, worker);
            redis.value(String.class).set(keys.mcpSession(bogus), "not a hash");
            redis.set(String.class).sadd(keys.workerMcpSessions(worker), bogus);
            try {
                // twice: the first renewal after a grant reads the record, the second writes from this replica's copy
                renew(client);
                renew(client);
            } finally {
                redis.set(String.class).srem(keys.workerMcpSessions(worker), bogus);
                redis.key().del(keys.mcpSession(bogus));
            }
            client.request("tools/call", "{\"name\":\"release_batch_resources\",\"arguments\":{}}");
        }
    }

    /** The session subscribes to the worker's leases and the worker is granted one resource (its update awaited). */
    private static void subscribeAndGrant(McpStream client, String worker) {
        client.request("resources/subscribe", "{\"uri\":\"" + LEASES + "\"}");
        JsonNode granted = client.request("tools/call", "{\"name\":\"allocate_single_resource\",\"arguments\":{"
                + "\"worker_id\":\"" + worker + "\",\"resource_type\":\"" + TYPE + "\",\"timeout\":60}}");
        assertFalse(granted.path("result").path("isError").asBoolean(true), granted.toString());
        Conditions.await("the grant's update", WAIT, () -> updates(client) >= 1);
    }

    private static void renew(McpStream client) {
        JsonNode renewed = client.request("tools/call", "{\"name\":\"renew_resources\",\"arguments\":{\"timeout\":900}}");
        assertFalse(renewed.path("result").path("isError").asBoolean(true), renewed.toString());
    }

    private static long updates(McpStream client) {
        return client.received().stream().filter(McpStream.message("notifications/resources/updated", LEASES)).count();
    }

    /**
     * A connection in {@code MONITOR} mode: every command Redis runs, as one line, in the order run. Commands a script
     * runs inside Redis ({@code [0 lua]}) are left out: they are no exchange.
     */
    private static final class Monitor implements AutoCloseable {

        private final Socket socket;
        private final Queue<String> lines = new ConcurrentLinkedQueue<>();

        Monitor(String redisUrl) throws IOException {
            URI uri = URI.create(redisUrl);
            socket = new Socket(uri.getHost(), uri.getPort());
            OutputStream out = socket.getOutputStream();
            out.write("*1\r\n$7\r\nMONITOR\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            if (!"+OK".equals(in.readLine())) {
                throw new IOException("MONITOR refused");
            }
            Thread reader = new Thread(() -> {
                try {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        if (!line.contains(" lua] ")) {
                            lines.add(line);
                        }
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            }, "redis-monitor");
            reader.setDaemon(true);
            reader.start();
        }

        /** Every command run until now: a marker command is sent, and the lines are read up to it. */
        List<String> commandsUntilNow(RedisDataSource redis) {
            String marker = "monitor-marker-" + UUID.randomUUID();
            redis.key().exists(marker);
            Conditions.await("the monitor's marker", WAIT, () -> lines.stream().anyMatch(line -> line.contains(marker)));
            return List.copyOf(lines);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}

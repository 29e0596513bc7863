package io.envgrid.gateway.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.UnsettledRequests;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.ClusterResource;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.testsupport.redis.Resp;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The allocator in {@code wait-replicas} mode answers 503 {@code REPLICATION_TIMEOUT} when a grant it kept
 * was not acknowledged by a replica in time. A proxy in front of the real allocator forwards every call and
 * replaces the answer of a worker's first {@code /allocate} calls with that 503, as the allocator would after
 * granting: the gateway must replay the same request id (and get the kept grant), or, when the replays fail
 * too, release the kept grant before answering, so no lease is left that the worker never heard of.
 */
@QuarkusTest
@WithTestResource(ReplicationTimeoutTest.LaggingReplicaAllocator.class)
class ReplicationTimeoutTest {

    private static final String TYPE = "vm_replication";

    @Inject
    Allocations allocations;

    @Inject
    WorkerResources resources;

    @Inject
    UnsettledRequests unsettled;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    @Test
    void aGrantAnsweredWithReplicationTimeoutIsReplayedToTheWorker() {
        TestCluster.get().register("replication-1", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "replication-once-" + System.nanoTime();

        JsonNode granted = allocations.allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE)
                .await().atMost(Duration.ofSeconds(30));

        String id = granted.path(TYPE).path("id").asText();
        assertTrue(id.startsWith("replication-"), granted.toString());
        JsonNode leases = TestCluster.get().leasesOf(worker);
        assertEquals(1, leases.size(), "one grant, the kept one: " + leases);
        assertTrue(leases.toString().contains(id), leases.toString());
        assertTrue(resources.all(worker).await().atMost(Duration.ofSeconds(5)).values().stream()
                .anyMatch(entry -> id.equals(entry.path("id").asText())), "the gateway recorded the grant");

        TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
        resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void aGrantWhoseReplaysAllTimeOutIsReleasedBeforeTheFailureIsAnswered() {
        TestCluster.get().register("replication-2", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "replication-four-" + System.nanoTime();

        ToolFailure failure = assertThrows(ToolFailure.class, () -> allocations
                .allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE).await().atMost(Duration.ofSeconds(30)));

        assertEquals(503, failure.status());
        assertEquals("REPLICATION_TIMEOUT", failure.code());
        JsonNode leases = TestCluster.get().leasesOf(worker);
        assertEquals(0, leases.size(), "the kept grant was released: " + leases);
        assertTrue(resources.all(worker).await().atMost(Duration.ofSeconds(5)).isEmpty(), "nothing recorded");
    }

    /**
     * The review's case: the replica lags longer than the replays (five calls would be answered 503). The
     * gateway settles by request id, not by another replay through the same lagging write: nothing is left.
     */
    @Test
    void aGrantStillLaggingAfterTheReplaysIsReleasedByItsRequestId() {
        TestCluster.get().register("replication-3", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "replication-five-" + System.nanoTime();

        ToolFailure failure = assertThrows(ToolFailure.class, () -> allocations
                .allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE).await().atMost(Duration.ofSeconds(30)));

        assertEquals("REPLICATION_TIMEOUT", failure.code());
        JsonNode leases = TestCluster.get().leasesOf(worker);
        assertEquals(0, leases.size(), "the kept grant was released: " + leases);
        assertTrue(resources.all(worker).await().atMost(Duration.ofSeconds(5)).isEmpty(), "nothing recorded");
        assertFalse(unsettled.any(worker).await().atMost(Duration.ofSeconds(5)), "settled: the keep-alive renews as before");
    }

    /**
     * The allocator granted, then its Redis connection broke before it could answer (503 {@code REDIS_UNAVAILABLE},
     * every time it is asked): the outcome is unknown, and the grant is released by its request id.
     */
    @Test
    void aGrantAnsweredWithRedisUnavailableIsReleased() {
        TestCluster.get().register("replication-4", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "replication-redis-" + System.nanoTime();

        ToolFailure failure = assertThrows(ToolFailure.class, () -> allocations
                .allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE).await().atMost(Duration.ofSeconds(30)));

        assertEquals(503, failure.status());
        assertEquals("REDIS_UNAVAILABLE", failure.code());
        JsonNode leases = TestCluster.get().leasesOf(worker);
        assertEquals(0, leases.size(), "the grant nobody heard of was released: " + leases);
        assertTrue(resources.all(worker).await().atMost(Duration.ofSeconds(5)).isEmpty(), "nothing recorded");
    }

    /**
     * Settling itself meets a broken allocator (its first two {@code /release/request} answered 503 without
     * reaching it): the gateway asks again until a definite answer, and only then answers the failure. While
     * it asks, the request is marked unsettled, so the keep-alive would renew only what the worker was told of.
     */
    @Test
    void settlingIsAskedAgainUntilTheAllocatorAnswers() {
        TestCluster.get().register("replication-5", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "replication-settle-" + System.nanoTime();

        ToolFailure failure = assertThrows(ToolFailure.class, () -> allocations
                .allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE).await().atMost(Duration.ofSeconds(30)));

        assertEquals("REDIS_UNAVAILABLE", failure.code());
        assertEquals(3, LaggingReplicaAllocator.settleCalls(worker), "two unanswered settles, then the definite one");
        JsonNode leases = TestCluster.get().leasesOf(worker);
        assertEquals(0, leases.size(), "released once the allocator answered: " + leases);
        assertFalse(unsettled.any(worker).await().atMost(Duration.ofSeconds(5)), "the mark went with the answer");
    }

    /**
     * The soak's case: the allocator stays out of reach for longer than the settling done before the failure is
     * answered (its first seven {@code /release/request} unanswered; six are asked before the answer). The failure
     * is answered all the same, and the gateway asks on in the background until the grant is released: before, it
     * gave up and the grant was held by nobody until its expiry. The background attempts are the sweeper's: claimed
     * from the Redis index, handed back unanswered, claimed again 4 s later.
     */
    @Test
    void settlingGoesOnInTheBackgroundAfterTheFailureIsAnswered() {
        TestCluster.get().register("replication-6", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "replication-outage-" + System.nanoTime();

        ToolFailure failure = assertThrows(ToolFailure.class, () -> allocations
                .allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE).await().atMost(Duration.ofSeconds(30)));

        assertEquals("REDIS_UNAVAILABLE", failure.code());
        assertEquals(6, LaggingReplicaAllocator.settleCalls(worker), "six settles before the failure was answered");
        assertEquals(1, TestCluster.get().leasesOf(worker).size(), "the grant is still held when the failure is answered");
        Conditions.await("the grant released by the settling in the background", Duration.ofSeconds(30),
                () -> TestCluster.get().leasesOf(worker).size() == 0);
        assertEquals(8, LaggingReplicaAllocator.settleCalls(worker), "two more settles, the second answered");
        Conditions.await("the mark cleared with the answer", Duration.ofSeconds(5),
                () -> !unsettled.any(worker).await().atMost(Duration.ofSeconds(5)));
    }

    /**
     * Settling after the answer is bounded ({@code leases.background-settles}, 1 here): of two allocations that fail at
     * once without a definite answer, both are settled by the sweeper, one at a time (each of its calls held a while by
     * the proxy, so two at once would overlap), instead of a call per failed allocation at once for as long as an outage
     * lasts. Before the sweeper, the one beyond the bound was not asked again and kept its lease until its expiry.
     */
    @Test
    void backgroundSettlingIsBounded() {
        TestCluster.get().register("replication-7", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        TestCluster.get().register("replication-8", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        List<String> workers = List.of("replication-outage-a" + System.nanoTime(), "replication-outage-b" + System.nanoTime());
        List<java.util.concurrent.CompletableFuture<JsonNode>> calls = workers.stream().map(worker -> allocations
                .allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE).subscribeAsCompletionStage()).toList();
        for (java.util.concurrent.CompletableFuture<JsonNode> call : calls) {
            assertThrows(java.util.concurrent.ExecutionException.class, () -> call.get(30, java.util.concurrent.TimeUnit.SECONDS));
        }
        try {
            for (String worker : workers) {
                Conditions.await("the grant of " + worker + " released after the answer", Duration.ofSeconds(40),
                        () -> TestCluster.get().leasesOf(worker).size() == 0);
                assertEquals(8, LaggingReplicaAllocator.settleCalls(worker), "two settles after the answer, the second answered");
                Conditions.await("the mark of " + worker + " cleared", Duration.ofSeconds(5),
                        () -> !unsettled.any(worker).await().atMost(Duration.ofSeconds(5)));
            }
            assertEquals(1, LaggingReplicaAllocator.mostLateSettlesAtOnce(), "never two settles after the answer at once");
        } finally {
            workers.forEach(w -> TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + w + "\"}"));
        }
    }

    /**
     * The review's case: the gateway's Redis refuses writes at the moment the allocator fails (one Sentinel Redis for
     * both, in a failover), so the request's mark cannot be written; the allocator granted, answered 503
     * {@code REDIS_UNAVAILABLE}, and answers none of the six settles before the failure is answered. The mark is kept in
     * the replica's memory (its keep-alive renews only what the worker was told of meanwhile), written once Redis takes
     * writes again, and the sweeper releases the grant and clears the mark. Before, nothing asked on and, with no mark,
     * the keep-alive renewed that grant for as long as the worker's session lived.
     */
    @Test
    void aGrantWhoseMarkRedisRefusedIsSettledOnceRedisTakesWritesAgain() {
        TestCluster.get().register("replication-9", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = LaggingReplicaAllocator.UNMARKED + System.nanoTime();
        try {
            ToolFailure failure = assertThrows(ToolFailure.class, () -> allocations
                    .allocate(worker, List.of(TYPE), 60, 0, ProgressSink.NONE).await().atMost(Duration.ofSeconds(30)));

            assertEquals("REDIS_UNAVAILABLE", failure.code());
            assertEquals(6, LaggingReplicaAllocator.settleCalls(worker), "six settles before the failure was answered");
            assertEquals(1, TestCluster.get().leasesOf(worker).size(), "the grant is still held when the failure is answered");
            String member = GatewayKeys.unsettledMember(worker, LaggingReplicaAllocator.requestOf(worker));
            assertTrue(redis.sortedSet(String.class).zscore(keys.unsettledDue(), member).isEmpty(), "Redis refused the mark");
            assertTrue(redis.sortedSet(String.class).zrange(keys.unsettledRequests(worker), 0, -1).isEmpty(), "no mark");
            assertTrue(unsettled.any(worker).await().atMost(Duration.ofSeconds(5)),
                    "unsettled all the same for this replica's keep-alive: its mark is kept in memory");

            LaggingReplicaAllocator.refuseWrites(false);
            Conditions.await("the grant released once Redis takes writes again", Duration.ofSeconds(30),
                    () -> TestCluster.get().leasesOf(worker).size() == 0);
            assertTrue(LaggingReplicaAllocator.settleCalls(worker) >= 7, "asked again after the answer");
            Conditions.await("the mark cleared with the answer", Duration.ofSeconds(5),
                    () -> !unsettled.any(worker).await().atMost(Duration.ofSeconds(5)));
            assertTrue(redis.sortedSet(String.class).zscore(keys.unsettledDue(), member).isEmpty(), "out of the index");
            assertTrue(redis.sortedSet(String.class).zrange(keys.unsettledRequests(worker), 0, -1).isEmpty(), "no mark left");
        } finally {
            LaggingReplicaAllocator.refuseWrites(false);
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
        }
    }

    @Test
    void onlyARefusalOrACallNeverSentIsADefiniteOutcome() {
        assertFalse(Allocations.outcomeUnknown(new ToolFailure(409, "INSUFFICIENT_RESOURCES", "short", Map.of())));
        assertFalse(Allocations.outcomeUnknown(new ToolFailure(503, ErrorCode.BACKEND_CIRCUIT_OPEN, "open", Map.of())));
        assertFalse(Allocations.outcomeUnknown(new ToolFailure(503, ErrorCode.BACKEND_BUSY, "busy", Map.of())));
        for (String code : List.of("REPLICATION_TIMEOUT", "REDIS_UNAVAILABLE", ErrorCode.BACKEND_ERROR,
                ErrorCode.BACKEND_TIMEOUT, ErrorCode.BACKEND_UNREACHABLE)) {
            assertTrue(Allocations.outcomeUnknown(new ToolFailure(503, code, "?", Map.of())), code);
        }
        assertTrue(Allocations.outcomeUnknown(new IllegalStateException("the grant's record failed")));
    }

    /**
     * The shared cluster, with the gateway pointed at a proxy of its allocator that answers 503
     * {@code REPLICATION_TIMEOUT} after forwarding the first {@code /allocate} of a {@code replication-once-*}
     * worker, the first four (the call and its three replays) of a {@code replication-four-*} worker and five of a
     * {@code replication-five-*} one. It answers 503 {@code REDIS_UNAVAILABLE} after forwarding every {@code /allocate}
     * of a {@code replication-redis-*}, {@code replication-settle-*} or {@code replication-outage-*} worker, and
     * instead of forwarding the first two {@code /release/request} of a {@code replication-settle-*} worker, the
     * first seven of a {@code replication-outage-*} one. The first {@code /allocate} of a {@link #UNMARKED} worker the
     * allocator grants makes the Redis refuse writes ({@code min-replicas-to-write 1}, and it has no replica) before its
     * 503 {@code REDIS_UNAVAILABLE} is answered, and that worker's {@code /release/request} are answered 503 instead of
     * forwarded until the test lets Redis take writes again ({@link #refuseWrites}).
     */
    public static class LaggingReplicaAllocator extends ClusterResource {

        private static final Pattern WORKER = Pattern.compile("\"worker_id\"\\s*:\\s*\"([^\"]*)\"");
        private static final byte[] TIMEOUT = ("{\"error\": {\"code\": \"REPLICATION_TIMEOUT\", \"message\": "
                + "\"0 of 1 replicas acknowledged the write\", \"details\": {\"acknowledged\": 0, \"required\": 1}}}")
                .getBytes(StandardCharsets.UTF_8);

        private static final byte[] REDIS_GONE = ("{\"error\": {\"code\": \"REDIS_UNAVAILABLE\", \"message\": "
                + "\"Redis is unavailable: Connection reset\", \"details\": {}}}").getBytes(StandardCharsets.UTF_8);
        private static final ConcurrentMap<String, AtomicInteger> SETTLE_CALLS = new ConcurrentHashMap<>();
        /** Workers whose grant comes with Redis refusing writes. */
        static final String UNMARKED = "replication-unmarked-";
        private static final AtomicBoolean WRITES_REFUSED = new AtomicBoolean();
        private static final Pattern REQUEST = Pattern.compile("\"request_id\"\\s*:\\s*\"([^\"]*)\"");
        /** The request id of each {@link #UNMARKED} worker's allocation. */
        private static final ConcurrentMap<String, String> REQUESTS = new ConcurrentHashMap<>();
        /** Settles after the answer of a {@code replication-outage-*} worker (its 7th and later) in flight now, and at most. */
        private static final AtomicInteger LATE_SETTLES = new AtomicInteger();
        private static final AtomicInteger MOST_LATE_SETTLES = new AtomicInteger();
        /** How long the proxy holds such a settle before answering it, so that two asked at once overlap. */
        private static final long LATE_SETTLE_HOLD_MS = 1000;

        private final ConcurrentMap<String, AtomicInteger> allocateCalls = new ConcurrentHashMap<>();

        /** The most {@code /release/request} calls of {@code replication-outage-*} workers after the answer at once. */
        static int mostLateSettlesAtOnce() {
            return MOST_LATE_SETTLES.get();
        }

        /** The request id of the {@link #UNMARKED} worker's allocation. */
        static String requestOf(String worker) {
            return REQUESTS.get(worker);
        }

        /** Makes the cluster's Redis refuse every write (it has no replica), or take them again. */
        static void refuseWrites(boolean refuse) {
            int port = URI.create(TestCluster.get().redisUrl()).getPort();
            Resp.call(port, "CONFIG", "SET", "min-replicas-to-write", refuse ? "1" : "0");
            WRITES_REFUSED.set(refuse);
        }

        /** How many {@code /release/request} calls for the worker reached the proxy. */
        static int settleCalls(String worker) {
            AtomicInteger calls = SETTLE_CALLS.get(worker);
            return calls == null ? 0 : calls.get();
        }
        private final HttpClient client = HttpClient.newHttpClient();
        private HttpServer server;
        private String allocator;

        @Override
        public Map<String, String> start() {
            Map<String, String> config = new HashMap<>(super.start());
            allocator = TestCluster.get().allocatorUrl();
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            server.setExecutor(Executors.newCachedThreadPool());
            server.createContext("/", this::forward);
            server.start();
            config.put("envgrid.allocator.url", "http://127.0.0.1:" + server.getAddress().getPort());
            config.put("envgrid.gateway.leases.background-settles", "1");
            return config;
        }

        @Override
        public void stop() {
            if (server != null) {
                server.stop(0);
            }
        }

        private void forward(HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                String worker = workerOf(body);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                if ("/release/request".equals(exchange.getRequestURI().getPath()) && worker != null) {
                    int call = SETTLE_CALLS.computeIfAbsent(worker, k -> new AtomicInteger()).incrementAndGet();
                    if (worker.startsWith("replication-outage-") && call > 6) {
                        holdLateSettle();
                    }
                    if (call <= unansweredSettles(worker) || worker.startsWith(UNMARKED) && WRITES_REFUSED.get()) {
                        // the allocator's Redis is gone: the settle never reached it
                        send(exchange, 503, REDIS_GONE);
                        return;
                    }
                }
                HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(allocator + exchange.getRequestURI()))
                        .method(exchange.getRequestMethod(), body.length == 0
                                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
                for (String header : List.of("Content-Type", "Accept", "Authorization", "X-Envgrid-Lease-Token")) {
                    String value = exchange.getRequestHeaders().getFirst(header);
                    if (value != null) {
                        request.header(header, value);
                    }
                }
                HttpResponse<byte[]> answer;
                try {
                    answer = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                if (answer.statusCode() == 200 && lagsOn(exchange, body)) {
                    // the allocator granted (and kept the grant), but the worker hears of a replica that lagged
                    send(exchange, 503, TIMEOUT);
                    return;
                }
                if (answer.statusCode() == 200 && "/allocate".equals(exchange.getRequestURI().getPath()) && worker != null
                        && (worker.startsWith("replication-redis-") || unansweredSettles(worker) > 0
                                || worker.startsWith(UNMARKED))) {
                    if (worker.startsWith(UNMARKED) && REQUESTS.putIfAbsent(worker, requestIdOf(body)) == null) {
                        // the allocator's Redis fails after the grant, and so does the gateway's: the same server
                        refuseWrites(true);
                    }
                    // the grant was applied, then the allocator's Redis connection broke before its answer
                    send(exchange, 503, REDIS_GONE);
                    return;
                }
                answer.headers().firstValue("X-Envgrid-Replayed")
                        .ifPresent(v -> exchange.getResponseHeaders().add("X-Envgrid-Replayed", v));
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
                exchange.getResponseBody().write(answer.body());
            }
        }

        /** A slow allocator: the call is held {@link #LATE_SETTLE_HOLD_MS}, counted among those in flight meanwhile. */
        private static void holdLateSettle() {
            MOST_LATE_SETTLES.accumulateAndGet(LATE_SETTLES.incrementAndGet(), Math::max);
            try {
                Thread.sleep(LATE_SETTLE_HOLD_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                LATE_SETTLES.decrementAndGet();
            }
        }

        /** How many of the worker's first {@code /release/request} calls are answered 503 instead of forwarded. */
        private static int unansweredSettles(String worker) {
            return worker.startsWith("replication-settle-") ? 2 : worker.startsWith("replication-outage-") ? 7 : 0;
        }

        private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }

        private static String requestIdOf(byte[] body) {
            Matcher request = REQUEST.matcher(new String(body, StandardCharsets.UTF_8));
            return request.find() ? request.group(1) : "";
        }

        private static String workerOf(byte[] body) {
            Matcher worker = WORKER.matcher(new String(body, StandardCharsets.UTF_8));
            return worker.find() ? worker.group(1) : null;
        }

        private boolean lagsOn(HttpExchange exchange, byte[] body) {
            if (!"POST".equals(exchange.getRequestMethod()) || !"/allocate".equals(exchange.getRequestURI().getPath())) {
                return false;
            }
            Matcher worker = WORKER.matcher(new String(body, StandardCharsets.UTF_8));
            if (!worker.find()) {
                return false;
            }
            String id = worker.group(1);
            int lagging = id.startsWith("replication-once-") ? 1 : id.startsWith("replication-four-") ? 4
                    : id.startsWith("replication-five-") ? 5 : 0;
            return allocateCalls.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() <= lagging;
        }
    }
}

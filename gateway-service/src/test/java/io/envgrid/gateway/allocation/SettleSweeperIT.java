package io.envgrid.gateway.allocation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.PackagedApps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.testsupport.process.PackagedApp;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.Request;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Settling is driven by the Redis marks, so any replica finishes what another began. Two packaged gateway replicas on
 * the shared cluster's Redis: B ({@code background-settles=2}, a 5 s claim) for the whole class, A started per case,
 * each calling the real allocator through a proxy of its own that counts, per replica and per request, the
 * {@code /release/request} calls in flight. A failsafe IT (after {@code package}): both replicas are this module's
 * packaged application, as in {@code GatewayReplicasIT}. The test reads and writes the settling keys itself
 * ({@link GatewayKeys}, the gateway's default prefix) and B's counters from its {@code /q/metrics}.
 */
class SettleSweeperIT {

    private static final String TYPE = "vm_sweeper";
    /** Replica B's {@code leases.background-settles}. */
    private static final int BOUND_B = 2;
    /** The packaged replica A's. */
    private static final int BOUND_A = 3;
    private static final GatewayKeys KEYS = new GatewayKeys("{envgrid-gw}:", List.of());

    private static CountingAllocators proxies;
    private static PackagedApp b;
    private static Vertx vertx;
    private static Redis redis;

    @BeforeAll
    static void start() {
        TestCluster cluster = TestCluster.get();
        proxies = new CountingAllocators(cluster.allocatorUrl());
        b = PackagedApps.start("gateway-settle-b", "gateway-service", Map.of(
                "envgrid.gateway.auth", "open",
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", CountingAllocators.urlOf("B"),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                "envgrid.gateway.leases.settle-claim", "5s",
                "envgrid.gateway.leases.background-settles", String.valueOf(BOUND_B)));
        vertx = Vertx.vertx();
        redis = Redis.createClient(vertx, cluster.redisUrl());
    }

    @AfterAll
    static void stop() {
        if (b != null) {
            b.close();
        }
        if (proxies != null) {
            proxies.stop();
        }
        if (redis != null) {
            redis.close();
            vertx.close();
        }
    }

    /**
     * Replica A's allocation fails without an answer (its proxy forwards {@code /allocate}, so the allocator grants, then
     * answers 503 {@code REDIS_UNAVAILABLE}), and A starts settling it, claimed, but none of its {@code /release/request}
     * reaches the allocator. A is killed while it settles. Its claim lapses ({@code settle-claim} 3 s on A) and B's sweeper
     * takes the request over and settles it: the grant released at the allocator, the mark, its index entry and the claim
     * gone, the takeover counted. Before, settling lived in A's memory and died with it: the grant stayed held by nobody
     * until its expiry.
     */
    @Test
    void aSettlingBegunOnAKilledReplicaIsFinishedByAnother() {
        TestCluster.get().register("sweeper-1", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "takeover:" + UUID.randomUUID();
        double takenOverBefore = takenOverOnB();
        PackagedApp a = startReplicaA("3s");
        try {
            CompletableFuture<Void> allocation = CompletableFuture.runAsync(() -> allocateOn(a, worker));
            Conditions.await("replica A settling (its first /release/request)", Duration.ofSeconds(30),
                    () -> CountingAllocators.settleCalls("A", worker) >= 1);
            assertEquals(1, TestCluster.get().leasesOf(worker).size(), "the grant nobody heard of is held");
            a.kill();
            allocation.handle((v, e) -> null).join();

            Conditions.await("replica B releasing the grant", Duration.ofSeconds(30),
                    () -> TestCluster.get().leasesOf(worker).isEmpty());
            assertTrue(CountingAllocators.settleCalls("B", worker) >= 1, "released by B's sweeper");
            Conditions.await("the mark cleared", Duration.ofSeconds(5), () -> !marked(worker));
            String member = GatewayKeys.unsettledMember(worker, CountingAllocators.requestOf(worker));
            assertNull(redis("ZSCORE", KEYS.unsettledDue(), member), "out of the index");
            assertNull(redis("HGET", KEYS.unsettledClaims(), member), "no claim left");
            assertEquals(takenOverBefore + 1, takenOverOnB(), "B took over A's lapsed claim");
        } finally {
            a.kill();
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
        }
    }

    /**
     * A stopped the way Kubernetes stops it (SIGTERM) while it settles, with a claim that would last a minute: it hands the
     * request back, and B settles it long before that claim could have lapsed.
     */
    @Test
    void aReplicaStoppedGracefullyHandsItsSettlingOver() {
        TestCluster.get().register("sweeper-2", TYPE, "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String worker = "handover:" + UUID.randomUUID();
        PackagedApp a = startReplicaA("60s");
        try {
            CompletableFuture<Void> allocation = CompletableFuture.runAsync(() -> allocateOn(a, worker));
            Conditions.await("replica A settling (its first /release/request)", Duration.ofSeconds(30),
                    () -> CountingAllocators.settleCalls("A", worker) >= 1);
            long stopped = System.nanoTime();
            a.close();
            allocation.handle((v, e) -> null).join();

            Conditions.await("replica B releasing the grant", Duration.ofSeconds(45),
                    () -> TestCluster.get().leasesOf(worker).isEmpty());
            assertTrue(Duration.ofNanos(System.nanoTime() - stopped).compareTo(Duration.ofSeconds(50)) < 0,
                    "before A's claim (60 s from its last attempt) could lapse");
            assertTrue(CountingAllocators.settleCalls("B", worker) >= 1, "released by B's sweeper");
            Conditions.await("the mark cleared", Duration.ofSeconds(5), () -> !marked(worker));
        } finally {
            a.kill();
            TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + worker + "\"}");
        }
    }

    /**
     * Twelve requests to settle (each answered 503 three times, every call held 300 ms by the proxies), swept by both
     * replicas at once: each request is asked by one replica at a time, never two (the claim), each replica keeps to its
     * bound, both take part, and every request is settled exactly once (four calls: no call after the definite answer).
     */
    @Test
    void twoReplicasNeverSettleTheSameRequestAtOnceAndEachKeepsItsBound() {
        List<String[]> requests = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            // a worker id holding ':' (the id rule's only character that splits a key): the index's member encodes it
            requests.add(new String[] {"sweep/w:" + i + ":" + UUID.randomUUID(), UUID.randomUUID().toString()});
        }
        PackagedApp a = startReplicaA("5s");
        try {
            for (String[] request : requests) {
                CountingAllocators.SLOW_WORKERS.add(request[0]);
            }
            for (String[] request : requests) {
                markDueNow(request[0], request[1]);
            }
            Conditions.await("every request settled", Duration.ofSeconds(90),
                    () -> requests.stream().noneMatch(r -> marked(r[0])));
            for (String[] request : requests) {
                assertEquals(4, CountingAllocators.settleCalls("A", request[0]) + CountingAllocators.settleCalls("B", request[0]),
                        "three unanswered, then the definite one, nothing after: " + request[0]);
            }
            assertEquals(1, CountingAllocators.MOST_PER_REQUEST.get(), "never two settles of one request at once");
            assertTrue(CountingAllocators.most("B") <= BOUND_B, "B within its bound: " + CountingAllocators.most("B"));
            assertTrue(CountingAllocators.most("A") <= BOUND_A, "A within its bound: " + CountingAllocators.most("A"));
            assertTrue(CountingAllocators.most("A") >= 1 && CountingAllocators.most("B") >= 1, "both replicas settled");
        } finally {
            a.kill();
        }
    }

    /**
     * A call that waits longer than any claim (held {@link CountingAllocators#SLOW_CALL_MS} by the proxies, as a call
     * queued in the allocator client's saturated bulkhead waits; A's claim is 3 s, B's 5 s): the replica asking keeps
     * its claim alive while the call waits, so the other replica never asks at the same time, and the request is asked
     * exactly once. Before, the claim lapsed mid-call and the other replica (or the same one) took it over and asked
     * again while the first call still waited.
     */
    @Test
    void aClaimLastsAsLongAsItsCallWaits() {
        String worker = "slowcall:" + UUID.randomUUID();
        String requestId = UUID.randomUUID().toString();
        PackagedApp a = startReplicaA("3s");
        try {
            markDueNow(worker, requestId);
            Conditions.await("the request settled", Duration.ofSeconds(60), () -> !marked(worker));
            assertEquals(1, CountingAllocators.settleCalls("A", worker) + CountingAllocators.settleCalls("B", worker),
                    "asked once, by the replica that claimed it");
            assertEquals(1, CountingAllocators.mostAtOnce(requestId), "never asked twice at once");
        } finally {
            a.kill();
        }
    }

    /**
     * What a replica leaves after its attempts before answering ended unanswered: the request marked for 5 minutes and
     * in the index, due now, unclaimed (written here as {@code UnsettledRequests} writes them).
     */
    private static void markDueNow(String worker, String requestId) {
        long now = System.currentTimeMillis();
        redis("ZADD", KEYS.unsettledRequests(worker), String.valueOf(now + 300_000), requestId);
        redis("PEXPIRE", KEYS.unsettledRequests(worker), "300000");
        redis("ZADD", KEYS.unsettledDue(), String.valueOf(now), GatewayKeys.unsettledMember(worker, requestId));
    }

    /** Whether the worker has a mark that has not lapsed (what the keep-alive asks). */
    private static boolean marked(String worker) {
        Response count = redis("ZCOUNT", KEYS.unsettledRequests(worker), String.valueOf(System.currentTimeMillis()), "+inf");
        return count.toLong() > 0;
    }

    /** One Redis command on the cluster's Redis; its reply, or null for a nil one. */
    private static Response redis(String command, String... args) {
        Request request = Request.cmd(Command.create(command));
        for (String arg : args) {
            request.arg(arg);
        }
        try {
            return redis.send(request).toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("redis " + command + ": " + e, e);
        }
    }

    private static final Pattern TAKEN_OVER = Pattern.compile(
            "(?m)^envgrid_gateway_settles_taken_over_total(?:\\{[^}]*})?\\s+(\\S+)$");

    /**
     * B's {@code envgrid_gateway_settles_taken_over_total} (0 while absent), by a plain GET: the MCP request spec's
     * {@code Accept} is not the Prometheus text.
     */
    private static double takenOverOnB() {
        HttpResponse<String> metrics;
        try {
            metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(b.url() + "/q/metrics")).GET()
                    .build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        assertEquals(200, metrics.statusCode(), "B's /q/metrics");
        Matcher value = TAKEN_OVER.matcher(metrics.body());
        return value.find() ? Double.parseDouble(value.group(1)) : 0;
    }

    /** Replica A, packaged, on this test's Redis, its allocator proxy A, with the claim given. */
    private static PackagedApp startReplicaA(String claim) {
        TestCluster cluster = TestCluster.get();
        return PackagedApps.start("gateway-settle-a", "gateway-service", Map.of(
                "envgrid.gateway.auth", "open",
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", CountingAllocators.urlOf("A"),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                "envgrid.gateway.leases.settle-claim", claim,
                "envgrid.gateway.leases.background-settles", String.valueOf(BOUND_A)));
    }

    /** {@code allocate_batch_resources} for the worker on A, over MCP; its failure (or A's death) is the point. */
    private static void allocateOn(PackagedApp a, String worker) {
        String session = McpHttp.initialize(McpHttp.mcp().baseUri("http://127.0.0.1").port(a.port()));
        McpHttp.mcp().baseUri("http://127.0.0.1").port(a.port()).header("Mcp-Session-Id", session).body(McpHttp.callBody(2,
                "allocate_batch_resources", "{\"worker_id\": \"" + worker + "\", \"resource_types\": [\"" + TYPE + "\"]}"))
                .post("/mcp");
    }

    /**
     * Two allocator proxies in front of the cluster's real allocator, one per replica ({@code A}, {@code B}). Both forward every call, except: an {@code /allocate} of a {@code takeover:*} or
     * {@code handover:*} worker through A is answered 503 {@code REDIS_UNAVAILABLE} after the allocator granted it, and A's
     * {@code /release/request} for those workers too, without forwarding (the allocator is out of A's reach); a
     * {@code /release/request} of a slow worker ({@link #SLOW_WORKERS}) is held 300 ms and its first three (through
     * either proxy) answered 503 without forwarding. Each proxy counts the {@code /release/request} calls in flight.
     */
    static final class CountingAllocators {

        private static final Pattern FIELD = Pattern.compile("\"(worker_id|request_id)\"\\s*:\\s*\"([^\"]*)\"");
        private static final byte[] REDIS_GONE = ("{\"error\": {\"code\": \"REDIS_UNAVAILABLE\", \"message\": "
                + "\"Redis is unavailable: Connection reset\", \"details\": {}}}").getBytes(StandardCharsets.UTF_8);
        static final java.util.Set<String> SLOW_WORKERS = ConcurrentHashMap.newKeySet();
        static final AtomicInteger MOST_PER_REQUEST = new AtomicInteger();
        /** How long a {@code slowcall:*} worker's {@code /release/request} is held before it is forwarded. */
        static final long SLOW_CALL_MS = 8000;
        /** The most {@code /release/request} calls of one {@code slowcall:*} request in flight at once, by request id. */
        private static final ConcurrentMap<String, AtomicInteger> MOST_FOR_REQUEST = new ConcurrentHashMap<>();
        private static final ConcurrentMap<String, AtomicInteger> CALLS = new ConcurrentHashMap<>();
        private static final ConcurrentMap<String, AtomicInteger> SLOW_CALLS = new ConcurrentHashMap<>();
        private static final ConcurrentMap<String, AtomicInteger> IN_FLIGHT_PER_REQUEST = new ConcurrentHashMap<>();
        private static final ConcurrentMap<String, AtomicInteger> IN_FLIGHT = new ConcurrentHashMap<>();
        private static final ConcurrentMap<String, AtomicInteger> MOST = new ConcurrentHashMap<>();
        private static final ConcurrentMap<String, String> REQUESTS = new ConcurrentHashMap<>();
        private static final Map<String, String> URLS = new ConcurrentHashMap<>();

        private final HttpClient client = HttpClient.newHttpClient();
        private final List<HttpServer> servers = new ArrayList<>();
        private final String allocator;

        /** The {@code /release/request} calls of the worker through the replica's proxy. */
        static int settleCalls(String replica, String worker) {
            AtomicInteger calls = CALLS.get(replica + " " + worker);
            return calls == null ? 0 : calls.get();
        }

        /** The most {@code /release/request} calls of slow workers in flight at once through the replica's proxy. */
        static int most(String replica) {
            AtomicInteger most = MOST.get(replica);
            return most == null ? 0 : most.get();
        }

        /** The most calls of a {@code slowcall:*} request in flight at once (0: never asked). */
        static int mostAtOnce(String requestId) {
            AtomicInteger most = MOST_FOR_REQUEST.get(requestId);
            return most == null ? 0 : most.get();
        }

        /** The request id the worker's {@code /release/request} named. */
        static String requestOf(String worker) {
            return REQUESTS.get(worker);
        }

        static String urlOf(String replica) {
            return URLS.get(replica);
        }

        /** Starts both proxies, forwarding to {@code allocator}. */
        CountingAllocators(String allocator) {
            this.allocator = allocator;
            for (String replica : List.of("A", "B")) {
                try {
                    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
                    server.setExecutor(Executors.newCachedThreadPool());
                    server.createContext("/", exchange -> forward(replica, exchange));
                    server.start();
                    servers.add(server);
                    URLS.put(replica, "http://127.0.0.1:" + server.getAddress().getPort());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void stop() {
            servers.forEach(server -> server.stop(0));
        }

        private void forward(String replica, HttpExchange exchange) throws IOException {
            try (exchange) {
                byte[] body = exchange.getRequestBody().readAllBytes();
                Map<String, String> fields = fieldsOf(body);
                String worker = fields.get("worker_id");
                String path = exchange.getRequestURI().getPath();
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                boolean outOfReach = "A".equals(replica) && worker != null
                        && (worker.startsWith("takeover:") || worker.startsWith("handover:"));
                if ("/release/request".equals(path) && worker != null) {
                    CALLS.computeIfAbsent(replica + " " + worker, k -> new AtomicInteger()).incrementAndGet();
                    REQUESTS.put(worker, fields.getOrDefault("request_id", ""));
                    if (outOfReach) {
                        send(exchange, 503, REDIS_GONE);
                        return;
                    }
                    if (worker.startsWith("slowcall:")) {
                        holdSlowCall(fields.getOrDefault("request_id", ""));
                    }
                    if (SLOW_WORKERS.contains(worker)) {
                        boolean unanswered = hold(replica, fields.get("request_id"), worker);
                        if (unanswered) {
                            send(exchange, 503, REDIS_GONE);
                            return;
                        }
                    }
                }
                HttpResponse<byte[]> answer = send(exchange, body);
                if (outOfReach && "/allocate".equals(path) && answer.statusCode() == 200) {
                    send(exchange, 503, REDIS_GONE);
                    return;
                }
                exchange.sendResponseHeaders(answer.statusCode(), answer.body().length == 0 ? -1 : answer.body().length);
                exchange.getResponseBody().write(answer.body());
            }
        }

        /**
         * Holds a slow worker's call 300 ms, counted in flight for its request and its replica meanwhile; answers whether
         * it is one of the request's first three calls (to be answered 503).
         */
        private static boolean hold(String replica, String requestId, String worker) {
            AtomicInteger perRequest = IN_FLIGHT_PER_REQUEST.computeIfAbsent(requestId, k -> new AtomicInteger());
            AtomicInteger perReplica = IN_FLIGHT.computeIfAbsent(replica, k -> new AtomicInteger());
            MOST_PER_REQUEST.accumulateAndGet(perRequest.incrementAndGet(), Math::max);
            MOST.computeIfAbsent(replica, k -> new AtomicInteger()).accumulateAndGet(perReplica.incrementAndGet(), Math::max);
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                perRequest.decrementAndGet();
                perReplica.decrementAndGet();
            }
            return SLOW_CALLS.computeIfAbsent(worker, k -> new AtomicInteger()).incrementAndGet() <= 3;
        }

        /** Holds a {@code slowcall:*} call {@link #SLOW_CALL_MS}, counted in flight for its request meanwhile. */
        private static void holdSlowCall(String requestId) {
            AtomicInteger perRequest = IN_FLIGHT_PER_REQUEST.computeIfAbsent(requestId, k -> new AtomicInteger());
            MOST_FOR_REQUEST.computeIfAbsent(requestId, k -> new AtomicInteger())
                    .accumulateAndGet(perRequest.incrementAndGet(), Math::max);
            try {
                Thread.sleep(SLOW_CALL_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                perRequest.decrementAndGet();
            }
        }

        private HttpResponse<byte[]> send(HttpExchange exchange, byte[] body) throws IOException {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(allocator + exchange.getRequestURI()))
                    .method(exchange.getRequestMethod(), body.length == 0
                            ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
            for (String header : List.of("Content-Type", "Accept", "Authorization", "X-Envgrid-Lease-Token")) {
                String value = exchange.getRequestHeaders().getFirst(header);
                if (value != null) {
                    request.header(header, value);
                }
            }
            try {
                return client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }

        private static void send(HttpExchange exchange, int status, byte[] body) throws IOException {
            exchange.sendResponseHeaders(status, body.length);
            exchange.getResponseBody().write(body);
        }

        private static Map<String, String> fieldsOf(byte[] body) {
            Map<String, String> fields = new HashMap<>();
            Matcher field = FIELD.matcher(new String(body, StandardCharsets.UTF_8));
            while (field.find()) {
                fields.put(field.group(1), field.group(2));
            }
            return fields;
        }
    }
}

package io.envgrid.allocator.invariant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.envgrid.allocator.support.AllocatorCluster;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.EmbeddedRedis;
import io.envgrid.allocator.support.EmbeddedRedisCluster;
import io.envgrid.allocator.support.RedisClusterTestResource;
import io.envgrid.allocator.support.SyncRedis;
import io.vertx.redis.client.Response;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The lease invariants of lib.lua under real concurrency: three allocator replicas (separate JVMs
 * running the packaged service) on one Redis, ~200 client threads hammering them at random with
 * overlapping batch allocations, releases, renewals, retried request_ids and crashes (leases left
 * to expire). Afterwards the audit stream {@code {envgrid}:events} is replayed in order and must
 * show: (a) no grant of a resource while it has a live lease, (b) every release/expire names the
 * live lease, (c) fencing tokens strictly increasing per resource (and gap-free: the stream is
 * complete), (d) exactly the grants the clients received, with the same fencing token and lease_id,
 * (e) expiries and requests served by every replica, (f) every resource free at the end.
 *
 * <p>Half of the vm and device resources are registered with {@code reset}: the end of each of their
 * leases leaves them resetting until a concurrent "agent" thread (their owner) finds them in the
 * listing and reports the reset with the ended lease's fencing token (now and then first with a stale
 * token, refused with 409, or as failed, then re-registered; one in five is re-registered while
 * resetting first). The replay checks (g): such a resource
 * is never granted between the end of a lease and the report of that lease's reset, every resetting
 * names the lease that just ended, every report ends the reset it names, none is left resetting.
 *
 * <p>A second phase parks hundreds of waiters ({@code wait_ms}) on all three replicas while every
 * resource is held, crashes one replica with its waiters parked, and checks that its tickets are
 * withdrawn without anyone polling (the other replicas' reapers see it stop renewing its
 * liveness), that none of its waiters is granted anything, that the surviving waiters are all
 * served as the holders release (granted inside the releasing scripts), that waiters who give up
 * mid-queue get their 409, and that
 * the audit stream still replays clean and no queue state is left behind.
 *
 * <p>Runs in {@code mvn verify} (failsafe, after {@code package} built {@code target/quarkus-app}).
 * Replica logs go to {@code target/lease-invariant-it/} (suffixed {@code -cluster}, {@code -cells} in those modes). {@code -Dit.workers} and
 * {@code -Dit.load-seconds} change the load; {@code -Dit.redis=cluster} runs it all on a
 * three-master Redis Cluster ({@link EmbeddedRedisCluster}; the replicas use the cluster client, the
 * test reads the allocator's keys on the master owning their slot). {@code -Dit.cells=true} splits the pool into
 * two cells (vm and device in {@code {envgrid-desk}}, rag in {@code {tools}}: on the cluster two different
 * masters), every request then staying within one cell; each cell's stream is replayed (a resource lives in one).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LeaseInvariantIT {

    private static final List<String> TYPES = List.of("vm", "device", "rag");
    /** The resources registered with reset: the odd-numbered vm and device ones (10 of 30). */
    private static final Set<String> RESET_IDS = TYPES.stream().filter(t -> !"rag".equals(t))
            .flatMap(t -> IntStream.rangeClosed(1, 10).filter(i -> i % 2 == 1).mapToObj(i -> t + "-" + i))
            .collect(Collectors.toUnmodifiableSet());
    private static final int PER_TYPE = 10;
    private static final int RESOURCES = TYPES.size() * PER_TYPE;
    private static final int REPLICAS = 3;
    private static final int WORKERS = Integer.getInteger("it.workers", 200);
    /** Waiters parked per replica in the second phase. */
    private static final int WAITERS_PER_REPLICA = Integer.getInteger("it.waiters-per-replica", 100);
    /** The wait of the waiters who give up before anything is released (their tickets leave mid-queue). */
    private static final long IMPATIENT_MS = 6_000;
    private static final Duration LOAD = Duration.ofSeconds(Long.getLong("it.load-seconds", 15));
    private static final boolean IN_CELLS = Boolean.getBoolean("it.cells");
    /** The key prefix of each type's cell. */
    private static final Map<String, String> PREFIX_OF_TYPE = IN_CELLS
            ? Map.of("vm", "{envgrid-desk}:", "device", "{envgrid-desk}:", "rag", "{tools}:")
            : Map.of("vm", RedisClusterTestResource.PREFIX, "device", RedisClusterTestResource.PREFIX,
                    "rag", RedisClusterTestResource.PREFIX);
    /** The prefixes of the cells in use, and the types one request may mix (those of one cell). */
    private static final List<String> PREFIXES = PREFIX_OF_TYPE.values().stream().distinct().sorted().toList();
    private static final List<List<String>> REQUEST_GROUPS = PREFIXES.stream()
            .map(p -> TYPES.stream().filter(t -> PREFIX_OF_TYPE.get(t).equals(p)).toList()).toList();
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final boolean ON_CLUSTER = "cluster".equals(System.getProperty("it.redis"));

    private static AutoCloseable redisServers;
    /** Where the test itself reads each cell's keys (by prefix): the Redis, or the cluster master owning their slot. */
    private static final Map<String, String> REDIS_URL = new HashMap<>();
    private static AllocatorCluster cluster;
    private static HttpClient http;

    /** A grant as a client saw it in a 200 answer of /allocate. */
    private record Grant(String resourceId, String type, long fence, String leaseId, String worker) {
    }

    /** One entry of the audit stream. */
    private record Event(String streamId, String kind, String id, String type, String worker, String leaseId,
            long fence) {
    }

    private record Reply(int status, JsonNode body, boolean replayed) {

        String errorCode() {
            return body.path("error").path("code").asText();
        }
    }

    /** What the clients did and saw, shared by all worker threads. */
    private static final class Ledger {
        final ConcurrentMap<String, Grant> received = new ConcurrentHashMap<>();
        final Set<String> crashed = ConcurrentHashMap.newKeySet();
        final Set<String> confirmedReleased = ConcurrentHashMap.newKeySet();
        final AtomicLongArray requests = new AtomicLongArray(REPLICAS);
        final AtomicLong allocations = new AtomicLong();
        final AtomicLong insufficient = new AtomicLong();
        final AtomicLong replays = new AtomicLong();
        final AtomicLong settled = new AtomicLong();
        final AtomicLong renewals = new AtomicLong();
        final AtomicLong foreign = new AtomicLong();
        final AtomicLong resetsDone = new AtomicLong();
        final AtomicLong resetsFailed = new AtomicLong();
        final AtomicLong staleReports = new AtomicLong();
        final Queue<String> problems = new ConcurrentLinkedQueue<>();

        void problem(String format, Object... args) {
            problems.add(String.format(format, args));
        }
    }

    @BeforeAll
    static void startReplicas() {
        Map<String, String> properties = new HashMap<>(Map.of("envgrid.allocator.events-max-length", "10000000",
                "quarkus.log.category.\"io.envgrid.allocator.lease\".level", "DEBUG"));
        String hosts;
        if (ON_CLUSTER) {
            EmbeddedRedisCluster servers = EmbeddedRedisCluster.start();
            redisServers = servers;
            hosts = servers.hostsWithOwnerLast(RedisClusterTestResource.PREFIX);
            PREFIXES.forEach(prefix -> REDIS_URL.put(prefix, servers.ownerOf(prefix + "events").url()));
            properties.put("quarkus.redis.client-type", "cluster");
        } else {
            EmbeddedRedis server = EmbeddedRedis.start();
            redisServers = server;
            hosts = server.url();
            PREFIXES.forEach(prefix -> REDIS_URL.put(prefix, server.url()));
        }
        if (IN_CELLS) {
            properties.putAll(Map.of("envgrid.allocator.cells.desk.types", "vm,device",
                    "envgrid.allocator.cells.tools.types", "rag", "envgrid.allocator.cells.tools.key-prefix", "{tools}:"));
        }
        System.out.printf("LeaseInvariantIT: cells %s (on %s) on %s%n", PREFIXES, REDIS_URL, ON_CLUSTER ? "a 3-master Redis Cluster (" + hosts + ")" : hosts);
        // C1 only and a small serial heap: three JVMs start and run side by side on two cores.
        Path logs = Path.of("target", "lease-invariant-it" + (ON_CLUSTER ? "-cluster" : "") + (IN_CELLS ? "-cells" : ""));
        cluster = AllocatorCluster.start(REPLICAS, hosts, logs, properties,
                List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    @AfterAll
    static void stopReplicas() throws Exception {
        if (cluster != null) {
            cluster.close();
        }
        if (redisServers != null) {
            redisServers.close();
        }
    }

    @Test
    @Order(1)
    void leasesStayExclusiveAndFencedAcrossThreeReplicas() throws Exception {
        long started = System.nanoTime();
        registerPool();
        Ledger ledger = new Ledger();
        ResetAgent agent = new ResetAgent(ledger, REPLICAS);

        long deadline = System.nanoTime() + LOAD.toNanos();
        List<Thread> workers = IntStream.range(0, WORKERS)
                .mapToObj(n -> new Thread(() -> work(n, deadline, ledger), "lease-worker-" + n))
                .toList();
        workers.forEach(Thread::start);
        for (Thread w : workers) {
            w.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 60_000));
            assertTrue(!w.isAlive(), w.getName() + " is still running long after the load ended");
        }

        // Crashed workers' leases (at most 3 s) must be reaped; then the whole pool is free again.
        Conditions.await(LeaseInvariantIT::wholePoolFree, "every resource free after the load", Duration.ofSeconds(30));
        agent.close();

        List<Event> events = readEvents();
        List<String> violations = new ArrayList<>(ledger.problems);
        Map<String, Long> kinds = replay(events, ledger, violations);

        long[] perReplica = IntStream.range(0, REPLICAS).mapToLong(ledger.requests::get).toArray();
        System.out.printf("LeaseInvariantIT: grants=%d (clients received %d) releases=%d expiries=%d revokes=%d "
                        + "allocate calls=%d 409s=%d replays=%d settled=%d renewals=%d foreign=%d crashed leases=%d "
                        + "requests per replica=%s events=%d workers=%d load=%ds total=%.1fs "
                        + "resets: entered=%d done=%d failed=%d stale reports refused=%d%n",
                kinds.getOrDefault("grant", 0L), ledger.received.size(), kinds.getOrDefault("release", 0L),
                kinds.getOrDefault("expire", 0L), kinds.getOrDefault("revoke", 0L), ledger.allocations.get(),
                ledger.insufficient.get(), ledger.replays.get(), ledger.settled.get(), ledger.renewals.get(), ledger.foreign.get(),
                ledger.crashed.size(), java.util.Arrays.toString(perReplica), events.size(), WORKERS,
                LOAD.toSeconds(), (System.nanoTime() - started) / 1e9, kinds.getOrDefault("resetting", 0L),
                ledger.resetsDone.get(), ledger.resetsFailed.get(), ledger.staleReports.get());

        assertTrue(violations.isEmpty(), report(violations));
        // (g) resets happened, each report the agent saw accepted is in the stream, none timed out
        assertTrue(kinds.getOrDefault("resetting", 0L) > 0, "no resource went resetting");
        assertEquals(ledger.resetsDone.get(), kinds.getOrDefault("reset_done", 0L), "resets reported done");
        assertEquals(ledger.resetsFailed.get(), kinds.getOrDefault("reset_failed", 0L), "resets reported failed");
        assertEquals(0L, kinds.getOrDefault("reset_timeout", 0L), "resets timed out");
        // (d) the stream holds exactly the grants the clients received
        assertEquals(ledger.received.size(), kinds.getOrDefault("grant", 0L).intValue(),
                "grants in the stream vs distinct grants the clients received; not received: " + events.stream()
                        .filter(e -> "grant".equals(e.kind()) && !ledger.received.containsKey(e.leaseId())).toList());
        // (e) crashed workers' leases expired, and every replica served requests
        assertTrue(kinds.getOrDefault("expire", 0L) > 0, "no lease expired, though workers crashed");
        assertTrue(kinds.getOrDefault("release", 0L) > 0, "no lease was released");
        for (int i = 0; i < REPLICAS; i++) {
            assertTrue(perReplica[i] > 0, cluster.instance(i) + " served no request");
        }
        // (f) every resource free, as Redis itself (not only the stream) says
        assertTrue(wholePoolFree(), "the pool is not entirely free");
    }

    @Test
    @Order(2)
    void hundredsOfParkedWaitersAreServedByReleasesAndACrashedReplicasWaitersAreWithdrawn() throws Exception {
        long started = System.nanoTime();
        Conditions.await(LeaseInvariantIT::wholePoolFree, "the pool is free before the waiters come", Duration.ofSeconds(30));
        Ledger ledger = new Ledger();
        int crashed = REPLICAS - 1;
        // The agent talks to the replicas that survive; the resources it resets serve the waiters.
        ResetAgent agent = new ResetAgent(ledger, REPLICAS - 1);
        // Holders take every resource, so that every waiter queues.
        List<List<Grant>> held = new ArrayList<>();
        for (String type : TYPES) {
            for (int i = 0; i < PER_TYPE; i++) {
                String worker = "holder-" + type + "-" + i;
                Reply r = post(0, "/allocate", Map.of("worker_id", worker, "resource_types", List.of(type),
                        "timeout", 120), ledger);
                assertEquals(200, r.status(), "holder " + worker + ": " + r.body());
                List<Grant> grants = grants(r.body(), worker);
                record(ledger, Map.of("worker_id", worker), List.of(type), grants, false);
                held.add(grants);
            }
        }
        int total = WAITERS_PER_REPLICA * REPLICAS;
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        record Waiter(int replica, String worker, List<String> types, long waitMs,
                java.util.concurrent.CompletableFuture<HttpResponse<byte[]>> reply) { }
        List<Waiter> waiters = new ArrayList<>();
        for (int n = 0; n < total; n++) {
            int replica = n % REPLICAS;
            String worker = "waiter-" + n + "@" + replica;
            List<String> types = batch(rnd);
            // One in ten gives up before anything is released: its ticket is withdrawn mid-queue.
            long waitMs = replica != crashed && n % 10 == 1 ? IMPATIENT_MS : 120_000;
            Map<String, Object> body = Map.of("worker_id", worker, "resource_types", types, "timeout", 60,
                    "wait_ms", waitMs, "request_id", worker + ".r1");
            HttpRequest request = HttpRequest.newBuilder(cluster.instance(replica).uri("/allocate"))
                    .timeout(Duration.ofSeconds(180)).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))).build();
            waiters.add(new Waiter(replica, worker, types, waitMs,
                    http.sendAsync(request, HttpResponse.BodyHandlers.ofByteArray())));
        }
        List<Waiter> impatient = waiters.stream().filter(w -> w.waitMs() == IMPATIENT_MS).toList();
        Conditions.await(() -> tickets()
                        + impatient.stream().filter(w -> w.reply().isDone()).count() == total,
                "all " + total + " waiters queued", Duration.ofSeconds(60));
        // The crash: a replica dies with its waiters parked. Nobody polls; the other replicas'
        // reapers see it stop renewing its liveness and withdraw its tickets.
        cluster.instance(crashed).app().kill();
        long crashedAt = System.nanoTime();
        long survivors = waiters.stream().filter(w -> w.replica() != crashed && w.waitMs() != IMPATIENT_MS).count();
        Conditions.await(() -> tickets() == survivors
                        && impatient.stream().allMatch(w -> w.reply().isDone()),
                "the crashed replica's tickets and the impatient waiters' are withdrawn", Duration.ofSeconds(30));
        double withdrawnAfter = (System.nanoTime() - crashedAt) / 1e9;

        // Every release hands its resource to the head of the queue inside the releasing script;
        // each served waiter holds briefly and releases as soon as it has its answer, which
        // serves the next ones.
        java.util.concurrent.ExecutorService releasers = java.util.concurrent.Executors.newFixedThreadPool(16);
        java.util.concurrent.atomic.AtomicInteger served = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger servedLeases = new java.util.concurrent.atomic.AtomicInteger();
        List<java.util.concurrent.CompletableFuture<Void>> done = new ArrayList<>();
        for (Waiter w : waiters) {
            if (w.replica() == crashed || w.waitMs() == IMPATIENT_MS) {
                continue;
            }
            done.add(w.reply().thenAcceptAsync(response -> {
                try {
                    JsonNode body = JSON.readTree(response.body());
                    if (response.statusCode() != 200) {
                        ledger.problem("waiter %s answered %d %s", w.worker(), response.statusCode(), body);
                        return;
                    }
                    List<Grant> grants = grants(body, w.worker());
                    record(ledger, Map.of("worker_id", w.worker()), w.types(), grants, false);
                    served.incrementAndGet();
                    servedLeases.addAndGet(grants.size());
                    release(w.worker(), grants, ledger, ThreadLocalRandom.current(), REPLICAS - 1);
                } catch (IOException | InterruptedException e) {
                    ledger.problem("waiter %s: %s", w.worker(), e);
                }
            }, releasers));
        }
        for (List<Grant> grants : held) {
            Grant g = grants.get(0);
            Reply r = post(rnd.nextInt(REPLICAS - 1), "/release",
                    Map.of("worker_id", g.worker(), "resource_id", g.resourceId()), ledger);
            assertEquals(200, r.status(), "release " + g + ": " + r.body());
            ledger.confirmedReleased.add(g.leaseId());
        }
        java.util.concurrent.CompletableFuture.allOf(done.toArray(java.util.concurrent.CompletableFuture[]::new))
                .get(150, TimeUnit.SECONDS);
        releasers.shutdown();
        int gaveUp = 0;
        for (Waiter w : impatient) {
            HttpResponse<byte[]> response = w.reply().get();
            assertEquals(409, response.statusCode(), w.worker() + " gave up: " + new String(response.body()));
            gaveUp++;
        }
        for (Waiter w : waiters) {
            if (w.replica() == crashed) {
                assertTrue(w.reply().handle((r, e) -> e != null).get(30, TimeUnit.SECONDS),
                        w.worker() + " was answered by a dead replica");
            }
        }
        Conditions.await(LeaseInvariantIT::wholePoolFree, "every resource free after the waiters", Duration.ofSeconds(30));
        agent.close();
        assertTrue(ledger.resetsDone.get() > 0, "no reset was reported while the waiters were served");

        List<Event> events = readEvents();
        List<String> violations = new ArrayList<>(ledger.problems);
        replay(events, ledger, violations);
        for (Event e : events) {
            if ("grant".equals(e.kind()) && e.worker().endsWith("@" + crashed)) {
                violations.add("a waiter of the crashed replica was granted " + e);
            }
        }
        assertTrue(violations.isEmpty(), report(violations));
        assertEquals(held.size() + servedLeases.get(), ledger.received.size(), "leases received in this phase");
        // No queue state is left behind: tickets, their records, queue counters, request index.
        for (String prefix : PREFIXES) {
            try (SyncRedis client = new SyncRedis(REDIS_URL.get(prefix))) {
                for (String pattern : List.of("t:*", "q:*", "qs:*", "qr:*", "qw:*")) {
                    assertEquals(0, client.call("KEYS", prefix + pattern).size(), "keys left: " + prefix + pattern);
                }
            }
        }
        System.out.printf("LeaseInvariantIT waiters: %d parked on %d replicas, replica %d crashed with %d parked "
                        + "(tickets withdrawn %.1fs after the crash), %d gave up, %d served, %d resets done, %.1fs%n", total,
                REPLICAS, crashed, WAITERS_PER_REPLICA, withdrawnAfter, gaveUp, served.get(),
                ledger.resetsDone.get(), (System.nanoTime() - started) / 1e9);
    }

    /** Violations grouped by check ((a), (b), ..., or what the clients saw), with a few examples of each. */
    private static String report(List<String> violations) {
        Map<String, List<String>> byCheck = violations.stream().collect(Collectors.groupingBy(
                v -> v.startsWith("(") ? v.substring(0, v.indexOf(')') + 1) : "clients", java.util.TreeMap::new,
                Collectors.toList()));
        StringBuilder out = new StringBuilder(violations.size() + " violation(s)");
        byCheck.forEach((check, list) -> {
            out.append("\n").append(check).append(": ").append(list.size());
            list.stream().limit(5).forEach(v -> out.append("\n    ").append(v));
        });
        return out.toString();
    }

    // ---- the workload ------------------------------------------------------------------------

    private static void registerPool() throws IOException, InterruptedException {
        int n = 0;
        for (String type : TYPES) {
            for (int i = 1; i <= PER_TYPE; i++) {
                String id = type + "-" + i;
                Reply r = post(n++ % REPLICAS, "/resources", registration(id), null);
                assertEquals(201, r.status(), "register " + id + ": " + r.body());
            }
        }
        assertTrue(wholePoolFree(), "the pool is registered and free");
    }

    /** The registration of one pool resource (its id is {@code <type>-<n>}), with reset for {@link #RESET_IDS}. */
    private static Map<String, Object> registration(String id) {
        String type = id.substring(0, id.lastIndexOf('-'));
        String n = id.substring(id.lastIndexOf('-') + 1);
        return Map.of("id", id, "type", type, "endpoint", Map.of("ip", "10.0.0." + n, "port", 5000),
                "labels", Map.of("zone", "a"), "reset", RESET_IDS.contains(id));
    }

    /**
     * The owner of the resources that need a reset, on a thread of its own: finds the resetting ones in
     * the listing of a random replica and reports each reset done with the fencing token the listing
     * shows (the ended lease's: nothing is granted in between). One report in ten is preceded by one
     * with an older token (must be 409 STALE_FENCING_TOKEN); one in five is first re-registered while
     * resetting (it must stay resetting); one in twenty-five is reported failed and the resource
     * re-registered, as an owner that repaired it would: that starts the owed reset again (resetting, same
     * token), which this agent then reports done like any other.
     */
    private static final class ResetAgent implements AutoCloseable {
        private final Ledger ledger;
        private final int replicas;
        private final Thread thread;
        private volatile boolean running = true;

        ResetAgent(Ledger ledger, int replicas) {
            this.ledger = ledger;
            this.replicas = replicas;
            this.thread = new Thread(this::run, "reset-agent");
            thread.start();
        }

        private void run() {
            ThreadLocalRandom rnd = ThreadLocalRandom.current();
            try {
                while (running) {
                    Reply listing = get(rnd.nextInt(replicas), "/resources?state=resetting");
                    if (listing.status() != 200) {
                        ledger.problem("resetting listing answered %d %s", listing.status(), listing.body());
                    }
                    for (JsonNode resource : listing.body()) {
                        reportReset(resource.path("id").asText(), resource.path("fencing_token").asLong(), rnd);
                    }
                    pauseMillis(rnd, 1, 10); // the agent's own pace, not a wait for the service
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable t) {
                ledger.problem("reset agent failed: %s", t);
            }
        }

        private void reportReset(String id, long fence, ThreadLocalRandom rnd) throws IOException, InterruptedException {
            if (!RESET_IDS.contains(id)) {
                ledger.problem("%s is resetting, though registered without reset", id);
                return;
            }
            String path = "/resources/" + id + "/reset";
            if (rnd.nextInt(5) == 0) {
                // An owner re-registering mid-reset (as after a restart) must not put it back in the pool.
                Reply again = post(rnd.nextInt(replicas), "/resources", registration(id), null);
                if (again.status() != 200 || !"resetting".equals(again.body().path("state").asText())) {
                    ledger.problem("re-registering resetting %s answered %d %s", id, again.status(), again.body());
                }
            }
            if (fence > 1 && rnd.nextInt(10) == 0) {
                Reply stale = post(rnd.nextInt(replicas), path, Map.of("fencing_token", fence - 1, "outcome", "done"), null);
                if (stale.status() == 409 && "STALE_FENCING_TOKEN".equals(stale.errorCode())) {
                    ledger.staleReports.incrementAndGet();
                } else {
                    ledger.problem("stale reset of %s at %d answered %d %s", id, fence - 1, stale.status(), stale.body());
                }
            }
            boolean fail = rnd.nextInt(25) == 0;
            Reply reply = post(rnd.nextInt(replicas), path, Map.of("fencing_token", fence,
                    "outcome", fail ? "failed" : "done", "reason", "agent test"), null);
            if (reply.status() != 200) {
                ledger.problem("reset of %s at %d answered %d %s", id, fence, reply.status(), reply.body());
            } else if (fail) {
                ledger.resetsFailed.incrementAndGet();
                Reply again = post(rnd.nextInt(replicas), "/resources", registration(id), null);
                if (again.status() != 200) {
                    ledger.problem("re-registering %s answered %d %s", id, again.status(), again.body());
                }
            } else {
                ledger.resetsDone.incrementAndGet();
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(30_000);
            assertTrue(!thread.isAlive(), "the reset agent did not stop");
        }
    }

    /** One client: allocate, hold a little, then release, renew+release or crash; until the deadline. */
    private static void work(int n, long deadline, Ledger ledger) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        int incarnation = 0;
        long seq = 0;
        String worker = "w" + n + "." + incarnation;
        try {
            while (System.nanoTime() < deadline) {
                List<String> types = batch(rnd);
                Map<String, Object> request = new LinkedHashMap<>();
                request.put("worker_id", worker);
                request.put("resource_types", types);
                request.put("timeout", 1 + rnd.nextInt(3));
                request.put("wait_ms", rnd.nextInt(5) == 0 ? 50 + rnd.nextInt(450) : 0);
                request.put("request_id", worker + ".r" + ++seq);

                Reply reply = allocate(request, ledger, rnd);
                if (reply == null) {
                    return; // outcome unknown: recorded as a problem, this client stops
                }
                ledger.allocations.incrementAndGet();
                if (reply.status() == 409 && "INSUFFICIENT_RESOURCES".equals(reply.errorCode())) {
                    ledger.insufficient.incrementAndGet();
                    pauseMillis(rnd, 5, 30); // back off a little, as a real client would
                    continue;
                }
                if (reply.status() != 200) {
                    ledger.problem("allocate %s answered %d %s", request, reply.status(), reply.body());
                    continue;
                }
                List<Grant> grants = grants(reply.body(), worker);
                record(ledger, request, types, grants, reply.replayed());

                if (rnd.nextInt(20) == 0) {
                    // A client that lost the answer retries with the same request_id: same grants, no new lease.
                    Reply again = post(rnd.nextInt(REPLICAS), "/allocate", request, ledger);
                    if (again.status() == 409 && "REQUEST_ID_SETTLED".equals(again.errorCode())
                            && System.currentTimeMillis() >= earliestExpiry(reply.body())) {
                        // a lease of the first answer ran out before the retry (1-3 s leases on a busy
                        // machine): the replay must not hand it out again
                        ledger.settled.incrementAndGet();
                    } else if (again.status() != 200 || !again.replayed()
                            || !new java.util.HashSet<>(grants(again.body(), worker)).equals(new java.util.HashSet<>(grants))) {
                        ledger.problem("retried request %s answered %d replayed=%s %s, first answer %s", request,
                                again.status(), again.replayed(), again.body(), grants);
                    } else {
                        ledger.replays.incrementAndGet();
                    }
                }

                pauseMillis(rnd, 0, 20); // the work done with the resources
                int action = rnd.nextInt(100);
                // Every 25th worker crashes on its first grant, so that expiries happen whatever the dice say.
                if (action < 6 || (n % 25 == 0 && incarnation == 0)) {
                    // Crash: the leases are left to expire; the worker comes back under a new identity.
                    grants.forEach(g -> ledger.crashed.add(g.leaseId()));
                    worker = "w" + n + "." + ++incarnation;
                    continue;
                }
                if (action < 30) {
                    renew(worker, grants, ledger, rnd);
                }
                release(worker, grants, ledger, rnd);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            ledger.problem("%s interrupted", worker);
        } catch (Throwable t) {
            ledger.problem("%s failed: %s", worker, t);
        }
    }

    /** 1-3 types of one cell; usually distinct, sometimes with repeats. */
    private static List<String> batch(ThreadLocalRandom rnd) {
        List<String> types = REQUEST_GROUPS.get(rnd.nextInt(REQUEST_GROUPS.size()));
        int size = 1 + rnd.nextInt(3);
        if (rnd.nextInt(4) == 0 || size > types.size()) {
            return IntStream.range(0, size).mapToObj(i -> types.get(rnd.nextInt(types.size()))).toList();
        }
        List<String> shuffled = new ArrayList<>(types);
        Collections.shuffle(shuffled, rnd);
        return List.copyOf(shuffled.subList(0, size));
    }

    /** POST /allocate on a random replica; an I/O failure is retried with the same request_id (at most 3 tries). */
    private static Reply allocate(Map<String, Object> request, Ledger ledger, ThreadLocalRandom rnd)
            throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return post(rnd.nextInt(REPLICAS), "/allocate", request, ledger);
            } catch (IOException e) {
                if (attempt == 3) {
                    ledger.problem("allocate %s: outcome unknown after %d tries: %s", request, attempt, e);
                    return null;
                }
            }
        }
    }

    private static void record(Ledger ledger, Map<String, Object> request, List<String> types, List<Grant> grants,
            boolean replayed) {
        List<String> asked = new ArrayList<>(types);
        List<String> got = new ArrayList<>(grants.stream().map(Grant::type).toList());
        Collections.sort(asked);
        Collections.sort(got);
        if (!asked.equals(got)) {
            ledger.problem("allocate %s granted types %s", request, got);
        }
        if (grants.stream().map(Grant::resourceId).distinct().count() != grants.size()) {
            ledger.problem("allocate %s granted one resource twice: %s", request, grants);
        }
        for (Grant g : grants) {
            Grant earlier = ledger.received.putIfAbsent(g.leaseId(), g);
            if (earlier != null && (!replayed || !earlier.equals(g))) {
                ledger.problem("lease_id %s received twice: %s and %s (replayed=%s)", g.leaseId(), earlier, g, replayed);
            }
        }
    }

    private static void renew(String worker, List<Grant> grants, Ledger ledger, ThreadLocalRandom rnd)
            throws IOException, InterruptedException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("worker_id", worker);
        body.put("timeout", 1 + rnd.nextInt(3));
        if (rnd.nextBoolean()) {
            body.put("resource_ids", grants.stream().map(Grant::resourceId).toList());
        }
        Reply reply = post(rnd.nextInt(REPLICAS), "/renew", body, ledger);
        if (reply.status() == 200) {
            ledger.renewals.incrementAndGet();
        } else if (reply.status() == 403) {
            ledger.foreign.incrementAndGet(); // our lease expired meanwhile and went to another worker
        } else {
            ledger.problem("renew %s answered %d %s", body, reply.status(), reply.body());
        }
    }

    private static void release(String worker, List<Grant> grants, Ledger ledger, ThreadLocalRandom rnd)
            throws IOException, InterruptedException {
        release(worker, grants, ledger, rnd, REPLICAS);
    }

    /** Releases on a random one of the first {@code replicas} replicas. */
    private static void release(String worker, List<Grant> grants, Ledger ledger, ThreadLocalRandom rnd, int replicas)
            throws IOException, InterruptedException {
        Map<String, String> leaseOf = grants.stream()
                .collect(Collectors.toMap(Grant::resourceId, Grant::leaseId, (first, twice) -> first));
        List<Reply> replies = new ArrayList<>();
        List<Object> bodies = new ArrayList<>();
        if (grants.size() > 1 && rnd.nextBoolean()) {
            Map<String, Object> body = Map.of("worker_id", worker, "resource_ids", List.copyOf(leaseOf.keySet()));
            bodies.add(body);
            replies.add(post(rnd.nextInt(replicas), "/release/batch", body, ledger));
        } else {
            for (Grant g : grants) {
                Map<String, Object> body = Map.of("worker_id", worker, "resource_id", g.resourceId());
                bodies.add(body);
                replies.add(post(rnd.nextInt(replicas), "/release", body, ledger));
            }
        }
        for (int i = 0; i < replies.size(); i++) {
            Reply reply = replies.get(i);
            if (reply.status() == 403) {
                ledger.foreign.incrementAndGet(); // expired meanwhile and re-granted: correctly refused
            } else if (reply.status() != 200) {
                ledger.problem("release %s answered %d %s", bodies.get(i), reply.status(), reply.body());
            } else {
                reply.body().path("details").properties().forEach(e -> {
                    if ("released".equals(e.getValue().asText())) {
                        ledger.confirmedReleased.add(leaseOf.get(e.getKey()));
                    }
                });
            }
        }
    }

    private static List<Grant> grants(JsonNode body, String worker) {
        List<Grant> grants = new ArrayList<>();
        body.properties().forEach(e -> {
            JsonNode g = e.getValue();
            grants.add(new Grant(g.path("id").asText(), g.path("type").asText(), g.path("fencing_token").asLong(),
                    g.path("lease_id").asText(), worker));
        });
        return grants;
    }

    /** The earliest {@code expires_at} among an allocation answer's grants, epoch ms. */
    private static long earliestExpiry(JsonNode body) {
        long earliest = Long.MAX_VALUE;
        for (JsonNode g : body) {
            earliest = Math.min(earliest, java.time.Instant.parse(g.path("expires_at").asText()).toEpochMilli());
        }
        return earliest;
    }

    private static void pauseMillis(ThreadLocalRandom rnd, int min, int max) {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(min + rnd.nextInt(max - min + 1)));
    }

    // ---- HTTP ---------------------------------------------------------------------------------

    private static Reply post(int replica, String path, Object body, Ledger ledger) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(cluster.instance(replica).uri(path))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)))
                .build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (ledger != null) {
            ledger.requests.incrementAndGet(replica);
        }
        return new Reply(response.statusCode(),
                response.body().length == 0 ? MissingNode.getInstance() : JSON.readTree(response.body()),
                response.headers().firstValue("X-Envgrid-Replayed").map(Boolean::parseBoolean).orElse(false));
    }

    private static Reply get(int replica, String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(cluster.instance(replica).uri(path))
                .timeout(Duration.ofSeconds(30)).GET().build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        return new Reply(response.statusCode(), JSON.readTree(response.body()), false);
    }

    private static boolean wholePoolFree() {
        try {
            HttpRequest request = HttpRequest.newBuilder(cluster.instance(0).uri("/stats"))
                    .timeout(Duration.ofSeconds(10)).GET().build();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            JsonNode total = JSON.readTree(response.body()).path("total");
            return response.statusCode() == 200 && total.path("total").asInt() == RESOURCES
                    && total.path("free").asInt() == RESOURCES && total.path("leased").asInt() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the audit stream ---------------------------------------------------------------------

    /** The waiters' tickets queued in every cell. */
    private static long tickets() {
        long queued = 0;
        for (String prefix : PREFIXES) {
            try (SyncRedis client = new SyncRedis(REDIS_URL.get(prefix))) {
                queued += client.call("ZCARD", prefix + "tickets").toLong();
            }
        }
        return queued;
    }

    /** Every cell's audit stream, each oldest first (a resource's events are all in its cell's stream). */
    private static List<Event> readEvents() {
        List<Event> events = new ArrayList<>();
        for (String prefix : PREFIXES) {
            events.addAll(readEvents(prefix));
        }
        return events;
    }

    /** The whole of {@code <prefix>events}, oldest first, read in pages with XRANGE. */
    private static List<Event> readEvents(String prefix) {
        List<Event> events = new ArrayList<>();
        String stream = prefix + "events";
        try (SyncRedis client = new SyncRedis(REDIS_URL.get(prefix))) {
            String from = "-";
            while (true) {
                Response page = client.call("XRANGE", stream, from, "+", "COUNT", "5000");
                if (page == null || page.size() == 0) {
                    break;
                }
                for (Response entry : page) {
                    Map<String, String> f = new HashMap<>();
                    Response fields = entry.get(1);
                    for (int i = 0; i + 1 < fields.size(); i += 2) {
                        f.put(fields.get(i).toString(), fields.get(i + 1).toString());
                    }
                    String fence = f.getOrDefault("fence", "");
                    events.add(new Event(entry.get(0).toString(), f.get("kind"), f.get("id"), f.get("type"),
                            f.get("worker"), f.get("lease_id"), fence.isEmpty() ? -1 : Long.parseLong(fence)));
                }
                from = "(" + events.get(events.size() - 1).streamId();
            }
            long length = client.call("XLEN", stream).toLong();
            assertEquals(length, events.size(), "XRANGE read the whole stream " + stream);
            // (f) in Redis' own structures too (invariants I1, I2 of lib.lua): no lease, every id free.
            assertEquals(0, client.call("ZCARD", prefix + "leases").toLong(), "leases left in " + prefix + "leases");
            assertEquals(0, client.call("ZCARD", prefix + "resetting").toLong(), "resets left in " + prefix + "resetting");
            for (String type : TYPES) {
                if (PREFIX_OF_TYPE.get(type).equals(prefix)) {
                    assertEquals(PER_TYPE, client.call("ZCARD", prefix + "free:" + type).toLong(), prefix + "free:" + type);
                }
            }
        }
        return events;
    }

    /** Replays the stream in order, checking (a)-(d), (f) and (g); returns the count of events per kind. */
    private static Map<String, Long> replay(List<Event> events, Ledger ledger, List<String> violations) {
        Map<String, Event> live = new HashMap<>();
        // (g) a reset resource whose lease just ended (its resetting event comes next), and one resetting
        Map<String, Long> endedAwaitingReset = new HashMap<>();
        Map<String, Long> resetting = new HashMap<>();
        // (g) resets owed after a failed or timed-out reset (or a revoked lease): a re-registration starts them again
        Map<String, Long> owed = new HashMap<>();
        Map<String, Long> lastFence = new HashMap<>();
        Map<String, Event> granted = new HashMap<>();
        Map<String, String> endedBy = new HashMap<>();
        Map<String, Long> kinds = new HashMap<>();
        for (Event e : events) {
            kinds.merge(e.kind(), 1L, Long::sum);
            switch (e.kind()) {
                case "grant" -> {
                    Event holder = live.get(e.id());
                    if (holder != null) {
                        violations.add("(a) " + e + " while " + holder + " is live");
                    }
                    if (resetting.containsKey(e.id()) || endedAwaitingReset.containsKey(e.id()) || owed.containsKey(e.id())) {
                        violations.add("(g) " + e + " while resetting after fencing token "
                                + resetting.getOrDefault(e.id(), endedAwaitingReset.getOrDefault(e.id(), owed.get(e.id()))));
                    }
                    long previous = lastFence.getOrDefault(e.id(), 0L);
                    if (e.fence() <= previous) {
                        violations.add("(c) fencing token " + e.fence() + " after " + previous + ": " + e);
                    } else if (e.fence() != previous + 1) {
                        violations.add("(c) fencing token " + e.fence() + " after " + previous
                                + ": a grant is missing from the stream: " + e);
                    }
                    if (!e.leaseId().equals(e.id() + ":" + e.fence())) {
                        violations.add("lease_id does not match resource and fence: " + e);
                    }
                    if (granted.put(e.leaseId(), e) != null) {
                        violations.add("(c) lease_id granted twice: " + e);
                    }
                    lastFence.put(e.id(), Math.max(previous, e.fence()));
                    live.put(e.id(), e);
                }
                case "release", "expire", "revoke", "abandon" -> {
                    Event holder = live.remove(e.id());
                    if (holder == null) {
                        violations.add("(b) " + e + " but " + e.id() + " has no live lease");
                    } else if (!holder.leaseId().equals(e.leaseId()) || holder.fence() != e.fence()
                            || !holder.worker().equals(e.worker())) {
                        violations.add("(b) " + e + " does not name the live lease " + holder);
                    }
                    endedBy.put(e.leaseId(), e.kind());
                    if (RESET_IDS.contains(e.id())) {
                        ("revoke".equals(e.kind()) ? owed : endedAwaitingReset).put(e.id(), e.fence());
                    }
                }
                case "resetting" -> {
                    Long ended = endedAwaitingReset.containsKey(e.id()) ? endedAwaitingReset.remove(e.id()) : owed.remove(e.id());
                    if (ended == null || ended != e.fence()) {
                        violations.add("(g) " + e + " does not follow the end of its lease (ended: " + ended + ")");
                    }
                    resetting.put(e.id(), e.fence());
                }
                case "reset_done", "reset_failed", "reset_timeout" -> {
                    Long fence = resetting.remove(e.id());
                    if (fence == null || fence != e.fence()) {
                        violations.add("(g) " + e + " ends no reset of that lease (resetting after: " + fence + ")");
                    } else if (!"reset_done".equals(e.kind())) {
                        owed.put(e.id(), fence);
                    }
                }
                case "drain", "undrain" -> {
                    // inventory actions, audited with who did them; no lease changes
                }
                default -> violations.add("unknown event kind: " + e);
            }
        }
        // (f) nothing is left leased at the end of the stream
        live.values().forEach(e -> violations.add("(f) still live at the end of the stream: " + e));
        endedAwaitingReset.forEach((id, fence) -> violations.add("(g) " + id + " never went resetting after " + fence));
        resetting.forEach((id, fence) -> violations.add("(g) " + id + " still resetting after " + fence));
        owed.forEach((id, fence) -> violations.add("(g) " + id + " still owes the reset after " + fence));

        // (d) every grant a client received is in the stream, identical
        for (Grant g : ledger.received.values()) {
            Event e = granted.get(g.leaseId());
            if (e == null) {
                violations.add("(d) grant received by a client is not in the stream: " + g);
            } else if (!e.id().equals(g.resourceId()) || e.fence() != g.fence() || !e.worker().equals(g.worker())
                    || !e.type().equals(g.type())) {
                violations.add("(d) client saw " + g + " but the stream has " + e);
            }
        }
        // What the clients did shows in how the leases ended.
        for (String lease : ledger.crashed) {
            if (!"expire".equals(endedBy.get(lease))) {
                violations.add("lease " + lease + " of a crashed worker ended by " + endedBy.get(lease) + ", not expiry");
            }
        }
        for (String lease : ledger.confirmedReleased) {
            if (!"release".equals(endedBy.get(lease))) {
                violations.add("lease " + lease + " confirmed released ended by " + endedBy.get(lease));
            }
        }
        return kinds;
    }
}

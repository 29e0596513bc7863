package io.envgrid.clustertest;

import io.envgrid.testsupport.process.PackagedApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.clustertest.support.AuditReplay;
import io.envgrid.clustertest.support.Conditions;
import io.envgrid.clustertest.support.FreePort;
import io.envgrid.clustertest.support.Grant;
import io.envgrid.clustertest.support.ClusterServices;
import io.envgrid.clustertest.support.SoakWorkers;
import io.envgrid.clustertest.support.TcpRoundRobinProxy;
import io.envgrid.clustertest.support.WorkerLedger;
import io.envgrid.testsupport.redis.RedisSentinels;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole cluster under load and faults (issue 15): every service a real process from its packaged application —
 * two gateways behind a round-robin TCP proxy, two allocators behind another, a vm-controller, a device agent hosting
 * {@value #DESKTOPS} desktops (Xvfb each), rag-service with {@value #COLLECTIONS} collections, and Redis as master,
 * replica and three Sentinels, every Redis client on the Sentinel client. {@code soak.workers} MCP workers (the
 * official TypeScript SDK, {@code tools/mcp-client/soak.mjs}, {@value #WORKERS_PER_PROCESS} per process) run the whole
 * flow for {@code soak.duration}: allocate a desktop and a rag collection with waiting, set up, screenshot, click,
 * search, release. Meanwhile one fault at a time, each recovered from before the next: a worker process killed
 * mid-lease (twice), an allocator, a gateway and the device agent killed (SIGKILL, restarted on the same port), the
 * Redis master killed (the Sentinels promote the replica; the old master comes back as its replica).
 *
 * <p>Afterwards: every resource back in the pool (free, desktops reset), the audit stream replays with no double grant
 * and fencing tokens increasing per resource, every grant a worker received is in it and every release confirmed to a
 * worker ended its lease, the killed workers' leases were reclaimed, the surviving workers finished, and every error a
 * worker saw is a clean, retryable one ({@link #CLEAN}; {@link #WHILE_DESKTOPS_DOWN} only while the device agent was
 * down).
 */
class SoakIT {

    private static final Duration SOAK = Duration.parse(System.getProperty("soak.duration", "PT3M"));
    private static final int WORKERS = Integer.getInteger("soak.workers", 24);
    private static final int WORKERS_PER_PROCESS = 4;
    private static final int DESKTOPS = 4;
    private static final int COLLECTIONS = 4;
    /** Lease length the workers ask for; the gateway renews it while their session lives. */
    private static final int LEASE_SECONDS = 40;
    private static final String IDLE_TIMEOUT = "20s";
    private static final String OPERATOR_TOKEN = "soak-operator-token";
    private static final String EVENTS = "{envgrid}:events";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    /**
     * What a worker may see and still call the run clean: refusals that say "not now, try again" — not enough free (409),
     * a lease that ended under it (409, after a reclaim or a restart), a dependency down or failing over (503), a rate
     * limit (429) — and, at the transport, the MCP session gone with a replica or Redis (404: the client starts a new
     * one) or the connection cut by a replica that died (the TCP proxy cannot hide that). Never a timeout (a hang),
     * never another 5xx.
     */
    static final Set<String> CLEAN = Set.of("tool:INSUFFICIENT_RESOURCES", "tool:LEASE_NOT_LIVE", "tool:REDIS_UNAVAILABLE",
            "tool:REPLICATION_TIMEOUT", "tool:BACKEND_CIRCUIT_OPEN", "tool:BACKEND_BUSY", "tool:BACKEND_NOT_READY",
            "tool:ALLOCATOR_UNAVAILABLE", "tool:DESKTOP_UNAVAILABLE", "tool:VM_CIRCUIT_OPEN", "tool:RATE_LIMITED", "http:404",
            "http:503",
            "transport");

    private static Path repo;
    private static Path logs;
    /** The desktops' home root: a temporary directory, removed when the cluster stops. */
    private static Path desktopHomes;
    private static RedisSentinels redis;
    private static final List<PackagedApp> allocators = new ArrayList<>();
    private static final List<PackagedApp> gateways = new ArrayList<>();
    private static PackagedApp vmController;
    private static PackagedApp rag;
    private static PackagedApp agent;
    private static TcpRoundRobinProxy allocatorProxy;
    private static TcpRoundRobinProxy gatewayProxy;

    /**
     * One injected fault: what, when (s after the load started, and epoch ms), and how long until the cluster had
     * recovered.
     */
    private record Fault(String what, long atSecond, Duration recovered, String detail, long atEpochMs) {

        /** Whether a call that ended at {@code epochMs} ended while this fault lasted, or within {@code grace} after. */
        boolean covers(long epochMs, Duration grace) {
            return epochMs >= atEpochMs && epochMs <= atEpochMs + recovered.plus(grace).toMillis();
        }
    }

    /**
     * What a call may see only while the device agent is down (its kill until its desktops are up again, and a few
     * seconds for calls already under way): the VM's OSWorld server died under the call (502 {@code VM_UNREACHABLE}).
     * Any other time it is a fault of envgrid's.
     */
    static final Set<String> WHILE_DESKTOPS_DOWN = Set.of("tool:VM_UNREACHABLE");
    private static final Duration IN_FLIGHT_GRACE = Duration.ofSeconds(5);

    @BeforeAll
    static void startCluster() throws IOException {
        repo = Path.of(System.getProperty("envgrid.repo.root", "..")).toAbsolutePath().normalize();
        logs = Files.createDirectories(Path.of("target", "soak").toAbsolutePath());
        long started = System.nanoTime();
        redis = RedisSentinels.start(logs.resolve("redis"));
        Map<String, String> sentinel = Map.of("quarkus.redis.client-type", "sentinel",
                "quarkus.redis.hosts", redis.sentinelHosts(),
                "quarkus.redis.master-name", RedisSentinels.MASTER_NAME,
                "quarkus.redis.role", "master",
                "quarkus.redis.timeout", "2s");

        int allocatorProxyPort = FreePort.next();
        String allocatorUrl = "http://127.0.0.1:" + allocatorProxyPort;
        for (int i = 1; i <= 2; i++) {
            Map<String, String> settings = new HashMap<>(sentinel);
            settings.putAll(Map.of("envgrid.allocator.auth", "open",
                    // the strongest mode of the allocator README's "Failover": an answered grant is on the replica
                    // (WAIT), and tokens after a failover sort above any issued before it
                    "envgrid.allocator.fencing", "clock",
                    "envgrid.allocator.redis.wait-replicas", "1",
                    "envgrid.allocator.events-max-length", "10000000"));
            allocators.add(ClusterServices.start(repo, logs, "allocator-" + i, "resource-allocator-service", FreePort.next(),
                    settings));
        }
        allocatorProxy = new TcpRoundRobinProxy("allocators", allocatorProxyPort,
                allocators.stream().map(PackagedApp::port).toList());

        Map<String, String> vmSettings = new HashMap<>(sentinel);
        vmSettings.put("envgrid.allocator.url", allocatorUrl);
        // as the allocators: an answered session opening is on the replica, so the master's kill loses none
        vmSettings.put("envgrid.vm-controller.redis.wait-replicas", "1");
        vmController = ClusterServices.start(repo, logs, "vm-controller", "vm-controller-service", FreePort.next(), vmSettings);

        int ragPort = FreePort.next();
        rag = ClusterServices.start(repo, logs, "rag", "rag-service", ragPort, Map.of(
                "envgrid.rag.index-dir", Files.createDirectories(logs.resolve("rag-index")).toString(),
                "envgrid.rag.instance-id", "soak",
                "envgrid.rag.public-url", "http://127.0.0.1:" + ragPort,
                "envgrid.allocator.url", allocatorUrl,
                "envgrid.allocator.service-token", OPERATOR_TOKEN));
        for (int c = 0; c < COLLECTIONS; c++) {
            ingest("c" + c);
        }

        agent = ClusterServices.start(repo, logs, "device-agent", "device-agent-service", FreePort.next(), agentSettings(allocatorUrl));

        Map<String, String> gatewaySettings = new HashMap<>(sentinel);
        gatewaySettings.putAll(Map.of("envgrid.gateway.auth", "open",
                "envgrid.allocator.url", allocatorUrl,
                "envgrid.vm-controller.url", vmController.url(),
                "envgrid.rag.url", rag.url(),
                // a crashed client's session ends (and its leases are released) after this; the keep-alive renews
                // the leases of live sessions well before LEASE_SECONDS
                "envgrid.gateway.mcp.session-idle-timeout", IDLE_TIMEOUT,
                "envgrid.gateway.mcp.sweep-interval", "1s",
                "envgrid.gateway.leases.keepalive-interval", "5s",
                // renewals keep the workers' lease length, so a lease nobody releases expires within the check's wait
                "envgrid.gateway.leases.renew-timeout-seconds", Integer.toString(LEASE_SECONDS)));
        for (int i = 1; i <= 2; i++) {
            gateways.add(ClusterServices.start(repo, logs, "gateway-" + i, "gateway-service", FreePort.next(), gatewaySettings));
        }
        gatewayProxy = new TcpRoundRobinProxy("gateways", 0, gateways.stream().map(PackagedApp::port).toList());

        Conditions.await("every desktop and collection free", Duration.ofSeconds(180), () -> poolSettled(stats()));
        System.out.printf("SoakIT: cluster up in %d s (logs in %s)%n", Duration.ofNanos(System.nanoTime() - started).toSeconds(),
                logs);
    }

    private static Map<String, String> agentSettings(String allocatorUrl) throws IOException {
        // under the temporary directory, not target/: the desktops' users (uid 61000 + i when the agent runs as root)
        // must pass through every directory above their homes (o+x), and a checkout may sit under a 0700 directory
        desktopHomes = Files.createTempDirectory("envgrid-soak-desktops",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
        Map<String, String> settings = new HashMap<>();
        settings.put("envgrid.device-agent.data-dir", Files.createDirectories(logs.resolve("agent-data")).toString());
        settings.put("envgrid.device-agent.agent-id", "soak");
        settings.put("envgrid.device-agent.public-url", "http://127.0.0.1:${quarkus.http.port}");
        settings.put("envgrid.device-agent.registration.heartbeat-interval", "1s");
        settings.put("envgrid.device-agent.linux-host.enabled", "false");
        settings.put("envgrid.device-agent.adb.enabled", "false");
        settings.put("envgrid.device-agent.desktops.count", Integer.toString(DESKTOPS));
        settings.put("envgrid.device-agent.desktops.first-port", Integer.toString(FreePort.consecutive(DESKTOPS)));
        // no display numbers: each desktop's Xvfb picks a free one itself (-displayfd); an unknown setting stops the agent
        settings.put("envgrid.device-agent.desktops.home-root", desktopHomes.resolve("homes").toString());
        settings.put("envgrid.allocator.url", allocatorUrl);
        settings.put("quarkus.shutdown.timeout", "1s");
        return settings;
    }

    private static void ingest(String collection) {
        StringBuilder lines = new StringBuilder();
        for (int d = 0; d < 20; d++) {
            lines.append(JSON.createObjectNode().put("id", collection + "-" + d)
                    .put("text", "Document " + d + " of " + collection + ": a lease expires unless renewed; fencing tokens "
                            + "order the grants of one resource; a desktop is reset between leases.")).append('\n');
        }
        HttpRequest request = HttpRequest.newBuilder(URI.create(rag.url() + "/collections/" + collection + "/documents"))
                .header("Authorization", "Bearer " + OPERATOR_TOKEN).header("Content-Type", "application/x-ndjson")
                .POST(HttpRequest.BodyPublishers.ofString(lines.toString())).build();
        HttpResponse<String> response = send(request);
        assertTrue(response.statusCode() < 300, "ingest into " + collection + ": " + response.statusCode() + " " + response.body());
    }

    @AfterAll
    static void stopCluster() throws Exception {
        // front to back: nothing calls a service after it stopped
        List<AutoCloseable> order = new ArrayList<>();
        order.add(gatewayProxy);
        order.addAll(gateways);
        order.addAll(java.util.Arrays.asList(agent, rag, vmController));
        order.addAll(allocators);
        order.add(allocatorProxy);
        order.add(redis);
        for (AutoCloseable part : order) {
            if (part != null) {
                part.close();
            }
        }
        if (desktopHomes != null) {
            try (java.util.stream.Stream<Path> tree = Files.walk(desktopHomes)) {
                // deepest first; Files.walk does not follow links, so nothing outside the tree is touched
                for (Path path : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(path);
                }
            }
        }
    }

    @Test
    void theClusterSurvivesCrashesAndAFailoverUnderLoadAndLosesNothing() {
        WorkerLedger ledger = new WorkerLedger();
        long loadStart = System.currentTimeMillis();
        List<Fault> faults = java.util.Collections.synchronizedList(new ArrayList<>());
        Set<String> killedWorkers = java.util.concurrent.ConcurrentHashMap.newKeySet();
        List<Grant> killedLeases = new java.util.concurrent.CopyOnWriteArrayList<>();
        Set<String> survivors = new HashSet<>();
        // asserted after the figures are printed, so a failed client fault still shows what the workers saw
        java.util.concurrent.atomic.AtomicReference<Throwable> workerFault = new java.util.concurrent.atomic.AtomicReference<>();
        try (SoakWorkers workers = new SoakWorkers(repo, logs, gatewayProxy.url() + "/mcp", LEASE_SECONDS, ledger)) {
            for (int b = 0; b < Math.max(1, WORKERS / WORKERS_PER_PROCESS); b++) {
                workers.startNext(WORKERS_PER_PROCESS);
            }
            // crashed clients on a thread of their own (their leases come back by themselves); the services one at a
            // time, each restarted and serving before the next is killed
            Thread clients = new Thread(() -> {
                try {
                    for (double at : new double[] {0.1, 0.55}) {
                        awaitLoadTime(loadStart, at);
                        faults.add(report(killWorkers(workers, killedWorkers, killedLeases, loadStart)));
                    }
                } catch (Throwable e) {
                    workerFault.set(e);
                }
            }, "soak-client-faults");
            clients.start();
            List<Map.Entry<Double, Supplier<Fault>>> schedule = List.of(
                    Map.entry(0.15, () -> crash(allocators.get(0), loadStart, () -> stats() != null)),
                    Map.entry(0.35, () -> crash(gateways.get(0), loadStart, () -> true)),
                    Map.entry(0.55, () -> failOver(loadStart)),
                    Map.entry(0.75, () -> crash(agent, loadStart, () -> desktopsUp(stats()))));
            for (Map.Entry<Double, Supplier<Fault>> fault : schedule) {
                awaitLoadTime(loadStart, fault.getKey());
                faults.add(report(fault.getValue().get()));
            }
            clients.join(Duration.ofSeconds(LEASE_SECONDS + 180).toMillis());
            // the load runs at least soak.duration, and on past the last fault's recovery if the machine was slow
            awaitLoadTime(loadStart, 1.0);
            workers.stop();
            assertTrue(workers.awaitAll(180), "a worker process did not stop within 180 s of the stop (a hang)");
            workers.batches().stream().filter(b -> !killedWorkers.containsAll(b.workers()))
                    .forEach(b -> survivors.addAll(b.workers()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        long loadMs = System.currentTimeMillis() - loadStart;

        // every lease ends (the killed workers' through the gateway's idle sweep or the expiry) and every desktop is reset
        Duration settle;
        try {
            settle = Conditions.await("every resource back in the pool", Duration.ofSeconds(LEASE_SECONDS + 120),
                    () -> poolSettled(stats()));
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "; the pool: " + allocatorGet("/resources"), e);
        }
        AuditReplay replay = AuditReplay.of(redis.masterPort(), EVENTS);

        Map<String, Long> byKind = ledger.callsByKind();
        Map<String, Long> errors = new TreeMap<>();
        ledger.failures().forEach(f -> errors.merge(f.kind(), 1L, Long::sum));
        List<Grant> grants = ledger.grants();
        List<String> lostGrants = grants.stream().filter(g -> !replay.wasGranted(g.leaseId())).map(Grant::leaseId).toList();
        List<String> lostReleases = ledger.confirmedReleased().stream().filter(l -> replay.endOf(l) == null).sorted().toList();
        Map<String, String> reclaimed = new TreeMap<>();
        killedLeases.forEach(g -> reclaimed.put(g.leaseId(), String.valueOf(replay.endOf(g.leaseId()))));
        Map<String, Long> finished = ledger.finished();
        List<String> unfinished = survivors.stream().filter(w -> !finished.containsKey(w)).sorted().toList();

        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("duration_s", loadMs / 1000);
        figures.put("workers", WORKERS + " (" + WORKERS_PER_PROCESS + " per process), " + finished.size() + " finished, "
                + killedWorkers.size() + " killed");
        figures.put("flows_completed", finished.values().stream().mapToLong(Long::longValue).sum());
        figures.put("calls", ledger.calls());
        figures.put("calls_by_tool_and_outcome", byKind);
        figures.put("errors_by_kind", errors);
        figures.put("slowest_call_ms", ledger.slowestMs());
        figures.put("grants_seen_by_workers", grants.size());
        figures.put("audit_events", replay.kinds());
        figures.put("faults", faults.stream().map(f -> f.what() + " @" + f.atSecond() + "s recovered in "
                + f.recovered().toMillis() + " ms (" + f.detail() + ")").toList());
        figures.put("leases_reclaimed_from_killed_workers", reclaimed);
        Map<String, String> orphans = new TreeMap<>(replay.expiredLeaseWorkers());
        orphans.values().removeIf(killedWorkers::contains);
        Set<String> received = new HashSet<>();
        grants.forEach(g -> received.add(g.leaseId()));
        orphans.replaceAll((lease, worker) -> worker + (received.contains(lease) ? " (received)" : " (never received)"));
        figures.put("expired_leases_of_surviving_workers", orphans);
        figures.put("pool_settled_after_load_ms", settle.toMillis());
        figures.put("gateway_settling", "went on in the background " + logLines("gateway-", "is not settled yet", loadStart)
                + ", gave up " + logLines("gateway-", "could not be settled", loadStart));
        figures.put("proxy_connections", "gateways " + gatewayProxy.connections(0) + "/" + gatewayProxy.connections(1)
                + ", allocators " + allocatorProxy.connections(0) + "/" + allocatorProxy.connections(1));
        System.out.println("SoakIT figures:");
        figures.forEach((k, v) -> System.out.printf("  %-38s %s%n", k, v));
        if (!ledger.garbage().isEmpty()) {
            System.out.println("SoakIT: worker lines that were not events: " + ledger.garbage());
        }

        assertTrue(workerFault.get() == null, "killing workers failed: " + workerFault.get());
        assertEquals(List.of(), replay.violations(), "the audit stream replays without a double grant or a stale token");
        assertEquals(Map.of(), replay.liveAtEnd(), "no lease left live");
        assertEquals(Map.of(), replay.resettingAtEnd(), "no reset left under way");
        assertEquals(List.of(), lostGrants, "every grant a worker received is in the audit stream (none lost in the failover)");
        assertEquals(List.of(), lostReleases, "every release confirmed to a worker ended its lease");
        assertTrue(reclaimed.values().stream().noneMatch("null"::equals), "the killed workers' leases came back: " + reclaimed);
        assertEquals(List.of(), unfinished, "the surviving workers ran until the deadline and stopped");
        assertTrue(finished.values().stream().mapToLong(Long::longValue).sum() > 0, "flows completed: " + finished);
        Map<String, Long> unclean = new TreeMap<>();
        List<String> uncleanCalls = new ArrayList<>();
        String agentKilled = "kill -9 " + agent.name();
        for (WorkerLedger.Failure f : ledger.failures()) {
            boolean whileDesktopsDown = WHILE_DESKTOPS_DOWN.contains(f.kind()) && faults.stream()
                    .anyMatch(fault -> fault.what().equals(agentKilled) && fault.covers(f.atEpochMs(), IN_FLIGHT_GRACE));
            if (!CLEAN.contains(f.kind()) && !whileDesktopsDown) {
                unclean.merge(f.kind(), 1L, Long::sum);
                uncleanCalls.add(f.tool() + " at " + Instant.ofEpochMilli(f.atEpochMs()) + ": " + f.why());
            }
        }
        assertEquals(Map.of(), unclean, "every error a worker saw is a clean, retryable one; the calls: " + uncleanCalls
                + "; the faults: " + figures.get("faults"));
        assertTrue(ledger.garbage().isEmpty(), "workers printed only events: " + ledger.garbage());
    }

    /**
     * How many lines logged since {@code sinceEpochMs} by the services whose log name starts with {@code service}
     * contain {@code text} (the logs are appended to from run to run; a line's time is its {@code ts=} field): the
     * figures name the cleanups that met a fault (a grant whose answer was lost, settled late or left to its expiry);
     * -1 when the logs cannot be read (a figure, never a reason to fail).
     */
    private static long logLines(String service, String text, long sinceEpochMs) {
        try (var files = Files.list(logs)) {
            long count = 0;
            for (Path log : files.filter(f -> f.getFileName().toString().startsWith(service)
                    && f.getFileName().toString().endsWith(".log")).toList()) {
                try (var lines = Files.lines(log, java.nio.charset.StandardCharsets.UTF_8)) {
                    count += lines.filter(line -> line.contains(text) && loggedAt(line) >= sinceEpochMs).count();
                }
            }
            return count;
        } catch (IOException | java.io.UncheckedIOException e) {
            return -1;
        }
    }

    /** The epoch ms of a service's log line ({@code ts=2026-12-01T19:50:49.242Z ...}), or 0 without one. */
    private static long loggedAt(String line) {
        if (!line.startsWith("ts=")) {
            return 0;
        }
        int end = line.indexOf(' ');
        try {
            return java.time.Instant.parse(line.substring(3, end < 0 ? line.length() : end)).toEpochMilli();
        } catch (java.time.format.DateTimeParseException e) {
            return 0;
        }
    }

    /** Waits until {@code fraction} of soak.duration has passed since the load started. */
    private static void awaitLoadTime(long loadStart, double fraction) {
        long at = loadStart + (long) (SOAK.toMillis() * fraction);
        Conditions.await("the load at " + fraction + " of " + SOAK, SOAK.plusMinutes(10), () -> System.currentTimeMillis() >= at);
    }

    private static Fault report(Fault fault) {
        System.out.printf("SoakIT: %s at %d s, recovered in %d ms (%s)%n", fault.what(), fault.atSecond(),
                fault.recovered().toMillis(), fault.detail());
        return fault;
    }

    /**
     * Kills the worker process holding the most leases now and starts a replacement with fresh ids; recovered once the
     * killed workers hold nothing at the allocator (their sessions idled out and the gateway released, or the leases
     * expired).
     */
    private static Fault killWorkers(SoakWorkers workers, Set<String> killed, List<Grant> killedLeases, long loadStart) {
        Conditions.await("a worker process holding a lease", Duration.ofSeconds(60), () -> workers.busiest(Set.of()) != null);
        SoakWorkers.Batch batch = workers.busiest(Set.of());
        long atEpochMs = System.currentTimeMillis();
        long at = (atEpochMs - loadStart) / 1000;
        List<Grant> held = workers.kill(batch);
        killed.addAll(batch.workers());
        killedLeases.addAll(held);
        String replacement = workers.startNext(WORKERS_PER_PROCESS).prefix();
        Duration recovered = Conditions.await("the killed workers' leases reclaimed", Duration.ofSeconds(LEASE_SECONDS + 60),
                () -> batch.workers().stream().allMatch(w -> allocatorGet("/leases?worker_id=" + w).size() == 0));
        return new Fault("kill -9 worker process " + batch.prefix(), at, recovered,
                held.size() + " leases held, reclaimed; replacement " + replacement, atEpochMs);
    }

    /** SIGKILL of a service, restart on its port; recovered once it is ready and {@code healthy} holds. */
    private static Fault crash(PackagedApp service, long loadStart, java.util.function.BooleanSupplier healthy) {
        long atEpochMs = System.currentTimeMillis();
        long at = (atEpochMs - loadStart) / 1000;
        long start = System.nanoTime();
        service.killTree();
        service.restart();
        Duration ready = Duration.ofNanos(System.nanoTime() - start);
        Conditions.await(service.name() + " serving again", Duration.ofSeconds(120), healthy);
        return new Fault("kill -9 " + service.name(), at, Duration.ofNanos(System.nanoTime() - start),
                "restarted and ready after " + ready.toMillis() + " ms", atEpochMs);
    }

    /** SIGKILL of the Redis master; recovered once a new master is promoted and the allocators grant again. */
    private static Fault failOver(long loadStart) {
        long atEpochMs = System.currentTimeMillis();
        long at = (atEpochMs - loadStart) / 1000;
        long start = System.nanoTime();
        int old = redis.killMaster();
        int promoted = redis.awaitFailoverFrom(old, Duration.ofSeconds(60));
        Duration promotedAfter = Duration.ofNanos(System.nanoTime() - start);
        // the old master comes back as the new one's replica, so WAIT (wait-replicas=1) can be met again
        redis.restartAsReplica(old);
        Conditions.await("the allocators serving on the new master", Duration.ofSeconds(60), () -> stats() != null);
        return new Fault("kill -9 redis master :" + old, at, Duration.ofNanos(System.nanoTime() - start),
                ":" + promoted + " promoted after " + promotedAfter.toMillis() + " ms; old master back as replica", atEpochMs);
    }

    /** {@code GET /stats} through the allocators' proxy, or null while it does not answer 200. */
    private static JsonNode stats() {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(allocatorProxy.url() + "/stats"))
                .timeout(Duration.ofSeconds(10)).build());
        return response != null && response.statusCode() == 200 ? readTree(response.body()) : null;
    }

    private static JsonNode allocatorGet(String path) {
        HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(allocatorProxy.url() + path))
                .timeout(Duration.ofSeconds(10)).build());
        if (response == null || response.statusCode() != 200) {
            throw new IllegalStateException("GET " + path + ": " + (response == null ? "no answer" : response.statusCode()));
        }
        return readTree(response.body());
    }

    /** Every desktop and collection registered, free, none leased, resetting, draining or down. */
    private static boolean poolSettled(JsonNode stats) {
        return stats != null && settled(stats, "vm_pyautogui", DESKTOPS) && settled(stats, "rag", COLLECTIONS);
    }

    private static boolean settled(JsonNode stats, String type, int count) {
        JsonNode t = stats.path("types").path(type);
        return t.path("free").asInt() == count && t.path("leased").asInt() == 0 && t.path("resetting").asInt() == 0
                && t.path("draining").asInt() == 0 && t.path("down").asInt() == 0;
    }

    /** The agent's desktops all registered again and none down (leased, resetting or free). */
    private static boolean desktopsUp(JsonNode stats) {
        if (stats == null) {
            return false;
        }
        JsonNode t = stats.path("types").path("vm_pyautogui");
        return t.path("down").asInt() == 0
                && t.path("free").asInt() + t.path("leased").asInt() + t.path("resetting").asInt() == DESKTOPS;
    }

    private static HttpResponse<String> send(HttpRequest request) {
        try {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode readTree(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new IllegalStateException("not JSON: " + body, e);
        }
    }
}

package io.envgrid.deviceagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.PackagedApps;
import io.envgrid.testsupport.process.JitWarmth;
import io.envgrid.testsupport.process.PackagedApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import redis.embedded.RedisServer;

/**
 * {@code mvn -B -Pbench verify}, third part: the desktop fleet. A real Redis, the packaged allocator and the packaged
 * agent hosting {@code bench.fleet.desktops} (4) desktops (Xvfb 1280×800 + openbox each, reset on every lease, the
 * lease channel on). (1) Reset time: {@code bench.fleet.resets} (20) times a worker leases a desktop and releases it;
 * timed from the release's answer to the allocator listing the desktop {@code free} again (polled every 5 ms).
 * (2) Desktops per host: every desktop leased by its own worker, each doing one action per second (a pyautogui
 * {@code click} through its own port with its lease token, and every fifth a screenshot) for
 * {@code bench.fleet.seconds} (30), after {@value #WARMUP} untimed actions each, desktop i at i/n of each second (4:
 * 0, 250, 500, 750 ms); the latency of every action, which includes the lease check at the allocator and the desktop
 * port's loopback hop. Prints a table.
 */
public final class FleetBenchmark {

    private static final String SERVICE_TOKEN = "bench-fleet-token";
    private static final String TYPE = "vm_pyautogui";
    /** Untimed actions per desktop first: the first calls of a fresh JVM and connection are not the steady state. */
    private static final int WARMUP = 5;
    private static final ObjectMapper JSON = new ObjectMapper();
    /** The first desktop's port: a desktop's index is its port less this. */
    private static final java.util.concurrent.atomic.AtomicInteger FIRST_PORT = new java.util.concurrent.atomic.AtomicInteger();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI allocator;
    /** The measured actions' leases, one per desktop; the breakdown reuses the first. */
    private final List<JsonNode> grants = new ArrayList<>();

    private FleetBenchmark(URI allocator) {
        this.allocator = allocator;
    }

    public static void main(String[] args) throws Exception {
        int desktops = Integer.getInteger("bench.fleet.desktops", 4);
        int resets = Integer.getInteger("bench.fleet.resets", 20);
        int seconds = Integer.getInteger("bench.fleet.seconds", 30);
        int redisPort = PackagedApp.freePort();
        RedisServer redis = RedisServer.builder().port(redisPort).bind("127.0.0.1").setting("save \"\"")
                .setting("appendonly no").build();
        redis.start();
        // o+x: the desktops' users pass through it to their homes
        Path homes = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-fleet",
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                        java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x")));
        Path data = Files.createDirectories(homes.resolve("data"));
        // -Dbench.fleet.agent: another build's quarkus-run.jar (a before/after comparison); else this module's
        Path jar = Path.of(System.getProperty("bench.fleet.agent", "").isBlank()
                ? "target/quarkus-app/quarkus-run.jar" : System.getProperty("bench.fleet.agent"));
        System.out.println("fleet agent: " + jar);
        int firstPort = FleetDesktops.consecutivePorts(desktops);
        FIRST_PORT.set(firstPort);
        try (PackagedApp allocatorApp = PackagedApps.allocator("bench-fleet-allocator",
                Map.of("quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort,
                        "envgrid.allocator.service-token", SERVICE_TOKEN, "quarkus.log.level", "WARN"));
                PackagedApp agent = PackagedApps.agent(jar, "bench-fleet-agent", Map.ofEntries(
                        Map.entry("envgrid.device-agent.data-dir", data.toString()),
                        Map.entry("envgrid.device-agent.service-token", SERVICE_TOKEN),
                        Map.entry("envgrid.device-agent.adb.enabled", "false"),
                        Map.entry("envgrid.device-agent.linux-host.enabled", "false"),
                        Map.entry("envgrid.device-agent.agent-id", "bench"),
                        Map.entry("envgrid.allocator.url", allocatorApp.uri().toString()),
                        Map.entry("envgrid.allocator.service-token", SERVICE_TOKEN),
                        Map.entry("envgrid.device-agent.registration.heartbeat-interval", "1s"),
                        Map.entry("envgrid.device-agent.desktops.count", Integer.toString(desktops)),
                        Map.entry("envgrid.device-agent.desktops.first-port", Integer.toString(firstPort)),
                        Map.entry("envgrid.device-agent.desktops.home-root", homes.resolve("homes").toString()),
                        Map.entry("envgrid.device-agent.desktops.lease-channel-redis", "redis://127.0.0.1:" + redisPort),
                        Map.entry("quarkus.log.level", "WARN")))) {
            FleetBenchmark bench = new FleetBenchmark(allocatorApp.uri());
            bench.awaitFree(desktops);
            long[] resetNanos = bench.resets(resets);
            System.out.println("load average before the actions: " + loadAverage());
            long[][] actions = bench.actions(desktops, seconds, agent.pid());
            System.out.println("load average after the actions: " + loadAverage());
            Map<String, long[]> parts = bench.breakdown(agent.uri(), Integer.getInteger("bench.fleet.breakdown", 20));
            System.out.println();
            System.out.println("| measure | desktops | samples | p50 ms | p99 ms | max ms |");
            System.out.println("|---|---:|---:|---:|---:|---:|");
            System.out.println(row("reset, release → free", 1, resetNanos));
            long[] all = Arrays.stream(actions).flatMapToLong(Arrays::stream).toArray();
            System.out.println(row("action at 1/s per desktop (click; every 5th a screenshot)", desktops, all));
            System.out.println(row("of which clicks", desktops, every(actions, false)));
            System.out.println(row("of which screenshots (1280×800)", desktops, every(actions, true)));
            parts.forEach((what, nanos) -> System.out.println(row(what, 1, nanos)));
        } finally {
            redis.stop();
        }
    }

    /** The machine's 1, 5 and 15 minute load averages ({@code /proc/loadavg}): how quiet the measurement was. */
    private static String loadAverage() throws java.io.IOException {
        String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split(" ");
        return fields[0] + " " + fields[1] + " " + fields[2];
    }

    private void awaitFree(int desktops) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
        while (true) {
            JsonNode free = JSON.readTree(send(allocatorCall("/resources?type=" + TYPE + "&state=free").GET().build()));
            if (free.size() == desktops) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + free.size() + " of " + desktops + " desktops came up");
            }
            Thread.sleep(100);
        }
    }

    private long[] resets(int count) throws Exception {
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            JsonNode grant = allocate("bench-reset-" + i);
            String id = grant.path("id").asText();
            send(allocatorCall("/release").header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers
                    .ofString(JSON.writeValueAsString(Map.of("worker_id", "bench-reset-" + i, "resource_id", id))))
                    .build());
            long released = System.nanoTime();
            String path = "/resources/" + java.net.URLEncoder.encode(id, java.nio.charset.StandardCharsets.UTF_8);
            while (!"free".equals(JSON.readTree(send(allocatorCall(path).GET().build())).path("state").asText())) {
                if (System.nanoTime() - released > Duration.ofSeconds(60).toNanos()) {
                    throw new IllegalStateException(id + " not free 60 s after its release");
                }
                Thread.sleep(5);
            }
            nanos[i] = System.nanoTime() - released;
        }
        return nanos;
    }

    /** The screenshots' latencies (every fifth action, {@link #isScreenshot}) or the clicks'. */
    private static long[] every(long[][] actions, boolean screenshots) {
        return Arrays.stream(actions).flatMapToLong(a -> java.util.stream.IntStream.range(0, a.length)
                .filter(i -> isScreenshot(i) == screenshots).mapToLong(i -> a[i])).toArray();
    }

    private static boolean isScreenshot(int action) {
        return action % 5 == 4;
    }

    /**
     * Each desktop leased by its own worker doing one action a second; every action's latency, per desktop. Before
     * that, the same untimed mix on every desktop in turn until the agent's ({@code agentPid}) JIT has settled
     * ({@link JitWarmth}, at most {@code -Dbench.fleet.jit-warmup} = 120 s).
     */
    private long[][] actions(int desktops, int seconds, long agentPid) throws Exception {
        for (int i = 0; i < desktops; i++) {
            grants.add(allocate("bench-worker-" + i));
        }
        JitWarmth jit = JitWarmth.of(agentPid, Duration.ofSeconds(Integer.getInteger("bench.fleet.jit-warmup", 120)));
        for (int round = 0; !jit.settled() && !jit.timedOut(); round++) {
            for (JsonNode grant : grants) {
                // the measured mix: every fifth action a screenshot, so the PNG path is warm too
                http.send(isScreenshot(round) ? screenshotRequest(grant) : clickRequest(grant),
                        HttpResponse.BodyHandlers.discarding());
            }
        }
        System.out.println("fleet agent: " + jit.report());
        for (int i = 0; i < WARMUP; i++) {
            for (JsonNode grant : grants) {
                http.send(clickRequest(grant), HttpResponse.BodyHandlers.discarding());
            }
        }
        ExecutorService workers = Executors.newFixedThreadPool(desktops);
        try {
            // The desktops' workers keep apart within each second: desktop i at i/desktops of it (4: 0, 250, 500,
            // 750 ms), as independent workers would fall, so each action's latency is measured, not four actions
            // arriving together on 2 cores and queueing behind each other.
            long start = System.nanoTime() + 100_000_000L;
            long spacing = 1_000_000_000L / desktops;
            List<Future<long[]>> running = new ArrayList<>();
            for (int i = 0; i < desktops; i++) {
                JsonNode grant = grants.get(i);
                long first = start + i * spacing;
                running.add(workers.submit(() -> actOncePerSecond(grant, seconds, first)));
            }
            long[][] latencies = new long[desktops][];
            for (int i = 0; i < desktops; i++) {
                latencies[i] = running.get(i).get();
            }
            return latencies;
        } finally {
            workers.shutdownNow();
        }
    }

    /** A pyautogui {@code click(100, 100)} on the granted desktop, with its lease token. */
    private static HttpRequest clickRequest(JsonNode grant) {
        String click = "{\"command\":[\"python\",\"-c\",\"import pyautogui; pyautogui.click(100, 100)\"]}";
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + grant.path("port").asInt()).resolve("/execute"))
                .header("X-Envgrid-Lease-Token", grant.path("lease_token").asText())
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(click)).build();
    }

    /** A {@code /screenshot} of the granted desktop, with its lease token. */
    private static HttpRequest screenshotRequest(JsonNode grant) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + grant.path("port").asInt()).resolve("/screenshot"))
                .header("X-Envgrid-Lease-Token", grant.path("lease_token").asText()).timeout(Duration.ofSeconds(30))
                .GET().build();
    }

    /** One action a second on the granted desktop, the first at {@code start} ({@link System#nanoTime()}). */
    private long[] actOncePerSecond(JsonNode grant, int seconds, long start) throws Exception {
        long[] nanos = new long[seconds];
        for (int i = 0; i < seconds; i++) {
            long due = start + i * 1_000_000_000L;
            long wait = due - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            HttpRequest request = isScreenshot(i) ? screenshotRequest(grant) : clickRequest(grant);
            long t0 = System.nanoTime();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            nanos[i] = System.nanoTime() - t0;
            if (response.statusCode() != 200) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                        + new String(response.body(), 0, Math.min(300, response.body().length)));
            }
        }
        return nanos;
    }

    /**
     * Where an action's time goes: {@code count} rounds, one a second, on the first measured desktop, each round timing
     * one after another the allocator's lease check asked directly ({@code POST /leases/verify}, as the agent asks it
     * on every call with a lease token), a click and a screenshot on the agent's own port with the service token and
     * the desktop header (no allocator, no proxy), and the same two through the desktop's port with the lease token
     * (as the measured actions).
     */
    private Map<String, long[]> breakdown(URI agent, int count) throws Exception {
        JsonNode grant = grants.get(0);
        String verify = JSON.writeValueAsString(Map.of("resource_id", grant.path("id").asText(),
                "lease_token", grant.path("lease_token").asText()));
        Map<String, HttpRequest> calls = new java.util.LinkedHashMap<>();
        calls.put("part: lease check, allocator asked directly", allocatorCall("/leases/verify")
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(verify)).build());
        calls.put("part: click, agent's port, service token", direct(clickRequest(grant), agent));
        calls.put("part: screenshot, agent's port, service token", direct(screenshotRequest(grant), agent));
        calls.put("part: click, desktop's port, lease token", clickRequest(grant));
        calls.put("part: screenshot, desktop's port, lease token", screenshotRequest(grant));
        Map<String, long[]> nanos = new java.util.LinkedHashMap<>();
        calls.keySet().forEach(what -> nanos.put(what, new long[count]));
        for (HttpRequest call : calls.values()) {
            http.send(call, HttpResponse.BodyHandlers.discarding()); // the new connections' first calls
        }
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long wait = start + i * 1_000_000_000L - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(wait / 1_000_000, (int) (wait % 1_000_000));
            }
            for (Map.Entry<String, HttpRequest> call : calls.entrySet()) {
                long t0 = System.nanoTime();
                HttpResponse<byte[]> response = http.send(call.getValue(), HttpResponse.BodyHandlers.ofByteArray());
                nanos.get(call.getKey())[i] = System.nanoTime() - t0;
                if (response.statusCode() != 200) {
                    throw new IllegalStateException(call.getKey() + " answered " + response.statusCode());
                }
            }
        }
        return nanos;
    }

    /** {@code call} sent to the agent's own port instead, naming the desktop by header, with the service token. */
    private static HttpRequest direct(HttpRequest call, URI agent) {
        String desktop = Integer.toString(call.uri().getPort() - FIRST_PORT.get());
        HttpRequest.Builder builder = HttpRequest.newBuilder(agent.resolve(call.uri().getPath()))
                .header("Authorization", "Bearer " + SERVICE_TOKEN).header("X-Envgrid-Desktop", desktop)
                .timeout(Duration.ofSeconds(30));
        call.headers().firstValue("Content-Type").ifPresent(type -> builder.header("Content-Type", type));
        return builder.method(call.method(), call.bodyPublisher().orElse(HttpRequest.BodyPublishers.noBody())).build();
    }

    private JsonNode allocate(String worker) throws Exception {
        String body = JSON.writeValueAsString(Map.of("worker_id", worker, "resource_types", List.of(TYPE),
                "timeout", 600, "wait_ms", 60000));
        return JSON.readTree(send(allocatorCall("/allocate").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build())).path(TYPE);
    }

    private HttpRequest.Builder allocatorCall(String path) {
        return HttpRequest.newBuilder(allocator.resolve(path)).header("Authorization", "Bearer " + SERVICE_TOKEN)
                .timeout(Duration.ofSeconds(90));
    }

    private String send(HttpRequest request) throws Exception {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                    + response.body());
        }
        return response.body();
    }

    private static String row(String what, int desktops, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double p50 = sorted[(int) Math.floor(0.50 * (sorted.length - 1))] / 1e6;
        double p99 = sorted[(int) Math.ceil(0.99 * (sorted.length - 1))] / 1e6;
        return String.format("| %s | %d | %d | %.1f | %.1f | %.1f |", what, desktops, sorted.length, p50, p99,
                sorted[sorted.length - 1] / 1e6);
    }
}

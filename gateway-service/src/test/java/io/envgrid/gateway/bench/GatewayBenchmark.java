package io.envgrid.gateway.bench;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.gateway.support.PackagedApps;
import io.envgrid.gateway.support.TestCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code tools/call} through one packaged gateway instance against the same backend call made
 * directly: each of N concurrent clients holds its own MCP session (Streamable HTTP, JSON answers)
 * bound to its own worker with one lease, and calls {@code renew_resources} in a closed loop;
 * the direct target is the allocator's {@code POST /renew} for the same worker. Prints calls/s,
 * p50 and p99 per cell and the gateway's added p50.
 *
 * <p>Run with {@code cd gateway-service && mvn -B -Pbench verify} (after the other modules are packaged);
 * {@code -Dbench.sessions=1,64,256 -Dbench.warmup=5 -Dbench.measure=10} change the matrix.
 */
public final class GatewayBenchmark {

    private record Cell(String target, int sessions, double perSecond, double p50, double p99) {
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final HttpClient http;
    private final int warmup = Integer.getInteger("bench.warmup", 5);
    private final int measure = Integer.getInteger("bench.measure", 10);

    private GatewayBenchmark(int pool) {
        http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(pool));
    }

    public static void main(String[] args) {
        try {
            measure();
            System.exit(0);
        } catch (Throwable e) {
            // exit either way: the Vert.x threads would keep a failed run, and the services it started, alive
            e.printStackTrace();
            System.exit(1);
        }
    }

    private static void measure() throws Exception {
        List<Integer> sessions = Arrays.stream(System.getProperty("bench.sessions", "1,64,256").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int most = sessions.stream().max(Integer::compare).orElse(1);
        String baseline = System.getProperty("bench.baseline", "");
        TestCluster cluster = TestCluster.get();
        // each gateway measured holds one lease per session
        for (int i = 0; i < most * (baseline.isBlank() ? 1 : 2); i++) {
            cluster.register("bench-" + i, "bench", "{}");
        }
        Map<String, String> config = Map.of(
                "quarkus.redis.hosts", cluster.redisUrl(),
                "envgrid.allocator.url", cluster.allocatorUrl(),
                "envgrid.vm-controller.url", cluster.vmControllerUrl(),
                "quarkus.log.level", "WARN");
        Map<String, PackagedApp> gateways = new LinkedHashMap<>();
        // open mode as an environment variable: a baseline built before the setting existed ignores it there
        // (an unknown system property under envgrid.gateway stops it)
        Map<String, String> env = Map.of("ENVGRID_GATEWAY_AUTH", "open");
        gateways.put("through gateway", PackagedApps.start("gateway-bench", "gateway-service", config, env,
                jvmOptions("gateway-bench")));
        if (!baseline.isBlank()) {
            // another build of the gateway (e.g. main's) measured in the same run: before/after on equal terms
            gateways.put("baseline gateway", PackagedApps.start("gateway-baseline", Path.of(baseline), config, env,
                    jvmOptions("gateway-baseline")));
        }
        try {
            GatewayBenchmark bench = new GatewayBenchmark(most);
            List<Cell> cells = new ArrayList<>();
            for (int n : sessions) {
                Map<String, List<String>> ids = new LinkedHashMap<>();
                List<String> workers = new ArrayList<>();
                for (Map.Entry<String, PackagedApp> gateway : gateways.entrySet()) {
                    List<String> mine = new ArrayList<>();
                    ids.put(gateway.getKey(), bench.openSessions(gateway.getValue().port(), n, mine, gateway.getValue().name()));
                    workers.addAll(mine);
                }
                cells.add(bench.run("allocator direct", n, i -> bench.post(port(cluster.allocatorUrl()), "/renew", null,
                        "{\"worker_id\":\"" + workers.get(i) + "\",\"timeout\":600}")));
                for (Map.Entry<String, PackagedApp> gateway : gateways.entrySet()) {
                    int port = gateway.getValue().port();
                    List<String> mine = ids.get(gateway.getKey());
                    cells.add(bench.run(gateway.getKey(), n, i -> bench.post(port, "/mcp", mine.get(i),
                            "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"renew_resources\","
                                    + "\"arguments\":{\"timeout\":600}}}")));
                    for (String id : mine) {
                        bench.delete(port, id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    }
                }
            }
            print(cells);
            bench.vertx.close();
        } finally {
            gateways.values().forEach(PackagedApp::close);
        }
    }

    /**
     * The tests' JVM options, and with {@code -Dbench.jfr=true} a flight recording (profile settings)
     * of the whole run, written to {@code target/bench/<name>.jfr} when the gateway stops.
     */
    private static List<String> jvmOptions(String name) throws java.io.IOException {
        List<String> options = new ArrayList<>(List.of("-XX:TieredStopAtLevel=1"));
        if (Boolean.getBoolean("bench.jfr")) {
            Path dir = java.nio.file.Files.createDirectories(Path.of("target", "bench"));
            options.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename=" + dir.resolve(name + ".jfr").toAbsolutePath());
        }
        return options;
    }

    private static int port(String url) {
        return Integer.parseInt(url.substring(url.lastIndexOf(':') + 1));
    }

    /** Sessions bound to fresh workers, each holding one lease. */
    private List<String> openSessions(int port, int n, List<String> workers, String prefix) throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String worker = prefix + "-w-" + n + "-" + i;
            String init = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":\"2025-11-25\","
                    + "\"capabilities\":{},\"clientInfo\":{\"name\":\"bench\",\"version\":\"1\"}}}";
            String id = http.request(options(port, "/mcp", null))
                    .compose(r -> r.send(init)).map(r -> r.getHeader("Mcp-Session-Id"))
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            post(port, "/mcp", id, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"allocate_single_resource\",\"arguments\":{\"worker_id\":\"" + worker + "\",\"resource_type\":\"bench\"}}}")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            ids.add(id);
            workers.add(worker);
        }
        return ids;
    }

    private RequestOptions options(int port, String path, String session) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                .setURI(path).putHeader("Content-Type", "application/json")
                .putHeader("Accept", "application/json, text/event-stream");
        if (session != null) {
            options.putHeader("Mcp-Session-Id", session).putHeader("MCP-Protocol-Version", "2025-11-25");
        }
        return options;
    }

    private Future<Buffer> post(int port, String path, String session, String body) {
        return http.request(options(port, path, session)).compose(r -> r.send(body)).compose(r -> {
            if (r.statusCode() != 200) {
                return Future.failedFuture(path + " answered " + r.statusCode());
            }
            return r.body();
        }).compose(b -> b.toString().contains("\"isError\":true") || b.toString().contains("\"error\":{")
                ? Future.failedFuture("error answer: " + b) : Future.succeededFuture(b));
    }

    private Future<Void> delete(int port, String session) {
        return http.request(options(port, "/mcp", session).setMethod(HttpMethod.DELETE)).compose(r -> r.send())
                .mapEmpty();
    }

    private interface Call {
        Future<Buffer> start(int client);
    }

    /** N clients in closed loops; latencies of calls finishing in the measured window. */
    private Cell run(String target, int n, Call call) throws Exception {
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(measure);
        List<long[]> samples = new ArrayList<>();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] mine = new long[2_000_000 / Math.max(1, n) + 1000];
            samples.add(mine);
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            loop(call, i, mine, new int[] {0}, warmEnd, end, done);
        }
        CompletableFuture.allOf(loops.toArray(CompletableFuture[]::new)).get(warmup + measure + 60, TimeUnit.SECONDS);
        int total = 0;
        for (int i = 0; i < n; i++) {
            total += (int) samples.get(i)[samples.get(i).length - 1];
        }
        long[] all = new long[total];
        int at = 0;
        for (long[] mine : samples) {
            int count = (int) mine[mine.length - 1];
            System.arraycopy(mine, 0, all, at, count);
            at += count;
        }
        Arrays.sort(all);
        return new Cell(target, n, total / (double) measure, percentile(all, 0.50), percentile(all, 0.99));
    }

    /** The last slot of {@code mine} holds the sample count. */
    private void loop(Call call, int client, long[] mine, int[] count, long warmEnd, long end, CompletableFuture<Void> done) {
        long start = System.nanoTime();
        if (start >= end) {
            mine[mine.length - 1] = count[0];
            done.complete(null);
            return;
        }
        call.start(client).onComplete(result -> {
            if (result.failed()) {
                done.completeExceptionally(new IllegalStateException(result.cause()));
                return;
            }
            long finished = System.nanoTime();
            if (start >= warmEnd && finished < end && count[0] < mine.length - 1) {
                mine[count[0]++] = finished - start;
            }
            loop(call, client, mine, count, warmEnd, end, done);
        });
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static void print(List<Cell> cells) {
        System.out.println();
        System.out.println("| target | sessions | calls/s | p50 ms | p99 ms | gateway p50 − direct p50, throughput ratio |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            Cell direct = cells.stream().filter(d -> d.sessions() == c.sessions() && d.target().equals("allocator direct"))
                    .findFirst().orElseThrow();
            String added = c == direct ? "" : String.format(Locale.ROOT, "%.2f ms, %.2fx direct",
                    c.p50() - direct.p50(), c.perSecond() / direct.perSecond());
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %s |%n", c.target(), c.sessions(), c.perSecond(),
                    c.p50(), c.p99(), added);
        }
    }
}

package io.envgrid.gateway.bench;

import io.envgrid.testsupport.process.CpuUse;
import io.envgrid.testsupport.process.JitWarmth;
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
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;

/**
 * {@code tools/call} through one packaged gateway instance against the same backend call made
 * directly: each of N concurrent clients holds its own MCP session (Streamable HTTP, JSON answers)
 * bound to its own worker with one lease, and calls {@code renew_resources} in a closed loop;
 * the direct target is the allocator's {@code POST /renew} for the same worker. Prints calls/s,
 * p50 and p99 per cell and the gateway's added p50.
 *
 * <p>Run with {@code cd gateway-service && mvn -B -Pbench verify} (after the other modules are packaged);
 * {@code -Dbench.sessions=1,64,256 -Dbench.warmup=5 -Dbench.measure=10 -Dbench.jit-warmup=300} change the matrix;
 * {@code -Dbench.settings=k=v,...} configures the measured gateway only (not a {@code -Dbench.baseline} build).
 */
public final class GatewayBenchmark {

    /**
     * One measured cell; the CPU figures are CPU time used in the measured window per call, in µs: every gateway process
     * together (with a baseline, the idle one's background work counts in each row), the
     * allocator, this load generator, and the rest of the machine's busy time (Redis, the kernel's work for all of
     * them, and any other process: a busy neighbour shows there).
     */
    private record Cell(String target, int sessions, double perSecond, double p50, double p99, double gatewayUs,
            double allocatorUs, double loadUs, double otherUs, double servedBytes, double allocatorBytes) {
    }

    /**
     * The processes whose CPU time a cell reports, and the heap allocation counters of each JVM that serves calls (the
     * allocator and every gateway), by pid.
     */
    private record Processes(List<Long> gateways, long allocator, Map<Long, AllocatedBytes> heaps) {

        /** {gateways, allocator, load generator, machine busy} so far, in ns. */
        long[] sample() {
            return new long[] {gateways.stream().mapToLong(CpuUse::cpuNanos).sum(), CpuUse.cpuNanos(allocator),
                    CpuUse.ownCpuNanos(), CpuUse.machineBusyNanos()};
        }
    }

    private final Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2));
    private final HttpClient http;
    private final int warmup = Integer.getInteger("bench.warmup", 5);
    private final int measure = Integer.getInteger("bench.measure", 10);
    private final int jitWarmup = Integer.getInteger("bench.jit-warmup", 300);

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
        TestCluster cluster = TestCluster.get(List.of());
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
        // -Dbench.settings=k=v,k=v: settings of the measured gateway only, so that a setting is measured against the
        // same build without it (-Dbench.baseline=target/quarkus-app/quarkus-run.jar) in one run
        Map<String, String> measured = new LinkedHashMap<>(config);
        Arrays.stream(System.getProperty("bench.settings", "").split(",")).map(String::trim).filter(p -> p.contains("="))
                .forEach(p -> measured.put(p.substring(0, p.indexOf('=')), p.substring(p.indexOf('=') + 1)));
        gateways.put("through gateway", PackagedApps.start("gateway-bench", "gateway-service", measured, env,
                jvmOptions("gateway-bench")));
        if (!baseline.isBlank()) {
            // another build of the gateway (e.g. main's) measured in the same run: before/after on equal terms
            gateways.put("baseline gateway", PackagedApps.start("gateway-baseline", Path.of(baseline), config, env,
                    jvmOptions("gateway-baseline")));
        }
        try {
            GatewayBenchmark bench = new GatewayBenchmark(most);
            Map<Long, AllocatedBytes> heaps = new LinkedHashMap<>();
            heaps.put(cluster.allocatorPid(), AllocatedBytes.of(cluster.allocatorPid()));
            for (PackagedApp gateway : gateways.values()) {
                heaps.put(gateway.pid(), AllocatedBytes.of(gateway.pid()));
            }
            Processes processes = new Processes(gateways.values().stream().map(PackagedApp::pid).toList(),
                    cluster.allocatorPid(), heaps);
            List<Cell> cells = new ArrayList<>();
            for (int n : sessions) {
                Map<String, List<String>> ids = new LinkedHashMap<>();
                List<String> workers = new ArrayList<>();
                for (Map.Entry<String, PackagedApp> gateway : gateways.entrySet()) {
                    List<String> mine = new ArrayList<>();
                    ids.put(gateway.getKey(), bench.openSessions(gateway.getValue().port(), n, mine, gateway.getValue().name()));
                    workers.addAll(mine);
                }
                cells.add(bench.run("allocator direct", n, processes, cluster.allocatorPid(), i -> bench.post(port(cluster.allocatorUrl()), "/renew", null,
                        "{\"worker_id\":\"" + workers.get(i) + "\",\"timeout\":600}")));
                for (Map.Entry<String, PackagedApp> gateway : gateways.entrySet()) {
                    int port = gateway.getValue().port();
                    List<String> mine = ids.get(gateway.getKey());
                    cells.add(bench.run(gateway.getKey(), n, processes, gateway.getValue().pid(), i -> bench.post(port, "/mcp", mine.get(i),
                            "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"tools/call\",\"params\":{\"name\":\"renew_resources\","
                                    + "\"arguments\":{\"timeout\":600}}}")));
                    for (String id : mine) {
                        bench.delete(port, id).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    }
                }
            }
            print(cells);
            for (AllocatedBytes heap : heaps.values()) {
                heap.close();
            }
            bench.vertx.close();
        } finally {
            gateways.values().forEach(PackagedApp::close);
        }
    }

    /**
     * The production JIT (C1 and C2, as the image runs: the tests' C1-only option would measure code a pod never runs),
     * and with {@code -Dbench.jfr=true} a flight recording (profile settings) of the whole run, written to
     * {@code target/bench/<name>.jfr} when the gateway stops.
     */
    private static List<String> jvmOptions(String name) throws java.io.IOException {
        List<String> options = new ArrayList<>();
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

    /**
     * N clients in closed loops; latencies of calls finishing in the measured window. The window opens once the JIT of
     * {@code served} (the JVM serving the calls) has compiled what the load runs, at most {@code bench.jit-warmup}
     * seconds ({@link #awaitJit}), then {@code bench.warmup} more seconds.
     */
    private Cell run(String target, int n, Processes processes, long served, Call call) throws Exception {
        // {warm-up end, end}: open until the JIT has settled; the loops read it from the event loop
        AtomicLongArray window = new AtomicLongArray(new long[] {Long.MAX_VALUE, Long.MAX_VALUE});
        List<long[]> samples = new ArrayList<>();
        List<CompletableFuture<Void>> loops = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long[] mine = new long[2_000_000 / Math.max(1, n) + 1000];
            samples.add(mine);
            CompletableFuture<Void> done = new CompletableFuture<>();
            loops.add(done);
            loop(call, i, mine, new int[] {0}, window, done);
        }
        awaitJit(target, served);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(warmup);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(measure);
        window.set(0, warmEnd);
        window.set(1, end);
        // the CPU window is the measured one: waiting for a moment in time is what a benchmark's clock is for
        parkUntil(warmEnd);
        Map<Long, Long> served0 = processes.heaps().get(served).sofar();
        Map<Long, Long> allocator0 = processes.heaps().get(processes.allocator()).sofar();
        long[] cpu0 = processes.sample();
        parkUntil(end);
        long[] cpu1 = processes.sample();
        Map<Long, Long> served1 = processes.heaps().get(served).sofar();
        Map<Long, Long> allocator1 = processes.heaps().get(processes.allocator()).sofar();
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
        double calls = Math.max(1, total);
        double[] usPerCall = new double[4];
        for (int i = 0; i < 4; i++) {
            usPerCall[i] = (cpu1[i] - cpu0[i]) / 1e3 / calls;
        }
        double other = Math.max(0, usPerCall[3] - usPerCall[0] - usPerCall[1] - usPerCall[2]);
        return new Cell(target, n, total / (double) measure, percentile(all, 0.50), percentile(all, 0.99), usPerCall[0],
                usPerCall[1], usPerCall[2], other, AllocatedBytes.between(served0, served1) / calls,
                AllocatedBytes.between(allocator0, allocator1) / calls);
    }

    private static void parkUntil(long nanoTime) {
        for (long left = nanoTime - System.nanoTime(); left > 0; left = nanoTime - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /** The last slot of {@code mine} holds the sample count; {@code window} is {warm-up end, end} in nanoTime. */
    private void loop(Call call, int client, long[] mine, int[] count, AtomicLongArray window, CompletableFuture<Void> done) {
        long start = System.nanoTime();
        if (start >= window.get(1)) {
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
            if (start >= window.get(0) && finished < window.get(1) && count[0] < mine.length - 1) {
                mine[count[0]++] = finished - start;
            }
            loop(call, client, mine, count, window, done);
        });
    }

    /** Waits, under load, until the JIT of JVM {@code pid} has settled ({@link JitWarmth}), at most {@code bench.jit-warmup} s. */
    private void awaitJit(String target, long pid) {
        JitWarmth jit = JitWarmth.of(pid, java.time.Duration.ofSeconds(jitWarmup));
        while (!jit.settled() && !jit.timedOut()) {
            parkUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200));
        }
        System.out.println(target + ": " + jit.report());
    }

    private static double percentile(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static void print(List<Cell> cells) {
        System.out.println();
        System.out.println("Load average at the end: " + CpuUse.loadAverage() + " (" + Runtime.getRuntime().availableProcessors()
                + " cores). CPU columns: CPU time in the measured window per call, µs; 'gateways' is every gateway process"
                + " (an idle baseline's background too); 'rest' is the machine's other busy time (Redis, the kernel, any"
                + " other process; not steal). Heap columns: bytes allocated in the measured window per call by the JVM"
                + " serving the cell (a gateway, or the allocator for 'direct') and by the allocator (threads' own"
                + " allocation counters over JMX: exact whatever the load).");
        System.out.println("| target | sessions | calls/s | p50 ms | p99 ms | gateway p50 − direct p50, throughput ratio "
                + "| CPU gateways | CPU allocator | CPU load | CPU rest | heap B/call serving JVM | heap B/call allocator |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            Cell direct = cells.stream().filter(d -> d.sessions() == c.sessions() && d.target().equals("allocator direct"))
                    .findFirst().orElseThrow();
            String added = c == direct ? "" : String.format(Locale.ROOT, "%.2f ms, %.2fx direct",
                    c.p50() - direct.p50(), c.perSecond() / direct.perSecond());
            System.out.printf(Locale.ROOT, "| %s | %d | %.0f | %.2f | %.2f | %s | %.0f | %.0f | %.0f | %.0f | %.0f | %.0f |%n",
                    c.target(), c.sessions(), c.perSecond(), c.p50(), c.p99(), added, c.gatewayUs(), c.allocatorUs(),
                    c.loadUs(), c.otherUs(), c.servedBytes(), c.allocatorBytes());
        }
    }
}

package io.envgrid.allocator.bench;

import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptSource;
import io.envgrid.allocator.support.AllocatorCluster;
import io.envgrid.allocator.support.EmbeddedRedis;
import io.envgrid.allocator.support.SyncRedis;
import io.envgrid.testsupport.process.CpuUse;
import io.envgrid.testsupport.process.JitWarmth;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.redis.client.Command;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisOptions;
import io.vertx.redis.client.Request;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Allocate+release throughput and allocate latency of the allocator, next to a raw Redis baseline.
 *
 * <p>Run it from {@code resource-allocator-service/} (parent pom installed with
 * {@code mvn -B -N -q install} in the repository root):
 * <pre>
 *   mvn -B -Pbench verify
 *   mvn -B -Pbench verify -Dbench.warmup=2 -Dbench.measure=5 -Dbench.workers=1,64 -Dbench.instances=1
 * </pre>
 * The {@code bench} profile packages the service (tests skipped unless {@code -DskipTests=false}) and
 * runs this class in its own JVM on the test classpath (exec-maven-plugin, integration-test phase).
 *
 * <p>One cell = {@code W} concurrent workers for a fixed time ({@code bench.warmup} s, default 5, then
 * {@code bench.measure} s measured, default 10), each in a closed loop: allocate one resource, release
 * it, again. Before its first cell each target runs unmeasured for {@code bench.targetWarmup} s
 * (default 10) per replica so that freshly started JVMs are past their JIT warm-up. Targets:
 * <ul>
 *   <li>{@code raw-redis}: the service's own allocate.lua and release.lua (lib.lua prepended and
 *       {@code __EVENTS_MAXLEN__} replaced as ScriptRunner does) called with EVALSHA through the Vert.x
 *       Redis client with the service's pool settings (32 connections, 2048 waiters): the floor the
 *       service could reach on this machine;</li>
 *   <li>{@code 1 replica} / {@code 3 replicas}: the packaged service ({@code java -jar quarkus-run.jar}) in
 *       separate JVMs, driven over HTTP/1.1 keep-alive by the Vert.x HTTP client, requests rotating over
 *       the replicas.</li>
 * </ul>
 * Cycles/s counts allocate+release pairs completed in the measured window; p50/p99 are of the granted
 * allocations completed in it (409s are counted apart, the pool is large enough that they should not
 * happen). The CPU columns are CPU time used in the window by redis-server, the allocator JVMs and this
 * load generator, in % of one core (the machine has {@code nproc} cores for all three), and "other" is the
 * rest of the machine's busy time (/proc/stat: kernel work not charged to these processes, and any other
 * process: a busy neighbour makes the figures unreliable); "redis busy" is the wall time redis-server
 * spent executing commands (INFO commandstats; it can pass 100% when redis-server is descheduled in the
 * middle of a command). Properties: {@code bench.workers} (1,64,512), {@code bench.instances} (1,3),
 * {@code bench.raw} (true), {@code bench.targetWarmup} (10 s per replica, then on until the JITs have settled, at
 * most {@code bench.jit-warmup}, 300 s), {@code bench.pool} (1024),
 * {@code bench.eventLoops} (2, of this load generator), {@code bench.allocatorJvmArgs} ("-Xmx1g", e.g. add
 * {@code -XX:StartFlightRecording=filename=target/bench/a.jfr,settings=profile} to profile the replicas),
 * {@code allocator.app} (target/quarkus-app/quarkus-run.jar). Replica logs go to {@code target/bench/}.
 *
 * <p>On the 1-replica target it then runs the waiting-load cases of {@link WaitingLoad}: {@code bench.waiters}
 * (50,1000,5000; empty for none) parked waiters on {@code bench.waitPool} (64) resources held ~{@code bench.hold}
 * (1) s each, {@code bench.waitWarmup} (3) s then {@code bench.waitMeasure} (10) s measured per case.
 *
 * <p>{@code bench.waitReplicas} (0) lists {@code envgrid.allocator.redis.wait-replicas} values to run every service
 * target with, e.g. {@code 0,1}: the cost of {@code WAIT} in the same run, on a real replica the bench then starts.
 *
 * <p>{@code bench.baseline} (empty) names other builds' {@code quarkus-run.jar}s (e.g. main's, or one from before a
 * change), comma-separated, each {@code path} or {@code label=path} (label default {@code baseline}, then
 * {@code baseline2}...), measured in the same run as targets of one replica: each on a Redis of its own, its pool
 * registered over its HTTP API ({@code POST /resources}, which every build has, where the scripts' arguments
 * changed), each cell right after this build's cell with the same worker count so that all meet the same machine.
 * {@code bench.rounds} (1) repeats those cells in turn. {@code bench.jfr} (false) records each service target's replicas with JFR ({@code settings=profile}) to
 * {@code target/bench/<target>.jfr}. The "redis µs/cycle" column is redis-server's CPU time per allocate+release
 * pair (commands, network and timers; each cell prints its commands per cycle from {@code INFO commandstats} too),
 * the "alloc µs/cycle" column is the allocator JVMs' CPU time per
 * allocate+release pair: what the service itself costs, less sensitive than cycles/s to a busy machine.
 */
public final class AllocatorBenchmark {

    private static final String PREFIX = "{envgrid}:";
    private static final String TYPE = "bench";
    private static final long LEASE_MS = 60_000;
    /** ARGV[5] of allocate.lua, the rest of the wait; unused without a ticket. */
    private static final String NO_WAIT_MS = "0";
    /** ARGV[8] of allocate.lua: the replica its waiters would be told on; unused without a ticket. */
    private static final String BENCH_REPLICA = "bench";
    private static final String BENCH_LEASE_TOKEN = "elt_benchmarkbenchmarkbenc";
    private static final String REQUEST_ID_RETENTION_MS = "600000";
    private static final long EVENTS_MAX_LENGTH = 200_000; // the service's default

    private final Duration warmup = seconds("bench.warmup", "5");
    private final Duration measure = seconds("bench.measure", "10");
    /** Unmeasured load per replica before a target's first cell, so that fresh JVMs are past their JIT warm-up. */
    private final Duration targetWarmup = seconds("bench.targetWarmup", "10");
    private final Duration jitWarmup = seconds("bench.jit-warmup", "300");
    private final int[] workerCounts = ints(System.getProperty("bench.workers", "1,64,512"));
    private final int[] instanceCounts = ints(System.getProperty("bench.instances", "1,3"));
    private final boolean raw = Boolean.parseBoolean(System.getProperty("bench.raw", "true"));
    /**
     * envgrid.allocator.redis.wait-replicas of each service target, e.g. "0,1" (same run, with and without WAIT);
     * anything above 0 starts a Redis replica for the whole run.
     */
    private final int[] waitReplicas = ints(System.getProperty("bench.waitReplicas", "0"));
    private final int pool = Integer.getInteger("bench.pool",
            Math.max(1024, 2 * Arrays.stream(workerCounts).max().orElse(1)));
    private final List<String> allocatorJvmArgs = List.of(System.getProperty("bench.allocatorJvmArgs", "-Xmx1g")
            .trim().split("\\s+"));
    /** Other builds' quarkus-run.jar by label, measured next to this one on the 1-replica target; empty: none. */
    private final Map<String, Path> baselines = baselines(System.getProperty("bench.baseline", ""));
    private final boolean jfr = Boolean.getBoolean("bench.jfr");
    /**
     * How often the cells of this build and its baselines are repeated, in turn (a JVM still warming up on a busy
     * machine gains in later rounds; each row is one cell).
     */
    private final int rounds = Integer.getInteger("bench.rounds", 1);

    /** Parked waiters of the waiting-load cases (run on the 1-replica target); empty: none. */
    private final int[] waiterCounts = ints(System.getProperty("bench.waiters", "50,1000,5000"));
    private final int waitPool = Integer.getInteger("bench.waitPool", 64);
    private final Duration hold = seconds("bench.hold", "1");
    private final Duration waitWarmup = seconds("bench.waitWarmup", "3");
    private final Duration waitMeasure = seconds("bench.waitMeasure", "10");

    private final List<Row> rows = new ArrayList<>();
    private final List<WaitingLoad.Result> waiting = new ArrayList<>();
    private Scripts scripts;

    /** One measured cell of the table. */
    private record Row(String target, int workers, double cyclesPerSecond, double p50Ms, double p99Ms, long granted,
            long insufficient, long errors, double redisCpu, double allocatorCpu, double loadCpu, double machineCpu,
            double redisBusy) {

        /** The allocator JVMs' CPU time per allocate+release pair, in µs (NaN for raw Redis or no cycles). */
        double allocatorUsecPerCycle() {
            return allocatorCpu == 0 || cyclesPerSecond == 0 ? Double.NaN : allocatorCpu * 1e4 / cyclesPerSecond;
        }

        /** redis-server's CPU time (everything it did: commands, network, timers) per allocate+release pair, in µs. */
        double redisUsecPerCycle() {
            return cyclesPerSecond == 0 ? Double.NaN : redisCpu * 1e4 / cyclesPerSecond;
        }

        double otherCpu() {
            return Math.max(0, machineCpu - redisCpu - allocatorCpu - loadCpu);
        }
    }

    /** How a worker allocates and releases: straight on Redis, or over HTTP. */
    private interface Driver {
        /** The id of the granted resource, or null on INSUFFICIENT_RESOURCES. */
        Future<String> allocate(int worker);

        Future<Void> release(int worker, String resourceId);
    }

    public static void main(String[] args) throws Exception {
        new AllocatorBenchmark().run();
        System.exit(0);
    }

    private void run() throws Exception {
        System.out.printf(Locale.ROOT, "allocator benchmark: warm-up %.1fs, measure %.1fs per cell, workers %s, "
                        + "replicas %s, pool %d, %d cores, allocator JVM args %s%n", warmup.toMillis() / 1e3,
                measure.toMillis() / 1e3, Arrays.toString(workerCounts), Arrays.toString(instanceCounts), pool,
                Runtime.getRuntime().availableProcessors(), allocatorJvmArgs);
        Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(Integer.getInteger("bench.eventLoops", 2)));
        EmbeddedRedis replica = null;
        try (EmbeddedRedis redis = EmbeddedRedis.start(); SyncRedis sync = new SyncRedis(redis.url())) {
            if (Arrays.stream(waitReplicas).max().orElse(0) > 0) {
                // A real replica for WAIT to wait on, there for every target of the run so that all pay for replication.
                replica = EmbeddedRedis.startReplicaOf(redis);
                try (SyncRedis replicaClient = new SyncRedis(replica.url())) {
                    io.envgrid.allocator.support.Conditions.await(() -> replicaClient.call("INFO", "replication").toString()
                            .contains("master_link_status:up"), "the bench's replica in sync");
                }
                System.out.printf("redis replica on %s%n", replica.url());
            }
            scripts = new Scripts(sync);
            for (int i = 1; i <= pool; i++) {
                sync.call("EVALSHA", scripts.args(scripts.register, TYPE + "-" + i, TYPE,
                        "{\"ip\":\"10.1." + (i / 250) + "." + (i % 250) + "\",\"port\":5000}", "{\"zone\":\"a\"}", "0", "0", "open"));
            }
            long redisPid = Long.parseLong(info(sync, "server", "process_id"));
            System.out.printf("redis-server pid %d on %s, %d resources of type '%s' registered%n", redisPid,
                    redis.url(), pool, TYPE);

            if (raw) {
                Redis client = Redis.createClient(vertx, new RedisOptions().setConnectionString(redis.url())
                        .setMaxPoolSize(32).setMaxPoolWaiting(2048));
                Driver driver = new RawDriver(client, scripts);
                warmUp("raw-redis", driver, 1, List.of());
                for (int w : workerCounts) {
                    cell("raw-redis", w, driver, sync, redisPid, List.of());
                }
                client.close();
            }
            for (int n : instanceCounts) {
                for (int waitFor : waitReplicas) {
                    String target = n + (n == 1 ? " replica" : " replicas") + (waitFor == 0 ? "" : " WAIT " + waitFor);
                    try (AllocatorCluster cluster = AllocatorCluster.start(n, redis.url(), Path.of("target", "bench"),
                            waitFor == 0 ? Map.of() : Map.of("envgrid.allocator.redis.wait-replicas", Integer.toString(waitFor)),
                            jvmArgs(target))) {
                        HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                                        .setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true).setPipelining(false)
                                        .setConnectTimeout(5_000).setIdleTimeout(0),
                                new PoolOptions().setHttp1MaxSize(Arrays.stream(workerCounts).max().orElse(1))
                                        .setMaxWaitQueueSize(-1));
                        Driver driver = new HttpDriver(http, cluster);
                        List<ProcessHandle> allocators = cluster.instances().stream()
                                .map(AllocatorCluster.Instance::handle).toList();
                        warmUp(target, driver, n, allocators);
                        if (n == 1 && waitFor == 0 && !baselines.isEmpty()) {
                            compareWithBaselines(vertx, target, driver, sync, redisPid, allocators);
                        } else {
                            for (int w : workerCounts) {
                                cell(target, w, driver, sync, redisPid, allocators);
                            }
                        }
                        if (n == 1 && waitFor == 0) {
                            WaitingLoad load = new WaitingLoad(vertx, sync, ProcessHandle.of(redisPid).orElseThrow(),
                                    cluster.instance(0), waitPool, hold, waitWarmup, waitMeasure);
                            for (int parked : waiterCounts) {
                                WaitingLoad.Result r = load.run(parked);
                                System.out.printf(Locale.ROOT, "  waiting load: %d parked, %.1f grants/s, %.1f Redis usec/grant"
                                        + " (%.1f CPU), release->grant p50 %.2f ms p99 %.2f ms%n", parked, r.grantsPerSecond(),
                                        r.redisUsecPerGrant(), r.redisCpuUsecPerGrant(), r.p50Ms(), r.p99Ms());
                                waiting.add(r);
                            }
                        }
                        http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                    }
                }
            }
        } finally {
            if (replica != null) {
                replica.close();
            }
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        printTable();
        if (!waiting.isEmpty()) {
            System.out.print(WaitingLoad.table(waiting, waitMeasure, hold, waitPool));
        }
    }

    /** A baseline target: another build's single replica on a Redis of its own. */
    private record Baseline(String label, EmbeddedRedis redis, SyncRedis sync, long redisPid, AllocatorCluster cluster,
            HttpClient http, Driver driver) implements AutoCloseable {

        @Override
        public void close() throws Exception {
            http.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            cluster.close();
            sync.close();
            redis.close();
        }
    }

    /**
     * This build's 1-replica target and the baseline builds', cell by cell (this build's cell, then each baseline's
     * with as many workers): each baseline on a Redis of its own with the same pool, registered over HTTP.
     */
    private void compareWithBaselines(Vertx vertx, String target, Driver driver, SyncRedis sync, long redisPid,
            List<ProcessHandle> allocators) throws Exception {
        List<Baseline> started = new ArrayList<>();
        try {
            for (Map.Entry<String, Path> b : baselines.entrySet()) {
                EmbeddedRedis baseRedis = EmbeddedRedis.start();
                SyncRedis baseSync = new SyncRedis(baseRedis.url());
                AllocatorCluster base = AllocatorCluster.start(b.getValue(), 1, baseRedis.url(),
                        Path.of("target", "bench", b.getKey()), Map.of(), jvmArgs(b.getKey()));
                HttpClient http = vertx.createHttpClient(new HttpClientOptions()
                                .setProtocolVersion(HttpVersion.HTTP_1_1).setKeepAlive(true).setPipelining(false)
                                .setConnectTimeout(5_000).setIdleTimeout(0),
                        new PoolOptions().setHttp1MaxSize(Arrays.stream(workerCounts).max().orElse(1))
                                .setMaxWaitQueueSize(-1));
                Baseline baseline = new Baseline(b.getKey(), baseRedis, baseSync,
                        Long.parseLong(info(baseSync, "server", "process_id")), base, http, new HttpDriver(http, base));
                started.add(baseline);
                registerOverHttp(vertx, base.instance(0).port());
                System.out.printf("%s: %s on its own redis-server (pid %d), %d resources registered over HTTP%n",
                        b.getKey(), b.getValue(), baseline.redisPid(), pool);
                warmUp(b.getKey(), baseline.driver(), 1,
                        base.instances().stream().map(AllocatorCluster.Instance::handle).toList());
            }
            for (int round = 0; round < rounds; round++) {
                for (int w : workerCounts) {
                    cell(target, w, driver, sync, redisPid, allocators);
                    for (Baseline b : started) {
                        cell(b.label(), w, b.driver(), b.sync(), b.redisPid(),
                                List.of(b.cluster().instance(0).handle()));
                    }
                }
            }
        } finally {
            for (Baseline b : started) {
                b.close();
            }
        }
    }

    /** Registers the bench pool ({@code bench-1..pool} of type bench) through {@code POST /resources}. */
    private void registerOverHttp(Vertx vertx, int port) throws Exception {
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true));
        try {
            for (int i = 1; i <= pool; i++) {
                String body = "{\"id\":\"" + TYPE + "-" + i + "\",\"type\":\"" + TYPE + "\",\"endpoint\":{\"ip\":\"10.1."
                        + (i / 250) + "." + (i % 250) + "\",\"port\":5000},\"labels\":{\"zone\":\"a\"}}";
                int status = http.request(new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port)
                                .setURI("/resources").putHeader("Content-Type", "application/json"))
                        .compose(request -> request.send(body)).map(response -> response.statusCode())
                        .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
                if (status / 100 != 2) {
                    throw new IllegalStateException("the baseline answered " + status + " to registering " + TYPE + "-" + i);
                }
            }
        } finally {
            http.close();
        }
    }

    /** The replicas' JVM options: bench.allocatorJvmArgs, and a flight recording per target with bench.jfr. */
    private List<String> jvmArgs(String target) throws IOException {
        List<String> args = new ArrayList<>(allocatorJvmArgs);
        if (jfr) {
            Path dir = Files.createDirectories(Path.of("target", "bench"));
            args.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + dir.resolve(target.replace(' ', '-') + ".jfr").toAbsolutePath());
        }
        return args;
    }

    /**
     * Runs the target unmeasured with min(64, most workers) workers for bench.targetWarmup seconds per replica, then on
     * until the JIT of this JVM (the load generator, and the raw target's client) and of every JVM in {@code servers}
     * has settled ({@link JitWarmth}: C2 queue empty and its threads idle), at most bench.jit-warmup seconds.
     */
    private void warmUp(String target, Driver driver, int replicas, List<ProcessHandle> servers) throws Exception {
        Duration duration = targetWarmup.multipliedBy(replicas);
        if (duration.isZero()) {
            return;
        }
        int workers = Math.min(64, Arrays.stream(workerCounts).max().orElse(1));
        Flags flags = new Flags();
        LongAdder cycles = new LongAdder();
        LongAdder errors = new LongAdder();
        List<Future<Void>> done = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            Promise<Void> finished = Promise.promise();
            new Loop(w, driver, flags, new ConcurrentHistogram(3), cycles, new LongAdder(), new LongAdder(), errors,
                    finished).next();
            done.add(finished.future());
        }
        flags.measuring = true;
        long started = System.nanoTime();
        Thread.sleep(duration.toMillis());
        List<JitWarmth> jits = new ArrayList<>();
        jits.add(JitWarmth.of(ProcessHandle.current().pid(), jitWarmup));
        servers.forEach(p -> jits.add(JitWarmth.of(p.pid(), jitWarmup)));
        while (!jits.stream().allMatch(j -> j.settled() || j.timedOut())) {
            Thread.sleep(500);
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        flags.measuring = false;
        flags.running = false;
        Future.join(new ArrayList<>(done)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        System.out.printf(Locale.ROOT, "  %-11s warm-up: %d workers for %.1fs, %.0f cycles/s, %d errors; JIT: %s%n",
                target, workers, elapsedMs / 1e3, cycles.sum() * 1e3 / elapsedMs, errors.sum(),
                jits.stream().map(JitWarmth::report).toList());
    }

    // ---- one cell ---------------------------------------------------------------------------

    private void cell(String target, int workers, Driver driver, SyncRedis sync, long redisPid,
            List<ProcessHandle> allocators) throws Exception {
        ConcurrentHistogram latency = new ConcurrentHistogram(3);
        LongAdder cycles = new LongAdder();
        LongAdder granted = new LongAdder();
        LongAdder insufficient = new LongAdder();
        LongAdder errors = new LongAdder();
        Flags flags = new Flags();

        List<Future<Void>> done = new ArrayList<>(workers);
        for (int w = 0; w < workers; w++) {
            Promise<Void> finished = Promise.promise();
            new Loop(w, driver, flags, latency, cycles, granted, insufficient, errors, finished).next();
            done.add(finished.future());
        }
        Thread.sleep(warmup.toMillis());

        sync.call("CONFIG", "RESETSTAT");
        long redisCpu0 = CpuUse.cpuNanos(redisPid);
        long allocatorCpu0 = allocators.stream().mapToLong(p -> CpuUse.cpuNanos(p.pid())).sum();
        long loadCpu0 = CpuUse.ownCpuNanos();
        long[] machine0 = CpuUse.machineJiffies();
        long t0 = System.nanoTime();
        flags.measuring = true;
        Thread.sleep(measure.toMillis());
        flags.measuring = false;
        long elapsed = System.nanoTime() - t0;
        long redisCpu = CpuUse.cpuNanos(redisPid) - redisCpu0;
        long allocatorCpu = allocators.stream().mapToLong(p -> CpuUse.cpuNanos(p.pid())).sum() - allocatorCpu0;
        long loadCpu = CpuUse.ownCpuNanos() - loadCpu0;
        long[] machine1 = CpuUse.machineJiffies();
        double machineCpu = machine1[1] == machine0[1] ? Double.NaN
                : 100.0 * Runtime.getRuntime().availableProcessors() * (machine1[0] - machine0[0]) / (machine1[1] - machine0[1]);
        String commandStats = sync.call("INFO", "commandstats").toString();
        double redisBusyUsec = commandUsec(commandStats);
        flags.running = false;

        Future.join(new ArrayList<>(done)).toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        long leftover = sync.call("ZCARD", PREFIX + "leases").toLong();
        // Only this build's scripts are loaded on this Redis: a baseline's leftovers stay (they are counted as errors).
        if (leftover > 0 && !baselines.containsKey(target)) {
            System.out.printf("  %d lease(s) left after the cell (failed releases); releasing them%n", leftover);
            for (int w = 0; w < workers; w++) {
                sync.call("EVALSHA", scripts.args(scripts.release, worker(w), "worker"));
            }
        }

        Histogram h = latency.copy();
        double seconds = elapsed / 1e9;
        Row row = new Row(target, workers, cycles.sum() / seconds, h.getValueAtPercentile(50) / 1e3,
                h.getValueAtPercentile(99) / 1e3, granted.sum(), insufficient.sum(), errors.sum() + leftover,
                100.0 * redisCpu / elapsed, 100.0 * allocatorCpu / elapsed, 100.0 * loadCpu / elapsed, machineCpu,
                100.0 * redisBusyUsec * 1e3 / elapsed);
        rows.add(row);
        System.out.printf(Locale.ROOT, "  %-11s %4d workers: %8.0f cycles/s  p50 %6.2f ms  p99 %7.2f ms  409s %d  errors %d"
                        + "  cpu redis %3.0f%% allocators %3.0f%% loadgen %3.0f%% other %3.0f%%  redis busy %3.0f%%"
                        + "  redis %.0f us/cycle  alloc %.0f us/cycle  load average %s%n",
                row.target(), row.workers(), row.cyclesPerSecond(), row.p50Ms(), row.p99Ms(), row.insufficient(),
                row.errors(), row.redisCpu(), row.allocatorCpu(), row.loadCpu(), row.otherCpu(), row.redisBusy(),
                row.redisUsecPerCycle(), row.allocatorUsecPerCycle(), CpuUse.loadAverage());
        System.out.printf(Locale.ROOT, "  %-11s commands per cycle (calls, usec inside Redis per call): %s%n", "",
                commandsPerCycle(commandStats, cycles.sum()));
    }

    private static final class Flags {
        volatile boolean running = true;
        volatile boolean measuring = false;
    }

    /** One worker's closed loop: allocate, release, repeat while running. */
    private record Loop(int worker, Driver driver, Flags flags, ConcurrentHistogram latency, LongAdder cycles,
            LongAdder granted, LongAdder insufficient, LongAdder errors, Promise<Void> finished) {

        void next() {
            if (!flags.running) {
                finished.complete();
                return;
            }
            long start = System.nanoTime();
            driver.allocate(worker).onComplete(allocated -> {
                boolean measured = flags.measuring;
                if (allocated.failed()) {
                    if (measured) {
                        errors.increment();
                    }
                    next();
                    return;
                }
                String id = allocated.result();
                if (id == null) {
                    if (measured) {
                        insufficient.increment();
                    }
                    next();
                    return;
                }
                if (measured) {
                    latency.recordValue(Math.max(1, (System.nanoTime() - start) / 1_000));
                    granted.increment();
                }
                driver.release(worker, id).onComplete(released -> {
                    if (released.failed()) {
                        if (flags.measuring) {
                            errors.increment();
                        }
                    } else if (flags.measuring) {
                        cycles.increment();
                    }
                    next();
                });
            });
        }
    }

    private static String worker(int w) {
        return "bench-w" + w;
    }

    // ---- drivers ------------------------------------------------------------------------------

    /** allocate.lua / release.lua straight on Redis with EVALSHA, as ScriptRunner sends them. */
    private static final class RawDriver implements Driver {
        private final Redis redis;
        private final Scripts scripts;

        RawDriver(Redis redis, Scripts scripts) {
            this.redis = redis;
            this.scripts = scripts;
        }

        @Override
        public Future<String> allocate(int w) {
            Request request = Request.cmd(Command.EVALSHA);
            // ARGV as AllocationService sends it: worker, lease ms, request_id, ticket, rest of the wait, one
            // lease token per type (a fixed well-formed one: the benchmark never verifies it), request_id retention,
            // replica.
            for (String arg : scripts.args(scripts.allocate, worker(w), Long.toString(LEASE_MS), "", "", NO_WAIT_MS,
                    BENCH_LEASE_TOKEN, REQUEST_ID_RETENTION_MS, BENCH_REPLICA, TYPE)) {
                request.arg(arg);
            }
            return redis.send(request).map(answer -> {
                JsonObject json = new JsonObject(answer.toString());
                return switch (json.getString("status")) {
                    case "granted" -> json.getJsonArray("grants").getJsonObject(0).getString("id");
                    case "insufficient" -> null;
                    default -> throw new IllegalStateException("allocate.lua answered " + json);
                };
            });
        }

        @Override
        public Future<Void> release(int w, String id) {
            Request request = Request.cmd(Command.EVALSHA);
            for (String arg : scripts.args(scripts.release, worker(w), id)) {
                request.arg(arg);
            }
            return redis.send(request).map(answer -> {
                if (!answer.toString().contains("\"released\"")) {
                    throw new IllegalStateException("release.lua answered " + answer);
                }
                return null;
            });
        }
    }

    /** POST /allocate and POST /release over HTTP/1.1 keep-alive, rotating over the replicas. */
    private static final class HttpDriver implements Driver {
        private final HttpClient http;
        private final List<AllocatorCluster.Instance> instances;
        private final Buffer[] allocateBodies = new Buffer[4096];
        private int rotation;

        HttpDriver(HttpClient http, AllocatorCluster cluster) {
            this.http = http;
            this.instances = cluster.instances();
        }

        @Override
        public Future<String> allocate(int w) {
            Buffer body = w < allocateBodies.length ? allocateBodies[w] : null;
            if (body == null) {
                body = Buffer.buffer("{\"worker_id\":\"" + worker(w) + "\",\"resource_types\":[\"" + TYPE
                        + "\"],\"timeout\":" + LEASE_MS / 1000 + "}");
                if (w < allocateBodies.length) {
                    allocateBodies[w] = body;
                }
            }
            return post("/allocate", body).map(response -> {
                if (response.status == 200) {
                    return new JsonObject(response.body).getJsonObject(TYPE).getString("id");
                }
                if (response.status == 409 && response.body.toString().contains("INSUFFICIENT_RESOURCES")) {
                    return null;
                }
                throw new IllegalStateException("allocate answered " + response.status + " " + response.body);
            });
        }

        @Override
        public Future<Void> release(int w, String id) {
            Buffer body = Buffer.buffer("{\"worker_id\":\"" + worker(w) + "\",\"resource_id\":\"" + id + "\"}");
            return post("/release", body).map(response -> {
                if (response.status != 200) {
                    throw new IllegalStateException("release answered " + response.status + " " + response.body);
                }
                return null;
            });
        }

        private record Answer(int status, Buffer body) {
        }

        private Future<Answer> post(String path, Buffer body) {
            // Rotation is racy across event loops on purpose: it only spreads the load.
            AllocatorCluster.Instance instance = instances.get(Math.floorMod(rotation++, instances.size()));
            RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                    .setPort(instance.port()).setURI(path).putHeader("Content-Type", "application/json");
            return http.request(options)
                    .compose(request -> request.send(body))
                    .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
        }
    }

    // ---- the service's scripts ----------------------------------------------------------------

    /** The service's own Lua scripts, composed by {@link ScriptSource} as ScriptRunner composes them. */
    private static final class Scripts {
        final String allocate;
        final String release;
        final String register;

        Scripts(SyncRedis sync) {
            allocate = load(sync, AllocatorScript.ALLOCATE);
            release = load(sync, AllocatorScript.RELEASE);
            register = load(sync, AllocatorScript.REGISTER);
        }

        /** EVALSHA arguments: sha, 1 key (the prefix), then ARGV. */
        String[] args(String sha, String... argv) {
            String[] all = new String[argv.length + 3];
            all[0] = sha;
            all[1] = "1";
            all[2] = PREFIX;
            System.arraycopy(argv, 0, all, 3, argv.length);
            return all;
        }

        private static String load(SyncRedis sync, AllocatorScript script) {
            ScriptSource source = ScriptSource.of(script, EVENTS_MAX_LENGTH);
            String sha = sync.call("SCRIPT", "LOAD", source.source()).toString();
            if (!sha.equals(source.sha())) {
                throw new IllegalStateException("Redis computed SHA " + sha + ", ScriptRunner would use " + source.sha());
            }
            return sha;
        }


    }

    // ---- measurements and the table ------------------------------------------------------------

    /** Microseconds redis-server spent executing commands since the last CONFIG RESETSTAT ({@code INFO commandstats}). */
    private static double commandUsec(String commandStats) {
        double usec = 0;
        for (String line : commandStats.split("\r?\n")) {
            int at = line.indexOf("usec=");
            if (line.startsWith("cmdstat_") && at > 0) {
                int end = line.indexOf(',', at);
                usec += Double.parseDouble(line.substring(at + 5, end < 0 ? line.length() : end));
            }
        }
        return usec;
    }

    /**
     * What Redis ran per measured allocate+release pair, by command ({@code INFO commandstats} since the cell's
     * RESETSTAT, commands run inside scripts included): {@code evalsha 2.00 (45.1 us)}, ... One cycle is one
     * {@code EVALSHA} of allocate.lua and one of release.lua; anything else is what the target adds (its reaper,
     * gauges, health checks, pool pings), or what the scripts run inside.
     */
    private static String commandsPerCycle(String commandStats, long cycles) {
        List<String> out = new ArrayList<>();
        for (String line : commandStats.split("\r?\n")) {
            if (!line.startsWith("cmdstat_") || cycles == 0) {
                continue;
            }
            String name = line.substring("cmdstat_".length(), line.indexOf(':'));
            long calls = Long.parseLong(field(line, "calls="));
            double perCall = Double.parseDouble(field(line, "usec_per_call="));
            out.add(String.format(Locale.ROOT, "%s %.3f (%.1f us)", name, (double) calls / cycles, perCall));
        }
        return String.join(", ", out);
    }

    /** The value after {@code key} in one {@code INFO commandstats} line, up to the next comma. */
    private static String field(String line, String key) {
        int at = line.indexOf(key) + key.length();
        int end = line.indexOf(',', at);
        return line.substring(at, end < 0 ? line.length() : end).trim();
    }

    private static String info(SyncRedis sync, String section, String field) {
        for (String line : sync.call("INFO", section).toString().split("\r?\n")) {
            if (line.startsWith(field + ":")) {
                return line.substring(field.length() + 1).trim();
            }
        }
        throw new IllegalStateException("INFO " + section + " has no " + field);
    }

    private void printTable() {
        Map<Integer, Row> rawByWorkers = new LinkedHashMap<>();
        rows.stream().filter(r -> r.target().equals("raw-redis")).forEach(r -> rawByWorkers.put(r.workers(), r));
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "%nallocate+release cycles, %s s measured per cell after %s s warm-up;"
                + " CPU in %% of one core (%d cores in all; 'other' = the rest of the machine: kernel, other"
                + " processes)%n", measure.toMillis() / 1e3, warmup.toMillis() / 1e3,
                Runtime.getRuntime().availableProcessors()));
        String header = String.format(Locale.ROOT, "| %-10s | %7s | %9s | %7s | %7s | %8s | %5s | %6s | %-38s | %10s | %14s | %14s |",
                "target", "workers", "cycles/s", "p50 ms", "p99 ms", "this/raw", "409s", "errors",
                "CPU% redis / allocators / load / other", "redis busy", "redis µs/cycle", "alloc µs/cycle");
        out.append(header).append('\n').append(header.replaceAll("[^|]", "-")).append('\n');
        String line = "| %-10s | %7d | %9.0f | %7.2f | %7.2f | %8s | %5d | %6d | %5.0f / %10.0f / %4.0f / %7.0f | %9.0f%% | %14.0f | %14s |%n";
        for (Row r : rows) {
            Row base = rawByWorkers.get(r.workers());
            String ratio = base == null || r.cyclesPerSecond() == 0 ? "-"
                    : String.format(Locale.ROOT, "%.2fx", r.cyclesPerSecond() / base.cyclesPerSecond());
            out.append(String.format(Locale.ROOT, line, r.target(), r.workers(), r.cyclesPerSecond(), r.p50Ms(),
                    r.p99Ms(), ratio, r.insufficient(), r.errors(), r.redisCpu(), r.allocatorCpu(), r.loadCpu(),
                    r.otherCpu(), r.redisBusy(), r.redisUsecPerCycle(), Double.isNaN(r.allocatorUsecPerCycle()) ? "-"
                            : String.format(Locale.ROOT, "%.0f", r.allocatorUsecPerCycle())));
        }
        rows.stream().filter(r -> r.target().equals("1 replica") && r.workers() == 64).findFirst().ifPresent(r -> {
            Row base = rawByWorkers.get(64);
            out.append(String.format(Locale.ROOT, "%ntargets at 64 workers on 1 replica: %.0f cycles/s (>= 5000: %s), "
                            + "p99 %.2f ms (<= 20: %s)", r.cyclesPerSecond(), r.cyclesPerSecond() >= 5000 ? "met" : "MISSED",
                    r.p99Ms(), r.p99Ms() <= 20 ? "met" : "MISSED"));
            if (base != null) {
                double ratio = base.cyclesPerSecond() / r.cyclesPerSecond();
                out.append(String.format(Locale.ROOT, ", service / raw Redis %.2fx (>= 0.7x: %s)", 1 / ratio,
                        1 / ratio >= 0.7 ? "met" : "MISSED"));
            }
            out.append('\n');
        });
        System.out.print(out);
    }

    /** {@code [label=]path,...} of bench.baseline: labels default to baseline, baseline2, ... */
    private static Map<String, Path> baselines(String csv) {
        Map<String, Path> out = new LinkedHashMap<>();
        for (String entry : csv.split(",")) {
            entry = entry.trim();
            if (entry.isEmpty()) {
                continue;
            }
            int eq = entry.indexOf('=');
            String label = eq > 0 ? entry.substring(0, eq).trim() : "baseline" + (out.isEmpty() ? "" : out.size() + 1);
            out.put(label, Path.of(entry.substring(eq + 1).trim()));
        }
        return out;
    }

    private static Duration seconds(String property, String otherwise) {
        return Duration.ofMillis(Math.round(Double.parseDouble(System.getProperty(property, otherwise)) * 1000));
    }

    private static int[] ints(String csv) {
        return Arrays.stream(csv.split(",")).map(String::trim).filter(s -> !s.isEmpty()).mapToInt(Integer::parseInt)
                .toArray();
    }
}

package io.envgrid.allocator.bench;

import io.envgrid.allocator.support.AllocatorCluster;
import io.envgrid.allocator.support.SyncRedis;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.ConcurrentHistogram;

/**
 * The waiting-load case of {@link AllocatorBenchmark}: a pool of {@code pool} resources, each held
 * ~{@code hold} (±10 %) by whoever gets it and then released, and {@code pool + parked} workers in
 * closed loops (allocate with {@code wait_ms} 120 s, hold, release, again), so that about
 * {@code parked} requests are parked in {@code wait_ms} at any time. Over the measured window it
 * reports grants per second, Redis time per grant (the {@code usec} of {@code INFO commandstats}
 * for EVALSHA, i.e. every script: allocate, release, cancel_wait, reap, plus the UNLINK a waiter
 * sends to drop its kept answer, divided by the grants), and the wait from a release to the grant
 * it causes: from the moment the release of resource X is sent to the moment the next grant of X
 * reaches its waiter (one clock: both ends are in this process).
 */
final class WaitingLoad {

    private static final long WAIT_MS = 120_000;
    private static final int LEASE_SECONDS = 60;

    /** The figures of one case. */
    record Result(int parked, int workers, long grants, double grantsPerSecond, double redisUsecPerGrant,
            double redisCpuUsecPerGrant, double p50Ms, double p99Ms, long errors) {
    }

    private final Vertx vertx;
    private final SyncRedis sync;
    private final ProcessHandle redisServer;
    private final AllocatorCluster.Instance instance;
    private final int pool;
    private final Duration hold;
    private final Duration warmup;
    private final Duration measure;

    WaitingLoad(Vertx vertx, SyncRedis sync, ProcessHandle redisServer, AllocatorCluster.Instance instance, int pool,
            Duration hold, Duration warmup, Duration measure) {
        this.vertx = vertx;
        this.sync = sync;
        this.redisServer = redisServer;
        this.instance = instance;
        this.pool = pool;
        this.hold = hold;
        this.warmup = warmup;
        this.measure = measure;
    }

    /** Runs one case on a pool of its own type, so that leases left by an earlier case do not matter. */
    Result run(int parked) throws Exception {
        String type = "wait" + parked;
        int workers = pool + parked;
        HttpClient http = vertx.createHttpClient(new HttpClientOptions().setProtocolVersion(HttpVersion.HTTP_1_1)
                        .setKeepAlive(true).setPipelining(false).setConnectTimeout(30_000).setIdleTimeout(0),
                new PoolOptions().setHttp1MaxSize(workers + 16).setMaxWaitQueueSize(-1));
        for (int i = 1; i <= pool; i++) {
            String body = "{\"id\":\"" + type + "-" + i + "\",\"type\":\"" + type
                    + "\",\"endpoint\":{\"ip\":\"10.2.0." + i + "\",\"port\":5000}}";
            int status = post(http, "/resources", Buffer.buffer(body)).toCompletionStage().toCompletableFuture()
                    .get(30, TimeUnit.SECONDS).status();
            if (status != 201) {
                throw new IllegalStateException("registering " + type + "-" + i + " answered " + status);
            }
        }
        State state = new State();
        for (int w = 0; w < workers; w++) {
            new Worker(http, type, "wait-w" + w, state).allocate();
        }
        await(() -> tickets() >= parked * 9L / 10, Duration.ofSeconds(120), parked + " waiters parked");
        Thread.sleep(warmup.toMillis());

        sync.call("CONFIG", "RESETSTAT");
        long redisCpu0 = cpuNanos(redisServer);
        state.measuring = true;
        long t0 = System.nanoTime();
        Thread.sleep(measure.toMillis());
        state.measuring = false;
        double seconds = (System.nanoTime() - t0) / 1e9;
        double usec = scriptUsec();
        double cpuUsec = (cpuNanos(redisServer) - redisCpu0) / 1e3;
        long grants = state.grants.sum();

        // Closing the connections ends every wait: the allocator withdraws the tickets (client gone).
        state.running = false;
        http.close().toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
        await(() -> tickets() == 0, Duration.ofSeconds(120), "the tickets of closed connections withdrawn");
        return new Result(parked, workers, grants, grants / seconds, grants == 0 ? Double.NaN : usec / grants,
                grants == 0 ? Double.NaN : cpuUsec / grants, state.wait.getValueAtPercentile(50) / 1e3, state.wait.getValueAtPercentile(99) / 1e3,
                state.errors.sum());
    }

    /** Prints the cases side by side, with the targets of issue 18. */
    static String table(java.util.List<Result> results, Duration measure, Duration hold, int pool) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT, "%nwaiting load: %d resources held ~%d ms "
                + "each, %.0f s measured per case; Redis usec = EVALSHA (all scripts) + UNLINK from INFO commandstats"
                + " (wall time inside Redis); Redis CPU = redis-server's CPU time (everything it did) per grant%n",
                pool, hold.toMillis(), measure.toMillis() / 1e3));
        String header = String.format(Locale.ROOT, "| %14s | %7s | %8s | %8s | %16s | %19s | %18s | %18s | %6s |",
                "parked waiters", "workers", "grants", "grants/s", "Redis usec/grant", "Redis CPU usec/grant",
                "release->grant p50", "release->grant p99", "errors");
        out.append(header).append('\n').append(header.replaceAll("[^|]", "-")).append('\n');
        for (Result r : results) {
            out.append(String.format(Locale.ROOT, "| %14d | %7d | %8d | %8.1f | %16.1f | %19.1f | %15.2f ms | %15.2f ms | %6d |%n",
                    r.parked(), r.workers(), r.grants(), r.grantsPerSecond(), r.redisUsecPerGrant(),
                    r.redisCpuUsecPerGrant(), r.p50Ms(), r.p99Ms(), r.errors()));
        }
        Result few = results.get(0);
        for (Result r : results.subList(1, results.size())) {
            double ratio = r.redisUsecPerGrant() / few.redisUsecPerGrant();
            double cpuRatio = r.redisCpuUsecPerGrant() / few.redisCpuUsecPerGrant();
            out.append(String.format(Locale.ROOT, "Redis time per grant at %d vs %d parked: %.2fx (<= 1.5x: %s), Redis CPU"
                            + " per grant %.2fx; release->grant p99 %.2f ms (<= 20: %s)%n", r.parked(), few.parked(), ratio,
                    ratio <= 1.5 ? "met" : "MISSED", cpuRatio, r.p99Ms(), r.p99Ms() <= 20 ? "met" : "MISSED"));
        }
        return out.toString();
    }

    private final class State {
        volatile boolean running = true;
        volatile boolean measuring;
        final LongAdder grants = new LongAdder();
        final LongAdder errors = new LongAdder();
        final ConcurrentHistogram wait = new ConcurrentHistogram(3);
        /** Resource id -> when its release was sent (System.nanoTime). */
        final ConcurrentMap<String, Long> releasedAt = new ConcurrentHashMap<>();
    }

    /** One worker's closed loop: allocate (waiting), hold, release, again. */
    private final class Worker {
        private final HttpClient http;
        private final Buffer allocateBody;
        private final String worker;
        private final State state;

        Worker(HttpClient http, String type, String worker, State state) {
            this.http = http;
            this.worker = worker;
            this.state = state;
            this.allocateBody = Buffer.buffer("{\"worker_id\":\"" + worker + "\",\"resource_types\":[\"" + type
                    + "\"],\"timeout\":" + LEASE_SECONDS + ",\"wait_ms\":" + WAIT_MS + "}");
        }

        void allocate() {
            if (!state.running) {
                return;
            }
            post(http, "/allocate", allocateBody).onComplete(done -> {
                if (!state.running) {
                    return;
                }
                if (done.failed() || (done.result().status() != 200 && done.result().status() != 409)) {
                    state.errors.increment();
                    vertx.setTimer(100, t -> allocate());
                    return;
                }
                if (done.result().status() == 409) {
                    allocate();
                    return;
                }
                long now = System.nanoTime();
                String id = new JsonObject(done.result().body()).getJsonObject(
                        new JsonObject(done.result().body()).fieldNames().iterator().next()).getString("id");
                Long released = state.releasedAt.remove(id);
                if (state.measuring) {
                    state.grants.increment();
                    if (released != null) {
                        state.wait.recordValue(Math.max(1, (now - released) / 1_000));
                    }
                }
                long holdMs = Math.max(1, Math.round(hold.toMillis() * (0.9 + 0.2 * ThreadLocalRandom.current().nextDouble())));
                vertx.setTimer(holdMs, t -> release(id));
            });
        }

        private void release(String id) {
            state.releasedAt.put(id, System.nanoTime());
            post(http, "/release", Buffer.buffer("{\"worker_id\":\"" + worker + "\",\"resource_id\":\"" + id + "\"}"))
                    .onComplete(done -> {
                        if (done.failed() || done.result().status() != 200) {
                            state.errors.increment();
                        }
                        allocate();
                    });
        }
    }

    private record Answer(int status, Buffer body) {
    }

    private Future<Answer> post(HttpClient http, String path, Buffer body) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1")
                .setPort(instance.port()).setURI(path).putHeader("Content-Type", "application/json")
                .setIdleTimeout(WAIT_MS + 30_000);
        return http.request(options)
                .compose(request -> request.send(body))
                .compose(response -> response.body().map(b -> new Answer(response.statusCode(), b)));
    }

    private static long cpuNanos(ProcessHandle process) {
        return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private long tickets() {
        return sync.call("ZCARD", "{envgrid}:tickets").toLong();
    }

    /** EVALSHA and UNLINK usec since the last CONFIG RESETSTAT (commands run inside scripts are left out). */
    private double scriptUsec() {
        double usec = 0;
        for (String line : sync.call("INFO", "commandstats").toString().split("\r?\n")) {
            if (line.startsWith("cmdstat_evalsha:") || line.startsWith("cmdstat_unlink:")) {
                int at = line.indexOf("usec=");
                int end = line.indexOf(',', at);
                usec += Double.parseDouble(line.substring(at + 5, end < 0 ? line.length() : end));
            }
        }
        return usec;
    }

    private static void await(BooleanSupplier condition, Duration atMost, String what) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("benchmark: not reached within " + atMost + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}

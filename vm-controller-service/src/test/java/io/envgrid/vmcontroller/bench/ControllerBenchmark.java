package io.envgrid.vmcontroller.bench;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.vmcontroller.support.PackagedApps;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import io.vertx.core.Vertx;
import io.vertx.redis.client.Redis;
import io.vertx.redis.client.RedisAPI;
import redis.embedded.RedisServer;
import io.envgrid.vmcontroller.support.FakeVm;

/**
 * What the controller adds to a VM call, and what its lease check adds: an observation (screenshot +
 * accessibility tree, one after the other) and a pyautogui action, straight to the VM endpoint and
 * through two packaged controllers on the same Redis — one as deployed ({@code lease-check=true})
 * and one with the per-call lease check switched off ({@code lease-check=false}, a setting that
 * exists for this measurement only) — p50/p99 at 1 and 32 concurrent sessions. The two controllers
 * are measured in alternating rounds within the same run, so drift of the shared machine falls on
 * both. The VM is the in-process OSWorld stand-in ({@link FakeVm}), so the figures are the
 * controller's cost, not a desktop's. Leases are written into Redis as the allocator's
 * {@code allocate.lua} writes them.
 *
 * <p>{@code cd vm-controller-service && mvn -B -Pbench verify} ({@code -Dbench.sessions=1,32 -Dbench.seconds=10}).
 */
public final class ControllerBenchmark {

    private record Cell(String what, String target, int sessions, double perSecond, double p50, double p99) {
    }

    private interface Call {
        void run(int session) throws Exception;
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .executor(Executors.newFixedThreadPool(4)).build();
    private static final String EXECUTE = "{\"command\": [\"python\", \"-c\", \"import pyautogui; import time; "
            + "pyautogui.FAILSAFE = False; pyautogui.click(1, 1)\"], \"shell\": false}";
    private static final String ACTION = "{\"code\": \"pyautogui.click(1, 1)\"}";
    private static final String LEASE_TOKEN = "X-Envgrid-Lease-Token";
    /** Rounds per measurement: the two controllers take turns this many times. */
    private static final int ROUNDS = 5;

    public static void main(String[] args) {
        try {
            measure();
        } catch (Exception e) {
            e.printStackTrace();
            System.exit(1);
        }
        System.exit(0);
    }

    private static void measure() throws Exception {
        List<Integer> matrix = Arrays.stream(System.getProperty("bench.sessions", "1,32").split(","))
                .map(String::trim).map(Integer::parseInt).toList();
        int seconds = Integer.getInteger("bench.seconds", 10);
        int redisPort = PackagedApp.freePort();
        RedisServer redis = RedisServer.builder().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        PackagedApp checked = null;
        PackagedApp unchecked = null;
        Vertx vertx = Vertx.vertx();
        try (FakeVm vm = new FakeVm()) {
            checked = controller(redisPort, true);
            unchecked = controller(redisPort, false);
            String on = checked.url();
            String off = unchecked.url();
            String vmBase = "http://127.0.0.1:" + vm.port();
            int most = matrix.stream().max(Integer::compare).orElse(1);
            RedisAPI api = RedisAPI.api(Redis.createClient(vertx, "redis://127.0.0.1:" + redisPort));
            String[] tokens = new String[most];
            for (int i = 0; i < most; i++) {
                tokens[i] = grant(api, "vm-" + i, "bench-" + i, vm.port());
                send(post(on + "/sessions", "{\"worker_id\": \"bench-" + i + "\", \"resource\": {\"id\": \"vm-" + i
                        + "\", \"lease_token\": \"" + tokens[i] + "\"}}", null));
            }
            List<Cell> cells = new ArrayList<>(isolatedCheck(api, tokens[0]));
            for (int n : matrix) {
                cells.add(run("observation", "VM direct", n, seconds, s -> {
                    send(get(vmBase + "/screenshot", null));
                    send(get(vmBase + "/accessibility", null));
                }));
                cells.addAll(alternating("observation", n, seconds, (base, s) -> {
                    send(get(base + "/sessions/bench-" + s + "/vm-" + s + "/screenshot", tokens[s]));
                    send(get(base + "/sessions/bench-" + s + "/vm-" + s + "/accessibility", tokens[s]));
                }, on, off));
                cells.add(run("pyautogui action", "VM direct", n, seconds,
                        s -> send(post(vmBase + "/execute", EXECUTE, null))));
                cells.addAll(alternating("pyautogui action", n, seconds, (base, s) -> send(post(base + "/sessions/bench-"
                        + s + "/vm-" + s + "/actions/pyautogui", ACTION, tokens[s])), on, off));
            }
            print(cells);
        } finally {
            for (PackagedApp controller : new PackagedApp[] {checked, unchecked}) {
                if (controller != null) {
                    controller.close();
                }
            }
            vertx.close();
            redis.stop();
        }
    }

    private interface Through {
        void run(String base, int session) throws Exception;
    }

    /** The same call through both controllers, in alternating rounds; two cells: lease check on, then off. */
    private static List<Cell> alternating(String what, int sessions, int seconds, Through call, String on, String off)
            throws Exception {
        List<Long> withCheck = new ArrayList<>();
        List<Long> withoutCheck = new ArrayList<>();
        double slice = seconds / (double) ROUNDS;
        warm(sessions, s -> call.run(on, s));
        warm(sessions, s -> call.run(off, s));
        for (int round = 0; round < ROUNDS; round++) {
            withCheck.addAll(samples(sessions, slice, s -> call.run(on, s)));
            withoutCheck.addAll(samples(sessions, slice, s -> call.run(off, s)));
        }
        return List.of(cell(what, "controller, lease check", sessions, seconds, withCheck),
                cell(what, "controller, no lease check", sessions, seconds, withoutCheck));
    }

    /**
     * The check alone, as the controller runs it: {@code check_session.lua} by EVALSHA for session
     * 0, with the lease check ({@code '1'}) and without it ({@code '0'}), one call at a time,
     * alternating in rounds. The difference is what the check costs Redis and the round trip.
     */
    private static List<Cell> isolatedCheck(RedisAPI api, String token) throws Exception {
        String sha = api.script(List.of("LOAD", script("lib.lua") + "\n" + script("check_session.lua")))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS).toString();
        List<Long> on = new ArrayList<>();
        List<Long> off = new ArrayList<>();
        int perRound = 2000;
        for (int round = -1; round < ROUNDS * 2; round++) {
            List<Long> withCheck = checks(api, sha, token, "1", perRound);
            List<Long> withoutCheck = checks(api, sha, token, "0", perRound);
            if (round >= 0) {
                on.addAll(withCheck);
                off.addAll(withoutCheck);
            }
        }
        return List.of(cell("session check (EVALSHA) alone", "lease check", 1, 0, on),
                cell("session check (EVALSHA) alone", "no lease check", 1, 0, off));
    }

    private static List<Long> checks(RedisAPI api, String sha, String token, String checkLease, int count)
            throws Exception {
        List<String> args = List.of(sha, "3", "{envgrid}:vmc:session:bench-0:vm-0", "{envgrid}:r:vm-0",
                "{envgrid}:vmc:fence", token, "vm-0", "2026-01-01T00:00:00Z", "3600000", checkLease);
        List<Long> samples = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long start = System.nanoTime();
            var answer = api.evalsha(args).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            samples.add(System.nanoTime() - start);
            if (!"ok".equals(answer.get(0).toString())) {
                throw new IllegalStateException("the check refused the benchmark's session: " + answer);
            }
        }
        return samples;
    }

    private static String script(String name) throws IOException {
        try (var in = ControllerBenchmark.class.getResourceAsStream("/lua/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing lua/" + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static PackagedApp controller(int redisPort, boolean leaseCheck) {
        return PackagedApps.controller(Map.of("quarkus.log.level", "WARN",
                "envgrid.vm-controller.lease-check", Boolean.toString(leaseCheck),
                "quarkus.redis.hosts", "redis://127.0.0.1:" + redisPort),
                Path.of("target", "bench-controller-" + (leaseCheck ? "checked" : "unchecked") + ".log"));
    }

    /** Writes the lease of {@code id} to {@code worker} as allocate.lua does, on Redis' clock; returns its token. */
    private static String grant(RedisAPI api, String id, String worker, int vmPort) throws Exception {
        String token = "elt_" + Base64.getUrlEncoder().withoutPadding().encodeToString(
                UUID.randomUUID().toString().getBytes(StandardCharsets.US_ASCII)).substring(0, 22);
        var time = api.time().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        long now = time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
        long expires = now + TimeUnit.HOURS.toMillis(1);
        String k = "{envgrid}:r:" + id;
        api.hset(List.of(k, "id", id, "type", "vm_pyautogui", "endpoint",
                        "{\"ip\":\"127.0.0.1\",\"port\":" + vmPort + "}", "labels", "{}", "admin", "active",
                        "health", "up", "hb_ttl_ms", "0", "created", Long.toString(now), "worker", worker, "lease_id",
                        id + ":1", "lease_token", token, "fence", "1", "expires", Long.toString(expires), "granted",
                        Long.toString(now)))
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        api.hset(List.of("{envgrid}:fence", id, "1")).toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        api.zadd(List.of("{envgrid}:leases", Long.toString(expires), id)).toCompletionStage().toCompletableFuture()
                .get(10, TimeUnit.SECONDS);
        return token;
    }

    private static Cell run(String what, String target, int sessions, int seconds, Call call) throws Exception {
        warm(sessions, call);
        return cell(what, target, sessions, seconds, samples(sessions, seconds, call));
    }

    private static void warm(int sessions, Call call) throws Exception {
        samples(sessions, 2, call);
    }

    /** Closed loops, one per session, for {@code seconds}; the latency of every call that ended in time (ns). */
    private static List<Long> samples(int sessions, double seconds, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        long end = System.nanoTime() + (long) (seconds * 1e9);
        List<Future<List<Long>>> results = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            int session = s;
            results.add(pool.submit(() -> {
                List<Long> mine = new ArrayList<>();
                while (true) {
                    long start = System.nanoTime();
                    if (start >= end) {
                        return mine;
                    }
                    call.run(session);
                    long done = System.nanoTime();
                    if (done < end) {
                        mine.add(done - start);
                    }
                }
            }));
        }
        List<Long> all = new ArrayList<>();
        for (Future<List<Long>> f : results) {
            all.addAll(f.get());
        }
        pool.shutdown();
        return all;
    }

    /** With {@code seconds} 0 the rate is not meaningful and is shown as 0. */
    private static Cell cell(String what, String target, int sessions, int seconds, List<Long> samples) {
        long[] sorted = samples.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Cell(what, target, sessions, seconds == 0 ? 0 : sorted.length / (double) seconds, pct(sorted, 0.5),
                pct(sorted, 0.99));
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static HttpRequest get(String url, String leaseToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
        return (leaseToken == null ? b : b.header(LEASE_TOKEN, leaseToken)).build();
    }

    private static HttpRequest post(String url, String json, String leaseToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        return (leaseToken == null ? b : b.header(LEASE_TOKEN, leaseToken)).build();
    }

    private static void send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                    + new String(response.body()));
        }
    }

    /** Markdown table; "added" compares with the VM direct cell, "check adds" the two controllers. */
    private static void print(List<Cell> cells) {
        System.out.println();
        System.out.println("| call | target | sessions | calls/s | p50 ms | p99 ms | added p50 (vs VM) | lease check adds p50 / p99 |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|---:|");
        Cell direct = null;
        Cell checked = null;
        for (Cell c : cells) {
            String added = "";
            String check = "";
            if (c.target().equals("VM direct")) {
                direct = c;
            } else if (c.target().equals("lease check")) {
                checked = c;
            } else if (c.target().equals("no lease check")) {
                check = String.format(Locale.ROOT, "%.3f ms / %.3f ms", checked.p50() - c.p50(), checked.p99() - c.p99());
            } else {
                added = String.format(Locale.ROOT, "%.2f ms", c.p50() - direct.p50());
                if (c.target().equals("controller, lease check")) {
                    checked = c;
                } else {
                    check = String.format(Locale.ROOT, "%.3f ms / %.3f ms", checked.p50() - c.p50(), checked.p99() - c.p99());
                }
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.3f | %.3f | %s | %s |%n", c.what(), c.target(),
                    c.sessions(), c.perSecond(), c.p50(), c.p99(), added, check);
        }
    }
}

package io.envgrid.vmcontroller;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import redis.embedded.RedisServer;

/**
 * What the controller adds to a VM call: observation (screenshot + accessibility tree, one after
 * the other) and a pyautogui action, through the packaged controller vs straight to the VM
 * endpoint, p50/p99 at 1 and 32 concurrent sessions. The VM is the in-process OSWorld stand-in
 * ({@link FakeVm}), so the figures are the controller's cost, not a desktop's.
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
        int redisPort = freePort();
        RedisServer redis = RedisServer.builder().port(redisPort).bind("127.0.0.1").setting("save \"\"").build();
        redis.start();
        int port = freePort();
        Process controller = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx512m", "-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.log.level=WARN",
                "-Dquarkus.redis.hosts=redis://127.0.0.1:" + redisPort, "-jar", "target/quarkus-app/quarkus-run.jar")
                .redirectErrorStream(true).redirectOutput(Path.of("target", "bench-controller.log").toFile()).start();
        String base = "http://127.0.0.1:" + port;
        try (FakeVm vm = new FakeVm()) {
            awaitReady(base);
            String vmBase = "http://127.0.0.1:" + vm.port();
            int most = matrix.stream().max(Integer::compare).orElse(1);
            for (int i = 0; i < most; i++) {
                send(post(base + "/sessions", "{\"worker_id\": \"bench-" + i + "\", \"resource\": {\"id\": \"vm-" + i
                        + "\", \"type\": \"vm_pyautogui\", \"ip\": \"127.0.0.1\", \"port\": " + vm.port()
                        + ", \"lease_id\": \"l-" + i + "\", \"fencing_token\": 1}}"));
            }
            List<Cell> cells = new ArrayList<>();
            for (int n : matrix) {
                cells.add(run("observation", "VM direct", n, seconds, s -> {
                    send(get(vmBase + "/screenshot"));
                    send(get(vmBase + "/accessibility"));
                }));
                cells.add(run("observation", "through controller", n, seconds, s -> {
                    send(get(base + "/sessions/bench-" + s + "/vm-" + s + "/screenshot"));
                    send(get(base + "/sessions/bench-" + s + "/vm-" + s + "/accessibility"));
                }));
                cells.add(run("pyautogui action", "VM direct", n, seconds, s -> send(post(vmBase + "/execute", EXECUTE))));
                cells.add(run("pyautogui action", "through controller", n, seconds, s -> send(post(base + "/sessions/bench-" + s
                        + "/vm-" + s + "/actions/pyautogui", "{\"code\": \"pyautogui.click(1, 1)\"}"))));
            }
            print(cells);
        } finally {
            controller.destroy();
            controller.waitFor(20, TimeUnit.SECONDS);
            redis.stop();
        }
    }

    private static Cell run(String what, String target, int sessions, int seconds, Call call) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(sessions);
        long warmEnd = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        long end = warmEnd + TimeUnit.SECONDS.toNanos(seconds);
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
                    if (start >= warmEnd && done < end) {
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
        long[] sorted = all.stream().mapToLong(Long::longValue).sorted().toArray();
        return new Cell(what, target, sessions, sorted.length / (double) seconds, pct(sorted, 0.5), pct(sorted, 0.99));
    }

    private static double pct(long[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[Math.max(0, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }

    private static HttpRequest get(String url) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).build();
    }

    private static HttpRequest post(String url, String json) {
        return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build();
    }

    private static void send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() >= 300) {
            throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": "
                    + new String(response.body()));
        }
    }

    private static void awaitReady(String base) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                if (HTTP.send(get(base + "/q/health/ready"), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("the controller did not become ready; see target/bench-controller.log");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void print(List<Cell> cells) {
        System.out.println();
        System.out.println("| call | target | sessions | calls/s | p50 ms | p99 ms | added p50 |");
        System.out.println("|---|---|---:|---:|---:|---:|---:|");
        for (int i = 0; i < cells.size(); i++) {
            Cell c = cells.get(i);
            String added = c.target().equals("through controller")
                    ? String.format(Locale.ROOT, "%.2f ms", c.p50() - cells.get(i - 1).p50()) : "";
            System.out.printf(Locale.ROOT, "| %s | %s | %d | %.0f | %.2f | %.2f | %s |%n", c.what(), c.target(), c.sessions(),
                    c.perSecond(), c.p50(), c.p99(), added);
        }
    }
}

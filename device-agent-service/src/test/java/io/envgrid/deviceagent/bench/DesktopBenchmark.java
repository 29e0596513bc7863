package io.envgrid.deviceagent.bench;

import io.envgrid.deviceagent.support.PackagedApps;
import io.envgrid.testsupport.process.JitWarmth;
import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.deviceagent.support.XServerProcess;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code mvn -B -Pbench verify}, second part: the desktop endpoint of the packaged agent on a 1920×1080 Xvfb of its
 * own, one client calling in a closed loop: {@code GET /screenshot} and, through {@code POST /execute} as OSWorld's
 * controller sends pyautogui, {@code press('a')}, {@code typewrite} of 100 characters and {@code click}. With
 * {@code -Dbench.desktop.baseline=<another build's quarkus-run.jar>} the same calls run against that build first
 * (e.g. main's, which runs an xwd/xdotool process per call), on the same display in the same run. Prints a table.
 * {@code -Dbench.desktop.warmup} (100) rounds of every call first, and more until the agent's JIT has settled
 * ({@code JitWarmth}, at most {@code -Dbench.desktop.jit-warmup} = 180 s), then {@code -Dbench.desktop.calls} (200) of each.
 */
public final class DesktopBenchmark {

    private static final String TOKEN = "bench-token";
    private static final String PREFIX = "import pyautogui; import time; pyautogui.FAILSAFE = False; ";
    private static final String HUNDRED = "The quick brown fox jumps over the lazy dog, 0123456789 times; "
            + "pack my box with five dozen jugs!!!!!";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI agent;

    private DesktopBenchmark(URI agent) {
        this.agent = agent;
    }

    public static void main(String[] args) throws Exception {
        int warmup = Integer.getInteger("bench.desktop.warmup", 100);
        int measure = Integer.getInteger("bench.desktop.calls", 200);
        Optional<Path> baseline = Optional.ofNullable(System.getProperty("bench.desktop.baseline"))
                .filter(p -> !p.isBlank()).map(Path::of);
        if (HUNDRED.length() != 100) {
            throw new IllegalStateException("the typed text must be 100 characters, is " + HUNDRED.length());
        }
        List<String> rows = new ArrayList<>();
        try (XServerProcess display = XServerProcess.sized("1920x1080x24")) {
            if (baseline.isPresent()) {
                rows.addAll(run("baseline", baseline.get(), display.display(), warmup, measure));
            }
            rows.addAll(run("this build", Path.of("target", "quarkus-app", "quarkus-run.jar"), display.display(), warmup, measure));
        }
        System.out.println();
        System.out.println("| build | call | calls/s | p50 ms | p99 ms |");
        System.out.println("|---|---|---:|---:|---:|");
        rows.forEach(System.out::println);
    }

    private static List<String> run(String build, Path jar, String display, int warmup, int measure) throws Exception {
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-desktop");
        try (PackagedApp process = PackagedApps.agent(jar, "bench-desktop-agent", Map.of(
                "envgrid.device-agent.data-dir", data.toString(),
                "envgrid.device-agent.service-token", TOKEN,
                "envgrid.device-agent.adb.enabled", "false",
                "envgrid.device-agent.desktop.enabled", "true",
                "envgrid.device-agent.desktop.display", display,
                "quarkus.log.level", "WARN"))) {
            DesktopBenchmark bench = new DesktopBenchmark(process.uri());
            Map<String, HttpRequest> calls = new LinkedHashMap<>();
            calls.put("screenshot 1920×1080", bench.get("/screenshot"));
            calls.put("press('a')", bench.pyautogui("pyautogui.press('a')"));
            calls.put("typewrite(100 chars)", bench.pyautogui("pyautogui.typewrite('" + HUNDRED + "')"));
            calls.put("click(100, 100)", bench.pyautogui("pyautogui.click(100, 100)"));
            // Every call is warmed up before any is measured, in turns: each measured after only its own warm-up,
            // the first rows would pay for compiling the path they all share (HTTP, interpreter, X connection).
            // then more rounds until the agent's JIT has compiled what they run (at most bench.desktop.jit-warmup s)
            JitWarmth jit = JitWarmth.of(process.pid(), Duration.ofSeconds(Integer.getInteger("bench.desktop.jit-warmup", 180)));
            for (int round = 0; round < warmup || !jit.settled() && !jit.timedOut(); round++) {
                for (HttpRequest call : calls.values()) {
                    bench.time(call, 1);
                }
            }
            System.out.println(build + ": " + jit.report());
            List<String> rows = new ArrayList<>();
            for (Map.Entry<String, HttpRequest> call : calls.entrySet()) {
                rows.add(bench.time(call.getValue(), measure).row(build, call.getKey()));
            }
            return rows;
        }
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(agent.resolve(path)).header("Authorization", "Bearer " + TOKEN)
                .timeout(Duration.ofSeconds(60)).GET().build();
    }

    private HttpRequest pyautogui(String code) {
        String body = "{\"command\":[\"python\",\"-c\",\"" + (PREFIX + code).replace("\\", "\\\\").replace("\"", "\\\"")
                + "\"],\"shell\":false}";
        return HttpRequest.newBuilder(agent.resolve("/execute")).header("Authorization", "Bearer " + TOKEN)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    /** Sends the request {@code count} times one after another; every answer must be a 200 that ran the code. */
    private Timings time(HttpRequest request, int count) throws Exception {
        long[] nanos = new long[count];
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            long t0 = System.nanoTime();
            HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            nanos[i] = System.nanoTime() - t0;
            String text = new String(response.body(), 0, Math.min(response.body().length, 300));
            if (response.statusCode() != 200 || text.contains("\"returncode\":") && !text.contains("\"returncode\":0")) {
                throw new IllegalStateException(request.uri() + " answered " + response.statusCode() + ": " + text);
            }
        }
        return new Timings(nanos, System.nanoTime() - start);
    }

    private record Timings(long[] nanos, long totalNanos) {
        String row(String build, String call) {
            long[] sorted = nanos.clone();
            Arrays.sort(sorted);
            double p50 = sorted[(int) Math.floor(0.50 * (sorted.length - 1))] / 1e6;
            double p99 = sorted[(int) Math.ceil(0.99 * (sorted.length - 1))] / 1e6;
            double perSecond = nanos.length / (totalNanos / 1e9);
            return String.format("| %s | %s | %.1f | %.1f | %.1f |", build, call, perSecond, p50, p99);
        }
    }
}

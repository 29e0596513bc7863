package io.envgrid.deviceagent.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.PackagedApps;
import io.envgrid.testsupport.process.PackagedApp;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * {@code mvn -B -Pbench verify}: the packaged agent in its own JVM with {@code bench.devices} records. Closed-loop
 * clients call {@code device.list} and {@code device.status} (a random device each time) over HTTP keep-alive;
 * then {@code bench.listeners} WebSocket listeners receive {@code bench.events} events, each timed from the
 * timestamp the agent stamps when it emits it to its receipt (same host, same clock).
 */
public final class DeviceAgentBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-token";

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();
    private final URI agent;

    private DeviceAgentBenchmark(URI agent) {
        this.agent = agent;
    }

    public static void main(String[] args) throws Exception {
        int devices = Integer.getInteger("bench.devices", 1000);
        int[] clients = Arrays.stream(System.getProperty("bench.clients", "1,16").split(","))
                .mapToInt(Integer::parseInt).toArray();
        Duration warmup = Duration.ofSeconds(Integer.getInteger("bench.warmup", 3));
        Duration measure = Duration.ofSeconds(Integer.getInteger("bench.measure", 10));
        int listeners = Integer.getInteger("bench.listeners", 100);
        int events = Integer.getInteger("bench.events", 200);

        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "bench-data");
        try (PackagedApp process = PackagedApps.agent("bench-agent", Map.of(
                "envgrid.device-agent.data-dir", data.toString(),
                "envgrid.device-agent.service-token", TOKEN,
                "envgrid.device-agent.adb.enabled", "false",
                "quarkus.log.level", "WARN"))) {
            DeviceAgentBenchmark bench = new DeviceAgentBenchmark(process.uri());
            bench.createDevices(devices);
            List<String> rows = new ArrayList<>();
            for (String tool : List.of("device.list", "device.status")) {
                for (int c : clients) {
                    bench.closedLoop(tool, devices, c, warmup);
                    rows.add(bench.closedLoop(tool, devices, c, measure).row(tool + " (" + devices + " devices)", c));
                }
            }
            String fanOut = bench.fanOut(listeners, events);
            System.out.println();
            System.out.println("| call | clients | calls/s | p50 ms | p99 ms |");
            System.out.println("|---|---:|---:|---:|---:|");
            rows.forEach(System.out::println);
            System.out.println();
            System.out.println(fanOut);
        }
    }

    private void createDevices(int count) throws Exception {
        ExecutorService creators = Executors.newFixedThreadPool(8);
        List<Future<?>> created = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "bench-" + i;
            String type = i % 2 == 0 ? "android" : "ios";
            created.add(creators.submit(() -> {
                call("device.create", Map.of("device_id", id, "name", "Bench " + id, "type", type, "sku",
                        "SKU-" + id, "cpu_type", "arm64", "specs", Map.of("model", "Model " + id, "memory", "4GB")),
                        200);
                return null;
            }));
        }
        for (Future<?> f : created) {
            f.get();
        }
        creators.shutdown();
    }

    private record Measured(long calls, Duration elapsed, long[] latenciesNanos) {

        String row(String what, int clients) {
            Arrays.sort(latenciesNanos);
            return String.format("| %s | %d | %.0f | %.2f | %.2f |", what, clients,
                    calls / (elapsed.toNanos() / 1e9), percentile(latenciesNanos, 50) / 1e6,
                    percentile(latenciesNanos, 99) / 1e6);
        }
    }

    private Measured closedLoop(String tool, int devices, int clients, Duration length) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        long start = System.nanoTime();
        long end = start + length.toNanos();
        List<Future<?>> loops = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            loops.add(pool.submit(() -> {
                while (System.nanoTime() < end) {
                    Map<String, Object> arguments = tool.equals("device.status")
                            ? Map.of("device_id", "bench-" + ThreadLocalRandom.current().nextInt(devices)) : Map.of();
                    long sent = System.nanoTime();
                    call(tool, arguments, 200);
                    latencies.add(System.nanoTime() - sent);
                }
                return null;
            }));
        }
        for (Future<?> loop : loops) {
            loop.get();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        pool.shutdown();
        return new Measured(latencies.size(), elapsed, latencies.stream().mapToLong(Long::longValue).toArray());
    }

    /** Events are emitted one every 20 ms, so that each is timed on its own, not behind a queue of others. */
    private String fanOut(int listeners, int events) throws Exception {
        ConcurrentLinkedQueue<Long> latencies = new ConcurrentLinkedQueue<>();
        List<WebSocket> sockets = new ArrayList<>();
        URI ws = URI.create(agent.toString().replaceFirst("^http", "ws") + "/ws");
        for (int i = 0; i < listeners; i++) {
            sockets.add(http.newWebSocketBuilder().buildAsync(ws, new Listener(latencies)).get(10, TimeUnit.SECONDS));
        }
        for (int i = 0; i < events; i++) {
            call("device.update", Map.of("device_id", "bench-0", "updates", Map.of("name", "Bench event " + i)), 200);
            Thread.sleep(20);
        }
        long expected = (long) listeners * events;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (latencies.size() < expected && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        sockets.forEach(s -> s.sendClose(WebSocket.NORMAL_CLOSURE, "done"));
        long[] sorted = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        return String.format("/ws fan-out: %d listeners x %d events, %d of %d received; emit-to-receipt "
                + "p50 %.2f ms, p99 %.2f ms", listeners, events, sorted.length, expected,
                percentile(sorted, 50) / 1e6, percentile(sorted, 99) / 1e6);
    }

    /** Times each {@code device_updated} event from the agent's timestamp to now. */
    private static final class Listener implements WebSocket.Listener {

        private final ConcurrentLinkedQueue<Long> latencies;
        private final StringBuilder partial = new StringBuilder();

        Listener(ConcurrentLinkedQueue<Long> latencies) {
            this.latencies = latencies;
        }

        @Override
        public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                Instant received = Instant.now();
                try {
                    JsonNode message = JSON.readTree(partial.toString());
                    if ("device_updated".equals(message.path("data").path("event").asText())) {
                        Instant emitted = Instant.parse(message.path("data").path("timestamp").asText());
                        latencies.add(Duration.between(emitted, received).toNanos());
                    }
                } catch (Exception e) {
                    throw new IllegalStateException("not an event: " + partial, e);
                }
                partial.setLength(0);
            }
            socket.request(1);
            return null;
        }
    }

    private void call(String tool, Map<String, Object> arguments, int expectedStatus) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(agent.resolve("/tools/" + tool + "/call"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(arguments))).build();
        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        if (response.statusCode() != expectedStatus) {
            throw new IllegalStateException(tool + " answered " + response.statusCode() + ": "
                    + new String(response.body()));
        }
    }

    private static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }
}

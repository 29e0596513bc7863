package io.envgrid.deviceagent.record;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.PackagedApps;
import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.deviceagent.support.RealAllocator;
import io.restassured.RestAssured;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The packaged agent as its own process, killed with SIGKILL: in the middle of a write storm every record stays
 * whole and is one of the states written, and a restart serves them; with the allocator, its resources turn
 * {@code down} once their heartbeat TTL has passed.
 */
class AgentCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "crash-test-token";
    private static final int DEVICES = 8;
    private static final int WRITERS = 16;
    private static final int CALLS_BEFORE_KILL = 400;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void recordsSurviveSigkillInAWriteStormAndAreServedAfterRestart() throws Exception {
        Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "crash-data");
        Map<String, String> settings = Map.of("envgrid.device-agent.data-dir", data.toString(),
                "envgrid.device-agent.service-token", TOKEN, "envgrid.device-agent.adb.enabled", "false",
                "envgrid.device-agent.linux-host.enabled", "false");
        Map<String, Set<String>> writtenNames = new ConcurrentHashMap<>();
        AtomicInteger completed = new AtomicInteger();
        try (PackagedApp agent = PackagedApps.agent("crash-agent", settings)) {
            for (int i = 0; i < DEVICES; i++) {
                String id = "storm-" + i;
                writtenNames.put(id, ConcurrentHashMap.newKeySet());
                writtenNames.get(id).add("initial " + id);
                assertEquals(200, call(agent.uri(), "device.create", Map.of("device_id", id, "name", "initial " + id,
                        "type", "ios", "sku", "SKU", "cpu_type", "arm64")).statusCode());
            }
            ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
            for (int w = 0; w < WRITERS; w++) {
                int writer = w;
                writers.submit(() -> storm(agent.uri(), writer, writtenNames, completed));
            }
            // 400 calls take ~1 s on a quiet machine; a CI machine at load 35 needed more than 10 s
            Conditions.await(() -> completed.get() >= CALLS_BEFORE_KILL, CALLS_BEFORE_KILL + " calls answered",
                    Duration.ofSeconds(120));
            agent.kill();
            writers.shutdown();
            assertTrue(writers.awaitTermination(30, TimeUnit.SECONDS), "writers stop once the agent is gone");
        }

        Map<String, JsonNode> onDisk = new HashMap<>();
        for (String id : writtenNames.keySet()) {
            JsonNode record = JSON.readTree(data.resolve("devices/ios/" + id + "/device.json").toFile());
            assertEquals(id, record.path("device_id").asText());
            assertTrue(writtenNames.get(id).contains(record.path("name").asText()),
                    id + " has a name nobody wrote: " + record);
            String status = record.path("status").asText();
            assertTrue(Set.of("available", "borrowed").contains(status), record.toString());
            assertEquals(status.equals("borrowed"), !record.path("current_borrower").isNull(), record.toString());
            onDisk.put(id, record);
        }

        assertTrue(onDisk.values().stream().anyMatch(r -> !r.path("name").asText().startsWith("initial ")),
                "the storm changed records before the kill");

        try (PackagedApp restarted = PackagedApps.agent("crash-agent-restarted", settings)) {
            for (Map.Entry<String, JsonNode> entry : onDisk.entrySet()) {
                HttpResponse<String> info = call(restarted.uri(), "device.info", Map.of("device_id", entry.getKey()));
                assertEquals(200, info.statusCode(), info.body());
                assertEquals(entry.getValue(), JSON.readTree(info.body()));
            }
        }
        System.out.printf("SIGKILL after %d answered calls; %d records intact and served after restart%n",
                completed.get(), onDisk.size());
    }

    @Test
    void resourcesOfAKilledAgentGoDownAfterTheirTtl() throws Exception {
        RealAllocator allocator = new RealAllocator();
        Map<String, String> allocatorSettings = allocator.start();
        try {
            Path data = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "ttl-data");
            Map<String, String> settings = new HashMap<>(allocatorSettings);
            settings.put("envgrid.device-agent.data-dir", data.toString());
            settings.put("envgrid.device-agent.adb.enabled", "false");
            settings.put("envgrid.device-agent.linux-host.device-id", "it-host");
            settings.put("envgrid.device-agent.discovery-interval", "1s");
            String resource = RealAllocator.AGENT_ID + ":it-host";
            try (PackagedApp agent = PackagedApps.agent("ttl-agent", settings)) {
                Conditions.await(() -> "free".equals(state(resource)), resource + " registered and free");
                agent.kill();
                long killed = System.nanoTime();
                Conditions.await(() -> "down".equals(state(resource)), resource + " down after the agent died");
                long downAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
                System.out.printf("%s down %d ms after SIGKILL (TTL %d s)%n", resource, downAfterMs,
                        RealAllocator.HEARTBEAT_TTL_SECONDS);
            }
            // A root agent's host device has a disk of its own (a tmpfs and a namespace binding under the data dir),
            // which its SIGKILL left mounted: the next agent on that data dir drops them at its start, and its stop
            // leaves none (else they outlive the test run on this host, and the directory cannot be deleted).
            try (PackagedApp restarted = PackagedApps.agent("ttl-agent-restarted", settings)) {
                Conditions.await(() -> "free".equals(state(resource)), resource + " back after the restart");
            }
            assertEquals(List.of(), mountsUnder(data), "mounts left under the data dir");
        } finally {
            allocator.stop();
        }
    }

    private void storm(URI agent, int writer, Map<String, Set<String>> writtenNames, AtomicInteger completed) {
        List<String> ids = new ArrayList<>(writtenNames.keySet());
        for (int seq = 0; ; seq++) {
            String id = ids.get(ThreadLocalRandom.current().nextInt(ids.size()));
            try {
                switch (ThreadLocalRandom.current().nextInt(3)) {
                    case 0 -> {
                        String name = "name " + writer + "-" + seq;
                        // Recorded before sending: a write in flight at the kill may or may not have landed.
                        writtenNames.get(id).add(name);
                        call(agent, "device.update", Map.of("device_id", id, "updates",
                                Map.of("name", name, "specs", Map.of("seq", seq))));
                    }
                    case 1 -> call(agent, "device.borrow", Map.of("device_id", id, "borrower", "writer-" + writer,
                            "purpose", "storm", "expected_return_date", "2030-01-01T00:00:00Z"));
                    default -> call(agent, "device.return", Map.of("device_id", id, "returner", "writer-" + writer));
                }
                completed.incrementAndGet();
            } catch (IOException agentGone) {
                return;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private HttpResponse<String> call(URI agent, String tool, Map<String, Object> arguments)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(agent.resolve("/tools/" + tool + "/call"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(arguments))).build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String state(String resource) {
        var response = RestAssured.given().baseUri(RealAllocator.url().toString())
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN).urlEncodingEnabled(false)
                .get(RealAllocator.resourcePath(resource));
        return response.statusCode() == 200 ? response.jsonPath().getString("state") : null;
    }

    /** Mount points at or below {@code dir} ({@code /proc/self/mountinfo}'s fifth field; no escapes in these paths). */
    private static List<String> mountsUnder(Path dir) throws IOException {
        String root = dir.toRealPath().toString();
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream().map(line -> line.split(" ")[4])
                .filter(point -> point.equals(root) || point.startsWith(root + "/")).toList();
    }
}

package io.envgrid.gateway.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.support.WithCluster;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.Vertx;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The gateway's clients of the vm-controller and the device agents send the allocation entry's
 * lease token as {@code X-Envgrid-Lease-Token} on every call for that resource (and the whole entry
 * to {@code POST /sessions}), with ids as single percent-encoded path segments. The far end is a
 * recorder: the services that check the token are being changed on their own branches.
 */
@QuarkusTest
@WithCluster
class LeaseTokenForwardingTest {

    private record Seen(String method, String rawPath, String leaseToken, String body) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    @Inject
    Vertx vertx;

    @Inject
    MeterRegistry registry;

    @Inject
    GatewayConfig config;

    @Inject
    DeviceAgentApi agents;

    private HttpServer recorder;
    private ExecutorService recorderThreads;
    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws IOException {
        recorderThreads = Executors.newCachedThreadPool();
        recorder = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        recorder.createContext("/", x -> {
            seen.add(new Seen(x.getRequestMethod(), x.getRequestURI().getRawPath(),
                    x.getRequestHeaders().getFirst(LeaseToken.HEADER),
                    new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8)));
            byte[] answer = "{\"ok\": true}".getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().add("Content-Type", "application/json");
            x.sendResponseHeaders(200, answer.length);
            x.getResponseBody().write(answer);
            x.close();
        });
        // handlers on threads of their own, not the dispatcher's: CI48 once saw the first call go unanswered for 10 s
        recorder.setExecutor(recorderThreads);
        recorder.start();
    }

    @AfterEach
    void stop() {
        recorder.stop(0);
        recorderThreads.shutdownNow();
    }

    private String url() {
        return "http://127.0.0.1:" + recorder.getAddress().getPort();
    }

    @Test
    void everySessionCallCarriesTheLeaseToken() throws IOException {
        // the recorder is this client's configured vm-controller, as the service credential of its calls requires
        Backends backends = new Backends(url(), url(), url(), Optional.empty());
        Downstream downstream = new Downstream(vertx, JSON, config, backends, registry);
        VmControllerApi controller = new VmControllerApi(downstream, backends, config);
        JsonNode entry = JSON.readTree("{\"id\": \"vm/1:a\", \"type\": \"vm_pyautogui\", \"ip\": \"10.0.0.9\", "
                + "\"port\": 5000, \"lease_token\": \"elt_secret\", \"fencing_token\": 4}");
        String worker = "job42/w:1@x";
        Duration wait = Duration.ofSeconds(10);
        controller.openSession(worker, entry).await().atMost(wait);
        controller.read(worker, entry, "screenshot").await().atMost(wait);
        controller.act(worker, entry, "actions/pyautogui", JSON.createObjectNode().put("code", "pass")).await().atMost(wait);
        controller.observation(worker, entry).await().atMost(wait);
        controller.closeSession(worker, entry).await().atMost(wait);
        assertEquals(5, seen.size(), seen.toString());
        seen.forEach(s -> assertEquals("elt_secret", s.leaseToken(), s.toString()));
        assertEquals("/sessions", seen.get(0).rawPath());
        JsonNode posted = JSON.readTree(seen.get(0).body());
        assertEquals(worker, posted.path("worker_id").asText());
        assertEquals(entry, posted.path("resource"));
        String session = "/sessions/job42%2Fw%3A1%40x/vm%2F1%3Aa";
        assertEquals(List.of("POST /sessions", "GET " + session + "/screenshot", "POST " + session + "/actions/pyautogui",
                "GET " + session + "/observation", "DELETE " + session),
                seen.stream().map(s -> s.method() + " " + s.rawPath()).toList());
        downstream.close();
    }

    @Test
    void deviceToolsCarryTheDevicesLeaseToken() throws IOException {
        JsonNode lease = JSON.readTree("{\"id\": \"device:host/a\", \"lease_token\": \"elt_device\"}");
        agents.call(url() + "/", "device.status", JSON.createObjectNode().put("device_id", "a"), lease, true)
                .await().atMost(Duration.ofSeconds(10));
        assertEquals(1, seen.size());
        assertEquals("elt_device", seen.get(0).leaseToken());
        assertEquals("/tools/device.status/call", seen.get(0).rawPath());
    }
}

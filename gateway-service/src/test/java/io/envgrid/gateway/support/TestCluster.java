package io.envgrid.gateway.support;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

/**
 * The services the gateway calls, real and started once per test JVM: Redis, the
 * resource-allocator-service and the vm-controller-service from their packaged applications, and
 * {@value #DESKTOPS} stand-in desktops registered with the allocator as {@code vm_pyautogui}.
 */
public final class TestCluster {

    public static final int DESKTOPS = 3;

    private static TestCluster instance;

    private final EmbeddedRedis redis;
    private final ServiceProcess allocator;
    private final ServiceProcess vmController;
    private final List<FakeDesktop> desktops;

    private TestCluster() {
        redis = new EmbeddedRedis();
        allocator = ServiceProcess.start("allocator", "resource-allocator-service",
                Map.of("quarkus.redis.hosts", redis.url(), "envgrid.allocator.reap-interval", "100ms",
                        "envgrid.allocator.auth", "open"));
        vmController = ServiceProcess.start("vm-controller", "vm-controller-service", Map.of("quarkus.redis.hosts", redis.url()));
        desktops = java.util.stream.IntStream.range(0, DESKTOPS).mapToObj(i -> FakeDesktop.start()).toList();
        for (int i = 0; i < DESKTOPS; i++) {
            register("desktop-" + i, "vm_pyautogui", "{\"ip\": \"127.0.0.1\", \"port\": " + desktops.get(i).port() + "}");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    }

    public static synchronized TestCluster get() {
        if (instance == null) {
            instance = new TestCluster();
        }
        return instance;
    }

    public void register(String id, String type, String endpointJson) {
        post(allocator.url() + "/resources",
                "{\"id\": \"" + id + "\", \"type\": \"" + type + "\", \"endpoint\": " + endpointJson + ", \"labels\": {}}");
    }

    /** The worker's live leases as the allocator lists them ({@code GET /leases?worker_id=}). */
    public com.fasterxml.jackson.databind.JsonNode leasesOf(String worker) {
        return McpSteps.readTree(allocatorCall("GET", "/leases?worker_id=" + worker, null).body());
    }

    /** A raw call on the allocator, for checks the tests make behind the gateway's back. */
    public HttpResponse<String> allocatorCall(String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(allocator.url() + path))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void post(String url, String body) {
        HttpResponse<String> response = allocatorCall("POST", url.substring(allocator.url().length()), body);
        if (response.statusCode() >= 300) {
            throw new IllegalStateException("POST " + url + " answered " + response.statusCode() + ": " + response.body());
        }
    }

    public String redisUrl() {
        return redis.url();
    }

    public String allocatorUrl() {
        return allocator.url();
    }

    public String vmControllerUrl() {
        return vmController.url();
    }

    public List<FakeDesktop> desktops() {
        return desktops;
    }

    private void stop() {
        vmController.close();
        allocator.close();
        desktops.forEach(FakeDesktop::close);
        redis.close();
    }
}

package io.envgrid.gateway.support;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.gateway.id.KeyPart;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The services the gateway calls, real and started once per test JVM: Redis, the
 * resource-allocator-service and the vm-controller-service from their packaged applications, and
 * {@value #DESKTOPS} stand-in desktops registered with the allocator as {@code vm_pyautogui}. Tests
 * that need a real desktop add a packaged device agent on their own Xvfb
 * ({@link #startDesktopAgent}).
 */
public final class TestCluster {

    public static final int DESKTOPS = 3;

    private static TestCluster instance;

    private final EmbeddedRedis redis;
    private final PackagedApp allocator;
    private final PackagedApp vmController;
    private final List<FakeDesktop> desktops;

    private TestCluster(List<String> jvmOptions) {
        redis = new EmbeddedRedis();
        allocator = PackagedApps.start("allocator", "resource-allocator-service",
                Map.of("quarkus.redis.hosts", redis.url(), "envgrid.allocator.reap-interval", "100ms",
                        "envgrid.allocator.auth", "open"), Map.of(), jvmOptions);
        vmController = PackagedApps.start("vm-controller", "vm-controller-service", Map.of("quarkus.redis.hosts", redis.url()),
                Map.of(), jvmOptions);
        desktops = java.util.stream.IntStream.range(0, DESKTOPS).mapToObj(i -> FakeDesktop.start()).toList();
        for (int i = 0; i < DESKTOPS; i++) {
            register("desktop-" + i, "vm_pyautogui", "{\"ip\": \"127.0.0.1\", \"port\": " + desktops.get(i).port() + "}");
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::stop));
    }

    /** The cluster, started on first use with the tests' JVM options (C1 only: it starts faster). */
    public static TestCluster get() {
        return get(PackagedApps.TEST_JVM);
    }

    /**
     * The cluster, its services started on first use with {@code jvmOptions}: a benchmark passes the production JIT's
     * (none), so the allocator it compares the gateway with runs compiled as in a pod.
     */
    public static synchronized TestCluster get(List<String> jvmOptions) {
        if (instance == null) {
            instance = new TestCluster(jvmOptions);
        }
        return instance;
    }

    /**
     * Starts the packaged device agent serving one real X display as an OSWorld desktop and
     * registering it with this cluster's allocator as {@code <agentId>:desktop} of the given type (no
     * host device, no adb); its data directory is a fresh folder under {@code target/}. Returns once
     * the allocator lists the desktop; the caller closes the agent.
     */
    public PackagedApp startDesktopAgent(String name, String agentId, String type, Xvfb display) throws IOException {
        return startDesktopAgent(name, agentId, type, display, Map.of());
    }

    /** {@link #startDesktopAgent(String, String, String, Xvfb)} with further settings ({@code extra} wins). */
    public PackagedApp startDesktopAgent(String name, String agentId, String type, Xvfb display,
            Map<String, String> extra) throws IOException {
        Path data = Files.createTempDirectory(Path.of("target"), name + "-");
        Map<String, String> settings = new java.util.HashMap<>(Map.of(
                "envgrid.device-agent.data-dir", data.toAbsolutePath().toString(),
                "envgrid.device-agent.desktop.display", display.display(),
                "envgrid.device-agent.desktop.register", "true",
                "envgrid.device-agent.desktop.resource-type", type,
                "envgrid.device-agent.agent-id", agentId,
                "envgrid.device-agent.public-url", "http://127.0.0.1:${quarkus.http.port}",
                "envgrid.device-agent.registration.heartbeat-interval", "1s",
                "envgrid.device-agent.linux-host.enabled", "false",
                "envgrid.device-agent.adb.enabled", "false",
                "envgrid.allocator.url", allocatorUrl()));
        settings.putAll(extra);
        PackagedApp agent = PackagedApps.start(name, "device-agent-service", settings);
        awaitRegistered(agentId + ":desktop");
        return agent;
    }

    /** Waits until the allocator lists the resource (an agent registers it, and again after a forced delete). */
    public void awaitRegistered(String resourceId) {
        Conditions.await("the agent registered " + resourceId, Duration.ofSeconds(30), () ->
                allocatorCall("GET", "/resources/" + KeyPart.pathSegment(resourceId), null).statusCode() == 200);
    }

    /**
     * Waits until the allocator shows the resource {@code free}: a device agent running as root resets its attached
     * desktop between leases, so after a release (or an expiry) the desktop is {@code resetting} for a moment, and an
     * allocation without a wait in between is refused with {@code INSUFFICIENT_RESOURCES}.
     */
    public void awaitFree(String resourceId) {
        Conditions.await(resourceId + " free", Duration.ofSeconds(60), () -> "free".equals(McpSteps.readTree(
                allocatorCall("GET", "/resources/" + KeyPart.pathSegment(resourceId), null).body()).path("state").asText()));
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

    /** The allocator process's id (a benchmark reads its CPU time). */
    public long allocatorPid() {
        return allocator.pid();
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

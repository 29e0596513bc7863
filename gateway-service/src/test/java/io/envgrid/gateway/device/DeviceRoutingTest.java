package io.envgrid.gateway.device;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.gateway.support.PackagedApps;
import static io.envgrid.gateway.support.McpHttp.call;
import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * device.* tools reach the real device agent that owns the leased device (the agent's host as a
 * linux device it registered itself, commands run for real) with that lease's token, and only for
 * the worker holding the lease.
 */
@QuarkusTest
@WithCluster
class DeviceRoutingTest {

    private static PackagedApp agent;

    @BeforeAll
    static void startAgent() {
        Path data;
        try {
            data = Files.createTempDirectory(Path.of("target"), "device-agent-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        agent = PackagedApps.start("device-agent", "device-agent-service", Map.of(
                "envgrid.device-agent.data-dir", data.toAbsolutePath().toString(),
                "envgrid.device-agent.linux-host.device-id", "gw-host",
                // an agent id with the id rule's special characters: its resource is 'gw/agent@rack.1:gw-host'
                "envgrid.device-agent.agent-id", AGENT_ID,
                "envgrid.device-agent.public-url", "http://127.0.0.1:${quarkus.http.port}",
                "envgrid.device-agent.registration.heartbeat-interval", "1s",
                "envgrid.allocator.url", TestCluster.get().allocatorUrl(),
                // no Android here; the adb server it would start outlives the test
                "envgrid.device-agent.adb.enabled", "false"));
        awaitHostDevice();
        // the agent registers its host device itself; the gateway routes to it with that lease's token
        Conditions.await("the agent registered its host device", java.time.Duration.ofSeconds(30), () -> TestCluster.get()
                .allocatorCall("GET", "/resources/" + KeyPart.pathSegment(RESOURCE), null).statusCode() == 200);
    }

    static final String AGENT_ID = "gw/agent@rack.1";
    static final String RESOURCE = AGENT_ID + ":gw-host";

    /**
     * The agent resets its host device between leases (its README, "Host device reset"): right after a test releases it,
     * it is {@code resetting}, so each test starts once it is {@code free} again.
     */
    @BeforeEach
    void awaitHostDeviceFree() {
        Conditions.await("the host device free again after its reset", java.time.Duration.ofSeconds(60), () -> {
            var answer = TestCluster.get().allocatorCall("GET", "/resources/" + KeyPart.pathSegment(RESOURCE), null);
            return answer.statusCode() == 200 && "free".equals(McpSteps.readTree(answer.body()).path("state").asText());
        });
    }

    /**
     * The agent creates the host's device record when it first discovers it, just after start.
     * Polled gently: the agent's per-client rate limit (100/min) counts these calls too.
     */
    private static void awaitHostDevice() {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest status = HttpRequest.newBuilder(
                URI.create(agent.url() + "/tools/device.status/call"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"device_id\": \"gw-host\"}")).build();
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                if (http.send(status, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
                Thread.sleep(200);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("the device agent never discovered its host device");
    }

    @AfterAll
    static void stopAgent() {
        if (agent != null) {
            agent.close();
        }
    }

    @Test
    void deviceToolsRunOnTheLeasedDeviceThroughItsAgent() {
        String worker = "device-" + UUID.randomUUID();
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"device_linux\"}")
                .then().body("result.isError", equalTo(false));
        call(session, 2, "device.execute", "{\"command\": \"echo routed-$((40+2))\"}").then().log().ifValidationFails()
                .body("result.isError", equalTo(false)).body("result.content[0].text", containsString("routed-42"));
        call(session, 3, "device.status", "{}").then().body("result.isError", equalTo(false))
                .body("result.content[0].text", containsString("gw-host"));

        String other = initialize(mcp());
        call(other, 1, "device.execute", "{\"worker_id\": \"intruder-" + UUID.randomUUID() + "\", \"command\": \"id\"}")
                .then().body("result.isError", equalTo(true))
                .body("result.structuredContent.error.code", equalTo("NO_SUCH_RESOURCE"));

        call(session, 4, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
        call(session, 5, "device.status", "{}").then()
                .body("result.structuredContent.error.code", equalTo("NO_SUCH_RESOURCE"));
    }

    @Test
    void theAgentsErrorsComeBackWithItsCodes() {
        String worker = "device-err-" + UUID.randomUUID();
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"device_linux\"}")
                .then().body("result.isError", equalTo(false));
        call(session, 2, "device.execute", "{}").then().body("result.isError", equalTo(true))
                .body("result.structuredContent.error.code", equalTo("INVALID_PARAMETERS"));
        call(session, 3, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
    }

    private static io.restassured.response.Response rpc(String session, String method, String params) {
        return mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"" + method
                + "\",\"params\":" + params + "}").post("/mcp");
    }

    /** The agent's mcp://test-devices/ resources of a held device, read through the gateway, and only by its holder. */
    @Test
    void theHeldDevicesAgentResourcesAreFederated() {
        String worker = "device-res-" + UUID.randomUUID();
        String session = initialize(mcp());
        call(session, 1, "allocate_single_resource", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"device_linux\"}")
                .then().body("result.isError", equalTo(false));
        String device = "mcp://test-devices/devices/linux/gw-host";
        rpc(session, "resources/list", "{}").then()
                .body("result.resources.uri", org.hamcrest.Matchers.hasItems(device, device + "/device.json"));
        rpc(session, "resources/read", "{\"uri\": \"" + device + "/device.json\"}").then().log().ifValidationFails()
                .body("result.contents[0].uri", equalTo(device + "/device.json"))
                .body("result.contents[0].text", containsString("gw-host"));
        rpc(session, "resources/read", "{\"uri\": \"" + device + "\"}").then()
                .body("result.contents[0].text", containsString("device.json"));
        rpc(session, "completion/complete", "{\"ref\": {\"type\": \"ref/resource\", \"uri\": "
                + "\"mcp://test-devices/devices/{type}/{device_id}/device.json\"}, \"argument\": {\"name\": \"device_id\", "
                + "\"value\": \"gw\"}, \"context\": {\"arguments\": {\"type\": \"linux\"}}}").then()
                .body("result.completion.values", equalTo(java.util.List.of("gw-host")));

        String other = initialize(mcp());
        rpc(other, "resources/read", "{\"uri\": \"" + device + "/device.json\"}").then()
                .body("error.code", equalTo(-32002));
        call(session, 2, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
        rpc(session, "resources/read", "{\"uri\": \"" + device + "/device.json\"}").then()
                .body("error.code", equalTo(-32002));
    }
}

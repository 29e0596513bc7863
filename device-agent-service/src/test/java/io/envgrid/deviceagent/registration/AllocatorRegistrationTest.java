package io.envgrid.deviceagent.registration;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.HostDeviceLeases;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent against the real allocator (its packaged application on a real Redis): devices appear as
 * {@code device_<type>} resources and follow discovery, the desktop is offered OSWorld-style, and borrowing and
 * allocator leases exclude each other.
 */
@QuarkusTest
@WithAllocator
class AllocatorRegistrationTest {

    private static final String HOST = "test-host";
    private static final String HOST_RESOURCE = RealAllocator.AGENT_ID + ":" + HOST;
    private static final Path SECOND_EMULATOR = Path.of("target/adb-standin-storage/emulator-5556.attached");

    @TestHTTPResource("/")
    URL agent;

    @Test
    void attachedDevicesAndTheDesktopAreRegisteredWithTheirEndpoints() {
        JsonPath host = awaitResource(HOST_RESOURCE);
        assertEquals("device_linux", host.getString("type"));
        assertEquals(HOST, host.getString("endpoint.device_id"));
        assertEquals("linux", host.getString("endpoint.device_type"));
        assertEquals(RealAllocator.HEARTBEAT_TTL_SECONDS, host.getInt("heartbeat_ttl"));
        assertEquals(agent.getPort(), URI.create(host.getString("endpoint.agent_url")).getPort());

        JsonPath emulator = awaitResource(RealAllocator.AGENT_ID + ":emulator-5554");
        assertEquals("device_android", emulator.getString("type"));
        assertEquals("emulator-5554", emulator.getString("endpoint.device_id"));

        JsonPath desktop = awaitResource(RealAllocator.AGENT_ID + ":desktop");
        assertEquals("vm_pyautogui", desktop.getString("type"));
        assertEquals(agent.getPort(), desktop.getInt("endpoint.port"));
        // no static token: the desktop takes the lease token of each grant
        assertEquals(null, desktop.getString("endpoint.token"));
        // The unauthorized R58M12ABCDE is not usable, so it is not offered.
        allocator().get(RealAllocator.resourcePath(RealAllocator.AGENT_ID + ":R58M12ABCDE")).then().statusCode(404);
    }

    @Test
    void aDeviceLeasedInTheAllocatorCannotBeBorrowed() {
        awaitResource(HOST_RESOURCE);
        String leased = allocate("worker-lease").getString("device_linux.id");
        assertEquals(HOST_RESOURCE, leased);
        try {
            AgentCalls.call("device.borrow", borrowArguments("alice")).statusCode(409)
                    .body("error.code", equalTo("DEVICE_ALREADY_BORROWED"))
                    .body("error.details.worker_id", equalTo("worker-lease"));
            AgentCalls.call("device.info", Map.of("device_id", HOST)).statusCode(200)
                    .body("status", equalTo("available"))
                    .body("current_borrower", equalTo(null));
            JsonPath resource = resource(HOST_RESOURCE);
            assertEquals("leased", resource.getString("state"));
            assertEquals("active", resource.getString("admin"), "the refused borrow left its drain behind");
        } finally {
            allocator().contentType(ContentType.JSON)
                    .body(Map.of("worker_id", "worker-lease", "resource_id", HOST_RESOURCE))
                    .post("/release").then().statusCode(200);
        }
        // the host device is reset between leases (fleet/HostDevice): resetting first, free once the agent reset it
        HostDeviceLeases.awaitFree();
    }

    @Test
    void aBorrowedDeviceIsDrainedAndCannotBeAllocatedUntilReturned() {
        awaitResource(HOST_RESOURCE);
        HostDeviceLeases.awaitFree(); // not resetting after a former test's lease: the states below are exact
        AgentCalls.call("device.borrow", borrowArguments("bob")).statusCode(200);
        try {
            assertEquals("draining", resource(HOST_RESOURCE).getString("state"));
            allocator().contentType(ContentType.JSON)
                    .body(Map.of("worker_id", "worker-denied", "resource_types", List.of("device_linux"),
                            "timeout", 60))
                    .post("/allocate").then().statusCode(409)
                    .body("error.code", equalTo("INSUFFICIENT_RESOURCES"));
        } finally {
            AgentCalls.call("device.return", Map.of("device_id", HOST, "returner", "bob")).statusCode(200);
        }
        assertEquals("free", resource(HOST_RESOURCE).getString("state"));
        String granted = allocate("worker-after-return").getString("device_linux.id");
        assertEquals(HOST_RESOURCE, granted);
        allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", "worker-after-return", "resource_id", HOST_RESOURCE))
                .post("/release").then().statusCode(200);
    }

    @Test
    void heartbeatsKeepResourcesUpPastTheirTtlAndAForgottenOneIsRegisteredAgain() {
        awaitResource(HOST_RESOURCE);
        // Up through more than one TTL: only heartbeats can do that.
        long until = System.nanoTime() + (RealAllocator.HEARTBEAT_TTL_SECONDS * 1_000_000_000L * 3 / 2);
        while (System.nanoTime() < until) {
            assertNotEquals("down", resource(HOST_RESOURCE).getString("state"));
            pause();
        }
        // As after an allocator whose Redis lost its data: the next heartbeat answers 404 and the agent registers again.
        allocator().queryParam("force", true).delete(RealAllocator.resourcePath(HOST_RESOURCE)).then().statusCode(200);
        assertEquals("device_linux", awaitResource(HOST_RESOURCE).getString("type"));
    }

    @Test
    void aDeviceThatComesAndGoesIsRegisteredAndWithdrawn() throws IOException {
        String resourceId = RealAllocator.AGENT_ID + ":emulator-5556";
        Files.createDirectories(SECOND_EMULATOR.getParent());
        Files.writeString(SECOND_EMULATOR, "attached");
        try {
            assertEquals("device_android", awaitResource(resourceId).getString("type"));
        } finally {
            Files.deleteIfExists(SECOND_EMULATOR);
        }
        Conditions.await(() -> allocator().get(RealAllocator.resourcePath(resourceId)).statusCode() == 404,
                resourceId + " withdrawn from the allocator");
    }

    private static void pause() {
        try {
            Thread.sleep(100);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Object> borrowArguments(String borrower) {
        return Map.of("device_id", HOST, "borrower", borrower, "purpose", "allocator exclusion test",
                "expected_return_date", "2030-01-01T00:00:00Z");
    }

    /**
     * Waits (the allocator's {@code wait_ms}) while the host device is registered but not free yet: at the agent's
     * start it is offered once its first reset is done, and a former test's release is reset before it is free again.
     */
    private static JsonPath allocate(String worker) {
        return allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", worker, "resource_types", List.of("device_linux"), "timeout", 60,
                        "wait_ms", 30000))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
    }

    private static JsonPath awaitResource(String id) {
        Conditions.await(() -> allocator().get(RealAllocator.resourcePath(id)).statusCode() == 200, id + " registered");
        return resource(id);
    }

    private static JsonPath resource(String id) {
        return allocator().get(RealAllocator.resourcePath(id)).then().statusCode(200).extract().jsonPath();
    }

    private static RequestSpecification allocator() {
        return RestAssured.given().baseUri(RealAllocator.url().toString()).urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN);
    }
}

package io.envgrid.deviceagent.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.ResetRefusals;
import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.deviceagent.support.WithXvfb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The allocator cannot be reached (nothing listens at its address): a lease token cannot be checked, so the desktop
 * and the device tools fail closed with {@code 503 ALLOCATOR_UNAVAILABLE} and the envelope, and nothing runs; a borrow
 * (which must ask whether the device is leased) fails closed too; the service token still works, and a call without any credential is still {@code 401}.
 */
@QuarkusTest
@TestProfile(AllocatorUnreachableTest.DeadAllocator.class)
@WithXvfb
class AllocatorUnreachableTest {

    /** The allocator's address is a port nobody listens on. */
    public static class DeadAllocator implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.allocator.url", "http://127.0.0.1:" + PackagedApp.freePort(),
                    "envgrid.device-agent.agent-id", "dead-allocator-agent");
        }
    }

    private static final String TOKEN = "elt_AAAAAAAAAAAAAAAAAAAAAA";

    @Test
    void theDesktopFailsClosedWhenALeaseCannotBeChecked() {
        Path mark = Path.of("target", "hostile", "unchecked-" + System.nanoTime()).toAbsolutePath();
        given().header("X-Envgrid-Lease-Token", TOKEN).contentType(ContentType.JSON)
                .body(Map.of("command", "mkdir -p " + mark, "shell", true)).post("/execute")
                .then().statusCode(503).body("error.code", equalTo("ALLOCATOR_UNAVAILABLE"))
                .body("error.timestamp", notNullValue());
        given().get("/platform").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
        AgentCalls.asService().get("/platform").then().statusCode(200).body(equalTo("Linux"));
        assertFalse(Files.exists(mark));
    }

    @Test
    void deviceToolsFailClosedWhenTheyCannotAskWhetherTheDeviceIsLeased() {
        String mark = "unchecked-" + System.nanoTime();
        Path files = Path.of("target", "test-data", "devices", "linux", "test-host", "files");
        // without a credential there is nothing to ask the allocator: a device tool takes a lease token or the service
        // token whether or not the device is leased (issue 11 review A2)
        given().contentType(ContentType.JSON).body(Map.of("device_id", "test-host", "command", "touch " + mark))
                .post("/tools/device.execute/call").then().statusCode(401)
                .body("error.code", equalTo("UNAUTHORIZED"));
        given().header("X-Envgrid-Lease-Token", TOKEN).contentType(ContentType.JSON)
                .body(Map.of("device_id", "test-host", "command", "touch " + mark))
                .post("/tools/device.execute/call").then().statusCode(503)
                .body("error.code", equalTo("ALLOCATOR_UNAVAILABLE"));
        assertFalse(Files.exists(files.resolve(mark)));
        // the service token's call runs (past the host device's reset at a root agent's start)
        ResetRefusals.pastAReset(() -> AgentCalls.call("device.execute", Map.of("device_id", "test-host", "command",
                "true")).extract().response()).then().statusCode(200);
    }

    /**
     * An allocator unreachable since the agent started (or right after its restart): this run has registered nothing,
     * but the allocator's record and a lease on it outlive the agent, so a borrow cannot be checked and is refused
     * (hostile review 14, F2: it passed as "not registered", and a device leased to a worker was borrowed too).
     */
    @Test
    void aBorrowFailsClosedWhenItCannotAskWhetherTheDeviceIsLeased() {
        AgentCalls.call("device.borrow", Map.of("device_id", "test-host", "borrower", "operator-bob", "purpose",
                "unreachable allocator", "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(503)
                .body("error.code", equalTo("ALLOCATOR_UNAVAILABLE"));
        AgentCalls.call("device.info", Map.of("device_id", "test-host")).statusCode(200)
                .body("current_borrower", equalTo(null));
    }
}

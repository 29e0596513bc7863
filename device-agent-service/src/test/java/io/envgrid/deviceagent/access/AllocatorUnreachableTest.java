package io.envgrid.deviceagent.access;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.PackagedService;
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
 * and the device tools fail closed with {@code 503 ALLOCATOR_UNAVAILABLE} and the envelope, and nothing runs; the
 * service token still works, and a call without any credential is still {@code 401}.
 */
@QuarkusTest
@TestProfile(AllocatorUnreachableTest.DeadAllocator.class)
@WithXvfb
class AllocatorUnreachableTest {

    /** The allocator's address is a port nobody listens on. */
    public static class DeadAllocator implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.allocator.url", "http://127.0.0.1:" + PackagedService.freePort(),
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
        given().contentType(ContentType.JSON).body(Map.of("device_id", "test-host", "command", "touch " + mark))
                .post("/tools/device.execute/call").then().statusCode(503)
                .body("error.code", equalTo("ALLOCATOR_UNAVAILABLE"));
        given().header("X-Envgrid-Lease-Token", TOKEN).contentType(ContentType.JSON)
                .body(Map.of("device_id", "test-host", "command", "touch " + mark))
                .post("/tools/device.execute/call").then().statusCode(503)
                .body("error.code", equalTo("ALLOCATOR_UNAVAILABLE"));
        assertFalse(Files.exists(files.resolve(mark)));
        AgentCalls.call("device.execute", Map.of("device_id", "test-host", "command", "true")).statusCode(200);
    }
}

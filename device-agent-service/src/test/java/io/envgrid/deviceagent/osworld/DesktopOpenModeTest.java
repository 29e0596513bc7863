package io.envgrid.deviceagent.osworld;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.WithXvfb;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code envgrid.device-agent.desktop.auth=open} and {@code envgrid.device-agent.tools.auth=open}, for local demos: the
 * desktop and the tools answer without a credential; a return still names the borrower.
 */
@QuarkusTest
@TestProfile(DesktopOpenModeTest.Open.class)
@WithXvfb
class DesktopOpenModeTest {

    /** The lock turned off explicitly. */
    public static class Open implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktop.auth", "open", "envgrid.device-agent.tools.auth", "open");
        }
    }

    @Test
    void openModeLetsAnyCallerIn() {
        given().get("/platform").then().statusCode(200).body(equalTo("Linux"));
        given().contentType(ContentType.JSON).body(Map.of("command", List.of("echo", "open"), "shell", false))
                .post("/execute").then().statusCode(200).body("output", equalTo("open\n"));
    }

    @Test
    void openToolsLetAnyCallerActAndBorrowButOnlyTheBorrowerReturns() {
        AgentCalls.awaitHostDevicePrepared();
        given().contentType(ContentType.JSON).body(Map.of("device_id", "test-host", "command", "echo open"))
                .post("/tools/device.execute/call").then().statusCode(200).body("output", equalTo("open\n"));
        String id = AgentCalls.uniqueId("android");
        tool("device.create", Map.of("device_id", id, "name", "n", "type", "android", "sku", "s", "cpu_type", "arm64"))
                .statusCode(200);
        tool("device.borrow", Map.of("device_id", id, "borrower", "alice", "purpose", "p",
                "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(200);
        tool("device.return", Map.of("device_id", id, "returner", "mallory")).statusCode(403)
                .body("error.code", equalTo("NOT_BORROWER"));
        tool("device.return", Map.of("device_id", id, "returner", "alice")).statusCode(200);
        tool("device.delete", Map.of("device_id", id)).statusCode(200);
    }

    private static ValidatableResponse tool(String name, Map<String, ?> arguments) {
        return given().contentType(ContentType.JSON).body(arguments).post("/tools/" + name + "/call").then();
    }
}

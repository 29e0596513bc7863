package io.envgrid.deviceagent.access;

import io.envgrid.deviceagent.support.AgentCalls;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Who may call which tool (issue 11, review A2/A3), on an agent without an allocator: a device nobody leases is not
 * open. Acting on a device takes the service token (or a lease token, which this agent cannot check: refused);
 * managing devices (borrow, return, create, delete, restart) takes the service token only; reads stay open.
 * Every refusal is 401 with the envelope, and changes nothing.
 */
@QuarkusTest
@TestProfile(ToolAccessTest.Unlimited.class)
class ToolAccessTest {

    /** These calls come without the service token: the per-client rate limit (other tests use it up) is lifted. */
    public static class Unlimited implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.rate-limit-per-minute", "1000000");
        }
    }

    private static final String HOST = "test-host";
    private static final String LEASE_HEADER = "X-Envgrid-Lease-Token";

    /** No credential, a bearer token that is not the service token, a lease token (nothing to check it with). */
    private static final List<Supplier<RequestSpecification>> STRANGERS = List.of(
            () -> given(),
            () -> given().header("Authorization", "Bearer not-the-service-token"),
            () -> given().header(LEASE_HEADER, "elt_AAAAAAAAAAAAAAAAAAAAAA"));

    @Test
    void aCommandOnADeviceNobodyLeasesNeedsTheServiceToken() {
        AgentCalls.awaitHostDevicePrepared();
        Path files = Path.of("target", "test-data", "devices", "linux", HOST, "files");
        String mark = "stranger-" + System.nanoTime();
        for (Supplier<RequestSpecification> stranger : STRANGERS) {
            refused(stranger.get(), "device.execute", Map.of("device_id", HOST, "command", "touch " + mark));
            refused(stranger.get(), "device.connect", Map.of("device_id", HOST));
            refused(stranger.get(), "device.download", Map.of("device_id", HOST, "remote_path", "x.txt",
                    "local_path", mark + ".txt"));
        }
        assertFalse(Files.exists(files.resolve(mark)), "no refused command ran");
        assertFalse(Files.exists(files.resolve(mark + ".txt")), "no refused download wrote");
        // over the GET shortcut too
        given().get("/tools/device.execute?device_id=" + HOST + "&command=true").then().statusCode(401)
                .body("error.code", equalTo("UNAUTHORIZED"));
        AgentCalls.call("device.execute", Map.of("device_id", HOST, "command", "touch " + mark)).statusCode(200)
                .body("exit_code", equalTo(0));
        assertTrue(Files.exists(files.resolve(mark)), "the operator's command ran");
    }

    @Test
    void managementNeedsTheServiceTokenAndARefusalChangesNothing() throws IOException {
        String id = AgentCalls.createDevice("android");
        Path record = Path.of("target", "test-data", "devices", "android", id, "device.json");
        byte[] before = Files.readAllBytes(record);
        String newId = AgentCalls.uniqueId("android");
        for (Supplier<RequestSpecification> stranger : STRANGERS) {
            refused(stranger.get(), "device.borrow", Map.of("device_id", id, "borrower", "mallory", "purpose", "p",
                    "expected_return_date", "2030-01-01T00:00:00Z"));
            refused(stranger.get(), "device.update", Map.of("device_id", id, "updates", Map.of("name", "Mine")));
            refused(stranger.get(), "device.delete", Map.of("device_id", id));
            refused(stranger.get(), "device.create", Map.of("device_id", newId, "name", "n", "type", "android",
                    "sku", "s", "cpu_type", "arm64"));
            refused(stranger.get(), "system.restart", Map.of());
        }
        assertArrayEquals(before, Files.readAllBytes(record), "device.json untouched");
        AgentCalls.call("device.info", Map.of("device_id", newId)).statusCode(404);

        // a borrow made by an operator is returned only with the service token, whatever 'returner' says
        AgentCalls.call("device.borrow", Map.of("device_id", id, "borrower", "alice", "purpose", "p",
                "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(200);
        byte[] borrowed = Files.readAllBytes(record);
        for (Supplier<RequestSpecification> stranger : STRANGERS) {
            refused(stranger.get(), "device.return", Map.of("device_id", id, "returner", "alice"));
        }
        assertArrayEquals(borrowed, Files.readAllBytes(record), "still borrowed, history untouched");
        AgentCalls.call("device.return", Map.of("device_id", id, "returner", "alice")).statusCode(200);
        AgentCalls.call("device.delete", Map.of("device_id", id)).statusCode(200);
    }

    @Test
    void readsStayOpen() {
        for (String tool : List.of("device.list", "device.search", "system.info")) {
            given().contentType(ContentType.JSON).body(Map.of()).post("/tools/" + tool + "/call").then().statusCode(200);
        }
        for (String tool : List.of("device.status", "device.info")) {
            given().contentType(ContentType.JSON).body(Map.of("device_id", HOST)).post("/tools/" + tool + "/call").then()
                    .statusCode(200);
        }
    }

    private static void refused(RequestSpecification request, String tool, Map<String, ?> arguments) {
        request.contentType(ContentType.JSON).body(arguments).post("/tools/" + tool + "/call").then().statusCode(401)
                .body("error.code", equalTo("UNAUTHORIZED")).body("error.timestamp", org.hamcrest.Matchers.notNullValue());
    }
}

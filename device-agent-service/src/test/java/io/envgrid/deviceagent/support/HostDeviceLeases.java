package io.envgrid.deviceagent.support;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Workers' leases of the host's {@code linux} device ({@code fleet/HostDevice}, device id {@value #HOST} in tests)
 * through the real allocator ({@link RealAllocator}), and its {@code device.execute} calls with the lease token.
 */
public final class HostDeviceLeases {

    /** The host device's id in tests ({@code %test.envgrid.device-agent.linux-host.device-id}). */
    public static final String HOST = "test-host";
    public static final String RESOURCE = RealAllocator.AGENT_ID + ":" + HOST;
    /** {@code envgrid.device-agent.linux-host.uid}'s default. */
    public static final long UID = 60999;
    public static final String LEASE_HEADER = "X-Envgrid-Lease-Token";

    private HostDeviceLeases() {
    }

    /** Grants the host device to {@code worker} (waiting up to 60 s for it); the grant's JSON. */
    public static JsonPath allocate(String worker) {
        return allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", worker, "resource_types", List.of("device_linux"), "timeout", 60,
                        "wait_ms", 60000))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
    }

    /** Grants the host device to {@code worker}; its lease token. */
    public static String token(String worker) {
        return allocate(worker).getString("device_linux.lease_token");
    }

    public static void release(String worker) {
        assertEquals(200, allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", worker, "resource_id", RESOURCE)).post("/release").statusCode());
    }

    /** {@code device.execute} of a shell command line with a lease token, which must answer 200 and succeed. */
    public static JsonPath execute(String token, String command) {
        JsonPath answer = given().header(LEASE_HEADER, token).contentType(ContentType.JSON)
                .body(Map.of("device_id", HOST, "command", command)).post("/tools/device.execute/call").then()
                .statusCode(200).extract().jsonPath();
        assertTrue(answer.getBoolean("success"), answer.prettify());
        return answer;
    }

    /** The host device's state in the allocator. */
    public static String state() {
        return allocator().get(RealAllocator.resourcePath(RESOURCE)).then().extract().path("state");
    }

    /** Waits until the host device is free (a former test's release has been reset). */
    public static void awaitFree() {
        Conditions.await(() -> "free".equals(state()), RESOURCE + " free", Duration.ofSeconds(60));
    }

    /** A call to the allocator with its service token. */
    public static RequestSpecification allocator() {
        return given().baseUri(RealAllocator.url().toString()).urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN);
    }
}

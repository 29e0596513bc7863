package io.envgrid.deviceagent.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Workers' grants of hosted desktops ({@link FleetDesktops}) through the real allocator ({@link RealAllocator}), and
 * calls at the granted port with the lease token, as a worker's controller makes them.
 */
public final class FleetLeases {

    public static final String TYPE = "vm_pyautogui";
    private static final String LEASE_HEADER = "X-Envgrid-Lease-Token";

    private FleetLeases() {
    }

    /**
     * A grant of one desktop to a worker.
     *
     * @param port the desktop's own port
     * @param token the grant's lease token
     */
    public record Lease(String worker, String resourceId, int port, String token) {

        /** A call at the desktop's port with the lease token. */
        public RequestSpecification call() {
            return given().port(port).header(LEASE_HEADER, token);
        }

        /** {@code /execute} of a shell command line. */
        public Response shell(String command) {
            return call().contentType(ContentType.JSON).body(Map.of("command", command, "shell", true))
                    .post("/execute");
        }
    }

    /** Grants a desktop to {@code worker}, waiting up to 30 s for one to be free. */
    public static Lease allocate(String worker) {
        JsonPath grant = allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", worker, "resource_types", List.of(TYPE), "timeout", 120, "wait_ms", 30000))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
        return new Lease(worker, grant.getString(TYPE + ".id"), grant.getInt(TYPE + ".port"),
                grant.getString(TYPE + ".lease_token"));
    }

    /** The {@code output} of an {@code /execute} answer, which must be 200 with {@code returncode} 0. */
    public static String output(Response answer) {
        return answer.then().statusCode(200).body("returncode", org.hamcrest.Matchers.equalTo(0)).extract()
                .path("output");
    }

    public static void release(Lease lease) {
        allocator().contentType(ContentType.JSON).body(Map.of("worker_id", lease.worker(), "resource_id",
                lease.resourceId())).post("/release").then().statusCode(200);
    }

    /** The allocator's state of a resource ({@code free}, {@code leased}, {@code resetting}, …). */
    public static String state(String resourceId) {
        return allocator().get(RealAllocator.resourcePath(resourceId)).then().extract().path("state");
    }

    /** Waits until every hosted desktop is {@code free} (reset once since start). */
    public static void awaitAllFree() {
        for (int i = 0; i < FleetDesktops.COUNT; i++) {
            String id = RealAllocator.AGENT_ID + ":desktop-" + i;
            Conditions.await(() -> "free".equals(state(id)), id + " free", Duration.ofSeconds(60));
        }
    }

    /** The allocator's API with its service token. */
    public static RequestSpecification allocator() {
        return given().baseUri(RealAllocator.url().toString()).urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN);
    }
}

package io.envgrid.deviceagent.registration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.AgentTokenAllocator;
import io.envgrid.deviceagent.support.Conditions;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The agent as Kubernetes runs it: with its own agent token read from a file, not the service token, it does
 * what it needs at the allocator — registers its devices as their owner (heartbeats and reset reports are the
 * owner's, shown in the allocator's AgentTokenTest), drains
 * and undrains one for a borrow, and checks a worker's lease token with {@code /leases/verify}.
 */
@QuarkusTest
@WithTestResource(AgentTokenAllocator.class)
class AgentTokenRegistrationTest {

    private static final String HOST = "test-host";
    private static final String HOST_RESOURCE = AgentTokenAllocator.AGENT_ID + ":" + HOST;

    @Test
    void registersItsDevicesAsTheirOwner() {
        Conditions.await(() -> allocator().get("/resources/" + HOST_RESOURCE).statusCode() == 200, "host device registered");
        JsonPath host = resource();
        assertEquals("agent:" + AgentTokenAllocator.AGENT_ID, host.getString("owner"));
        assertEquals("free", host.getString("state"));
        assertEquals("agent=" + AgentTokenAllocator.AGENT_ID, "agent=" + host.getString("labels.agent"));
    }

    @Test
    void drainsItsDeviceForABorrowAndUndrainsItOnReturn() {
        Conditions.await(() -> allocator().get("/resources/" + HOST_RESOURCE).statusCode() == 200, "host device registered");
        AgentCalls.call("device.borrow", Map.of("device_id", HOST, "borrower", "carol", "purpose", "agent token test",
                "expected_return_date", "2030-01-01T00:00:00Z")).statusCode(200);
        try {
            JsonPath drained = resource();
            assertEquals("draining", drained.getString("admin"));
            assertEquals("agent:" + AgentTokenAllocator.AGENT_ID, drained.getString("drained_by"));
        } finally {
            AgentCalls.call("device.return", Map.of("device_id", HOST, "returner", "carol")).statusCode(200);
        }
        assertEquals("active", resource().getString("admin"));
    }

    @Test
    void checksAWorkersLeaseTokenWithTheAllocator() {
        Conditions.await(() -> allocator().get("/resources/" + HOST_RESOURCE).statusCode() == 200, "host device registered");
        String token = allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", "worker-k", "resource_types", List.of("device_linux"), "timeout", 60))
                .post("/allocate").then().statusCode(200).extract().path("device_linux.lease_token");
        try {
            execute(token).statusCode(200);
        } finally {
            allocator().contentType(ContentType.JSON).body(Map.of("worker_id", "worker-k", "resource_id", HOST_RESOURCE))
                    .post("/release").then().statusCode(200);
        }
        execute(token).statusCode(409).body("error.code", equalTo("LEASE_NOT_LIVE"));
    }

    /** {@code device.execute} on the host device with a lease token: the agent asks the allocator whether it is live. */
    private static io.restassured.response.ValidatableResponse execute(String leaseToken) {
        return given().header(Credentials.LEASE_TOKEN_HEADER, leaseToken).contentType(ContentType.JSON)
                .body(Map.of("device_id", HOST, "command", "true")).post("/tools/device.execute/call").then();
    }

    private static JsonPath resource() {
        return allocator().get("/resources/" + HOST_RESOURCE).then().statusCode(200).extract().jsonPath();
    }

    private static RequestSpecification allocator() {
        return RestAssured.given().baseUri(AgentTokenAllocator.url().toString())
                .header("Authorization", "Bearer " + AgentTokenAllocator.SERVICE_TOKEN);
    }
}

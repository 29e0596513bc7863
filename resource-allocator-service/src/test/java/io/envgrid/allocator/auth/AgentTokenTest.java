package io.envgrid.allocator.auth;

import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.AgentTokensProfile.agent;
import static io.envgrid.allocator.support.AgentTokensProfile.as;
import static io.envgrid.allocator.support.AgentTokensProfile.service;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.AgentTokensProfile;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Per-agent identity (issue 11): a resource belongs to the agent whose token registered it, and only that
 * agent may re-register, heart-beat or delete it and report its reset; another agent and even the service
 * token are refused (403) with Redis unchanged.
 */
@QuarkusTest
@WithRedis
@TestProfile(AgentTokensProfile.class)
class AgentTokenTest extends CleanRedis {

    private static ValidatableResponse register(String authorization, String id) {
        return as(authorization).body(Map.of("id", id, "type", "vm", "endpoint", Map.of("port", 5000), "reset", true,
                "heartbeat_ttl", 60)).post("/resources").then();
    }

    /** Agent a's desktop, leased by a worker through the service token and released: resetting after the token returned. */
    private static long resettingDesktopOfAgentA() {
        register(agent("host-a"), "vm-a").statusCode(201).body("owner", equalTo("agent:host-a"));
        long token = as(service()).body(Map.of("worker_id", "w1", "resource_types", List.of("vm"))).post("/allocate")
                .then().statusCode(200).extract().<Number>path("vm.fencing_token").longValue();
        as(service()).body(Map.of("worker_id", "w1", "resource_id", "vm-a")).post("/release").then().statusCode(200);
        return token;
    }

    @Test
    void onlyTheRegisteringAgentReportsTheReset() {
        long token = resettingDesktopOfAgentA();
        Map<String, Object> done = Map.of("fencing_token", token, "outcome", "done");
        Map<String, String> before = keyspace();

        expectError(as(agent("host-b")).body(done).post("/resources/vm-a/reset").then(), 403, "NOT_RESOURCE_OWNER")
                .body("error.details.owner", equalTo("agent:host-a"));
        expectError(as(service()).body(done).post("/resources/vm-a/reset").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-b")).body(Map.of("fencing_token", token, "outcome", "failed")).post("/resources/vm-a/reset")
                .then(), 403, "NOT_RESOURCE_OWNER");
        assertEquals(before, keyspace(), "a refused report wrote to Redis");

        as(agent("host-a")).body(done).post("/resources/vm-a/reset").then().statusCode(200).body("state", equalTo("free"));
    }

    @Test
    void anotherAgentCannotTakeOverOrKeepAliveTheResource() {
        register(agent("host-a"), "vm-a").statusCode(201);
        Map<String, String> before = keyspace();
        expectError(register(agent("host-b"), "vm-a"), 403, "NOT_RESOURCE_OWNER");
        expectError(register(service(), "vm-a"), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-b")).put("/resources/vm-a/heartbeat").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-b")).delete("/resources/vm-a").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-b")).post("/resources/vm-a/drain").then(), 403, "NOT_RESOURCE_OWNER");
        assertEquals(before, keyspace(), "a refused call wrote to Redis");

        // Nor read it (its endpoint may carry the desktop's credential): listings show an agent its own only.
        expectError(as(agent("host-b")).get("/resources/vm-a").then(), 403, "NOT_RESOURCE_OWNER");
        as(agent("host-b")).get("/resources").then().statusCode(200).body("$", org.hamcrest.Matchers.hasSize(0));
        as(agent("host-a")).get("/resources").then().statusCode(200).body("[0].id", equalTo("vm-a"));
        as(agent("host-a")).put("/resources/vm-a/heartbeat").then().statusCode(200);
        register(agent("host-a"), "vm-a").statusCode(200).body("owner", equalTo("agent:host-a"));
    }

    @Test
    void theServiceTokenMayStillDeleteAnAgentsResource() {
        register(agent("host-a"), "vm-a").statusCode(201);
        as(service()).delete("/resources/vm-a").then().statusCode(200);
        register(agent("host-b"), "vm-a").statusCode(201).body("owner", equalTo("agent:host-b"));
    }

    @Test
    void anAgentTokenReachesOnlyTheInventoryAndLeaseChecks() {
        register(agent("host-a"), "vm-a").statusCode(201);
        expectError(as(agent("host-a")).body(Map.of("worker_id", "w1", "resource_types", List.of("vm"))).post("/allocate")
                .then(), 403, "FORBIDDEN");
        expectError(as(agent("host-a")).body(Map.of("worker_id", "w1", "resource_id", "vm-a")).post("/release").then(),
                403, "FORBIDDEN");
        expectError(as(agent("host-a")).get("/leases?worker_id=w1").then(), 403, "FORBIDDEN");
        as(agent("host-a")).get("/resources").then().statusCode(200);
        as(agent("host-a")).get("/stats").then().statusCode(200);
        expectError(as(agent("host-a")).body(Map.of("resource_id", "vm-a", "lease_token", "elt_AAAAAAAAAAAAAAAAAAAAAA")).post("/leases/verify")
                .then(), 409, "LEASE_NOT_LIVE");
    }

    @Test
    void aForgedOrForeignAgentTokenIs401() {
        String forged = AgentTokensProfile.AGENT_TOKENS.mint("host-a").replace("eag1.host-a.", "eag1.host-b.");
        expectError(as("Bearer " + forged).get("/resources").then(), 401, "UNAUTHORIZED");
        String otherKey = new AgentTokens("another-key").mint("host-a");
        expectError(as("Bearer " + otherKey).get("/resources").then(), 401, "UNAUTHORIZED");
        expectError(as("Bearer eag1.host-a").get("/resources").then(), 401, "UNAUTHORIZED");
    }
}

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
        register(agent("host-a"), "host-a:vm").statusCode(201).body("owner", equalTo("agent:host-a"));
        long token = as(service()).body(Map.of("worker_id", "w1", "resource_types", List.of("vm"))).post("/allocate")
                .then().statusCode(200).extract().<Number>path("vm.fencing_token").longValue();
        as(service()).body(Map.of("worker_id", "w1", "resource_id", "host-a:vm")).post("/release").then().statusCode(200);
        return token;
    }

    @Test
    void onlyTheRegisteringAgentReportsTheReset() {
        long token = resettingDesktopOfAgentA();
        Map<String, Object> done = Map.of("fencing_token", token, "outcome", "done");
        Map<String, String> before = keyspace();

        expectError(as(agent("host-b")).body(done).post("/resources/host-a:vm/reset").then(), 403, "NOT_RESOURCE_OWNER")
                .body("error.details.namespace", equalTo("host-b:"));
        expectError(as(service()).body(done).post("/resources/host-a:vm/reset").then(), 403, "NOT_RESOURCE_OWNER")
                .body("error.details.owner", equalTo("agent:host-a"));
        expectError(as(agent("host-b")).body(Map.of("fencing_token", token, "outcome", "failed")).post("/resources/host-a:vm/reset")
                .then(), 403, "NOT_RESOURCE_OWNER");
        assertEquals(before, keyspace(), "a refused report wrote to Redis");

        as(agent("host-a")).body(done).post("/resources/host-a:vm/reset").then().statusCode(200).body("state", equalTo("free"));
    }

    @Test
    void anotherAgentCannotTakeOverOrKeepAliveTheResource() {
        register(agent("host-a"), "host-a:vm").statusCode(201);
        Map<String, String> before = keyspace();
        expectError(register(agent("host-b"), "host-a:vm"), 403, "NOT_RESOURCE_OWNER");
        expectError(register(service(), "host-a:vm"), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-b")).put("/resources/host-a:vm/heartbeat").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-b")).delete("/resources/host-a:vm").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-b")).post("/resources/host-a:vm/drain").then(), 403, "NOT_RESOURCE_OWNER");
        assertEquals(before, keyspace(), "a refused call wrote to Redis");

        // Nor read it (its endpoint may carry the desktop's credential): listings show an agent its own only.
        expectError(as(agent("host-b")).get("/resources/host-a:vm").then(), 403, "NOT_RESOURCE_OWNER");
        as(agent("host-b")).get("/resources").then().statusCode(200).body("$", org.hamcrest.Matchers.hasSize(0));
        as(agent("host-a")).get("/resources").then().statusCode(200).body("[0].id", equalTo("host-a:vm"));
        as(agent("host-a")).put("/resources/host-a:vm/heartbeat").then().statusCode(200);
        register(agent("host-a"), "host-a:vm").statusCode(200).body("owner", equalTo("agent:host-a"));
    }

    @Test
    void theServiceTokenMayStillDeleteAnAgentsResource() {
        register(agent("host-a"), "host-a:vm").statusCode(201);
        as(service()).delete("/resources/host-a:vm").then().statusCode(200);
        register(service(), "host-a:vm").statusCode(201).body("owner", equalTo("service"));
    }

    /**
     * The hostile review's case: host a registered {@code host-b:desktop-0} pointing at the metadata address
     * first, so host b's own registration was 403 and workers were granted a's fake. An agent names only ids in
     * its own namespace {@code <agent id>:…}; everything else is 403 before Redis is touched.
     */
    @Test
    void anAgentRegistersAndActsOnlyInItsOwnNamespace() {
        Map<String, String> before = keyspace();
        Map<String, Object> fake = Map.of("id", "host-b:desktop-0", "type", "vm", "endpoint",
                Map.of("ip", "169.254.169.254", "port", 80));
        expectError(as(agent("host-a")).body(fake).post("/resources").then(), 403, "NOT_RESOURCE_OWNER")
                .body("error.details.resource_id", equalTo("host-b:desktop-0"))
                .body("error.details.namespace", equalTo("host-a:"));
        // Neither a bare id, a prefix without the separator, nor a longer agent id that starts with a's.
        for (String id : List.of("desktop-0", "host-a", "host-ab:desktop", "host-a.b:desktop", "xhost-a:desktop")) {
            expectError(register(agent("host-a"), id), 403, "NOT_RESOURCE_OWNER");
        }
        for (String call : List.of("/drain", "/undrain")) {
            expectError(as(agent("host-a")).post("/resources/host-b:desktop-0" + call).then(), 403, "NOT_RESOURCE_OWNER");
        }
        expectError(as(agent("host-a")).put("/resources/host-b:desktop-0/heartbeat").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-a")).delete("/resources/host-b:desktop-0?force=true").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-a")).get("/resources/host-b:desktop-0").then(), 403, "NOT_RESOURCE_OWNER");
        expectError(as(agent("host-a")).body(Map.of("fencing_token", 1, "outcome", "done"))
                .post("/resources/host-b:desktop-0/reset").then(), 403, "NOT_RESOURCE_OWNER");
        assertEquals(before, keyspace(), "a refused call wrote to Redis");

        // The names the device agent gives its resources: <agent>:desktop, <agent>:desktop-<i>, <agent>:<device>.
        for (String id : List.of("host-b:desktop", "host-b:desktop-0", "host-b:emulator-5554")) {
            register(agent("host-b"), id).statusCode(201).body("owner", equalTo("agent:host-b"));
        }
        // The service token (operators, the inventory file) is not confined to a namespace.
        register(service(), "shared-vm").statusCode(201).body("owner", equalTo("service"));
    }

    @Test
    void anAgentTokenReachesOnlyTheInventoryAndLeaseChecks() {
        register(agent("host-a"), "host-a:vm").statusCode(201);
        expectError(as(agent("host-a")).body(Map.of("worker_id", "w1", "resource_types", List.of("vm"))).post("/allocate")
                .then(), 403, "FORBIDDEN");
        expectError(as(agent("host-a")).body(Map.of("worker_id", "w1", "resource_id", "host-a:vm")).post("/release").then(),
                403, "FORBIDDEN");
        expectError(as(agent("host-a")).get("/leases?worker_id=w1").then(), 403, "FORBIDDEN");
        as(agent("host-a")).get("/resources").then().statusCode(200);
        as(agent("host-a")).get("/stats").then().statusCode(200);
        expectError(as(agent("host-a")).body(Map.of("resource_id", "host-a:vm", "lease_token", "elt_AAAAAAAAAAAAAAAAAAAAAA")).post("/leases/verify")
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

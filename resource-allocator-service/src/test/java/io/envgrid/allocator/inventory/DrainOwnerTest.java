package io.envgrid.allocator.inventory;

import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.AgentTokensProfile.agent;
import static io.envgrid.allocator.support.AgentTokensProfile.as;
import static io.envgrid.allocator.support.AgentTokensProfile.service;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.AgentTokensProfile;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.redis.datasource.stream.StreamRange;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Who drained a resource is recorded ({@code drained_by}, {@code drained_at}) and audited; only that principal
 * or the service token (an operator) lifts the drain.
 */
@QuarkusTest
@WithRedis
@TestProfile(AgentTokensProfile.class)
class DrainOwnerTest extends CleanRedis {

    @Test
    void theDrainerIsListedAndAudited() {
        as(agent("host-a")).body(Map.of("id", "host-a:vm", "type", "vm")).post("/resources").then().statusCode(201);
        as(agent("host-a")).post("/resources/host-a:vm/drain").then().statusCode(200)
                .body("state", equalTo("draining")).body("drained_by", equalTo("agent:host-a"))
                .body("drained_at", notNullValue());
        as(service()).get("/resources?state=draining").then().statusCode(200).body("[0].drained_by", equalTo("agent:host-a"));
        as(agent("host-a")).post("/resources/host-a:vm/undrain").then().statusCode(200)
                .body("state", equalTo("free")).body("drained_by", nullValue());

        List<String> audit = redis.stream(String.class).xrange("{envgrid}:events", StreamRange.of("-", "+")).stream()
                .map(m -> m.payload().get("kind") + " by " + m.payload().get("by")).collect(Collectors.toList());
        assertEquals(List.of("drain by agent:host-a", "undrain by agent:host-a"), audit);
    }

    @Test
    void anOperatorsDrainIsNotLiftedByTheOwningAgentButTheOperatorLiftsAnyDrain() {
        as(agent("host-a")).body(Map.of("id", "host-a:vm", "type", "vm")).post("/resources").then().statusCode(201);
        as(service()).post("/resources/host-a:vm/drain").then().statusCode(200).body("drained_by", equalTo("service"));
        Map<String, String> before = keyspace();
        expectError(as(agent("host-a")).post("/resources/host-a:vm/undrain").then(), 403, "NOT_DRAIN_OWNER")
                .body("error.details.drained_by", equalTo("service"));
        expectError(as(agent("host-b")).post("/resources/host-a:vm/undrain").then(), 403, "NOT_RESOURCE_OWNER");
        assertEquals(before, keyspace(), "a refused undrain wrote to Redis");

        as(agent("host-a")).post("/resources/host-a:vm/drain").then().statusCode(200).body("drained_by", equalTo("agent:host-a"));
        as(service()).post("/resources/host-a:vm/undrain").then().statusCode(200).body("state", equalTo("free"));
    }
}

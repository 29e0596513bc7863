package io.envgrid.gateway.sandbox.session;

import static io.envgrid.gateway.support.SandboxHttp.post;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.RawSocket;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.Socket;
import java.net.URL;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A {@code /session/create} whose client goes away while it waits for a desktop is a cancellation:
 * the allocator withdraws the waiter, the desktop freed afterwards is not leased to the worker, and
 * the session record is gone (the next create is not answered 409 {@code SESSION_BUSY}).
 */
@QuarkusTest
@WithCluster
class AbandonedCreateTest {

    @TestHTTPResource("/")
    URL base;

    @Inject
    RedisDataSource redis;

    private static String create(String worker, long waitMs) {
        return "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\", \"config\": {\"allocator_type\": "
                + "\"vm_abandoned\", \"wait_ms\": " + waitMs + "}}";
    }

    @Test
    void anAbandonedCreateReleasesWhatItGotAndLeavesNoRecord() throws Exception {
        TestCluster.get().register("abandoned-1", "vm_abandoned", "{\"ip\": \"127.0.0.1\", \"port\": 1}");
        String holder = "abandon-holder-" + UUID.randomUUID();
        TestCluster.get().allocatorCall("POST", "/allocate", "{\"worker_id\": \"" + holder
                + "\", \"resource_types\": [\"vm_abandoned\"]}");
        assertTrue(TestCluster.get().leasesOf(holder).size() == 1, TestCluster.get().leasesOf(holder).toString());

        String worker = "abandoner-" + UUID.randomUUID();
        String queue = "{envgrid}:q:vm_abandoned";
        try (Socket client = RawSocket.post(base, "/session/create", Map.of(), create(worker, 20_000))) {
            Conditions.await("the create is queued", Duration.ofSeconds(10), () -> redis.sortedSet(String.class).zcard(queue) == 1);
        }
        Conditions.await("the abandoned waiter withdrawn", Duration.ofSeconds(10),
                () -> redis.sortedSet(String.class).zcard(queue) == 0);
        Conditions.await("the record removed", Duration.ofSeconds(10), () -> post("/session/list",
                "{\"worker_id\": \"" + worker + "\"}").path("count").equals(0));
        // not SESSION_BUSY: the desktop is still held, so an immediate create finds none
        post("/session/create", create(worker, 0)).then()
                .body("error.code", equalTo("INSUFFICIENT_RESOURCES"));

        TestCluster.get().allocatorCall("POST", "/release/worker", "{\"worker_id\": \"" + holder + "\"}");
        Conditions.await("the desktop free", Duration.ofSeconds(5), () -> McpSteps.readTree(TestCluster.get()
                .allocatorCall("GET", "/resources/abandoned-1", null).body()).path("state").asText().equals("free"));
        assertTrue(TestCluster.get().leasesOf(worker).isEmpty(), TestCluster.get().leasesOf(worker).toString());
    }
}

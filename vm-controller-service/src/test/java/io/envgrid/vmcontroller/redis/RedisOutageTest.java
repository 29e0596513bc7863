package io.envgrid.vmcontroller.redis;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.RedisTestResource;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.Conditions;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/**
 * Without Redis no session or lease can be checked, so nothing reaches a VM; the service recovers
 * with Redis (which comes back empty: the lease is gone with it, so the old entry is refused).
 */
@QuarkusTest
@WithRedis
class RedisOutageTest extends WithFakeVm {

    @Test
    void noSessionStoreMeans503AndNoVmCallsUntilRedisIsBack() {
        RedisTestResource.stopServer();
        try {
            expectError(Api.get(token, worker, resource), 503, "REDIS_UNAVAILABLE");
            expectError(Api.act(token, worker, resource, "actions/pyautogui", Map.of("code", "pyautogui.click()")), 503,
                    "REDIS_UNAVAILABLE");
            given().get("/q/health/ready").then().statusCode(503);
            assertEquals(0, vm.received().size());
        } finally {
            RedisTestResource.startServer();
        }
        // Redis came back empty; the expiry listener subscribes again, and new sessions work.
        Conditions.await(() -> subscribers() > 0, "lease-end listener subscribed again");
        expectError(Api.get(token, worker, resource), 409, "LEASE_NOT_LIVE");
        expectError(Api.open(worker, grant.entry()), 409, "LEASE_NOT_LIVE");
        leases.registerVm(resource, vm.port());
        LeaseRecords.Grant again = leases.grant(resource, worker);
        Api.open(worker, again.entry()).statusCode(201);
        Api.read(again.leaseToken(), worker, resource, "platform").statusCode(200);
    }

    private long subscribers() {
        try {
            return redis.execute("PUBSUB", "NUMSUB", "{envgrid}:ch:expired").get(1).toLong();
        } catch (RuntimeException e) {
            return 0;
        }
    }
}

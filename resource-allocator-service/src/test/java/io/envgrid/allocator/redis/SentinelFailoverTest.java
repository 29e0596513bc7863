package io.envgrid.allocator.redis;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.RedisSentinelTestResource;
import io.envgrid.allocator.support.WithRedisSentinel;
import io.envgrid.testsupport.redis.RedisSentinels;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The allocator behind Redis Sentinel (issue 15): a real master, replica and three Sentinels; the master is
 * killed (SIGKILL) and the Sentinels promote the replica. The allocator follows without a restart — calls
 * during the failover answer 503 REDIS_UNAVAILABLE (never another 5xx), then it serves again — and with
 * {@code clock} fencing no grant after the failover carries a token at or below one issued before it.
 */
@QuarkusTest
@WithRedisSentinel
@TestProfile(SentinelFailoverTest.ClockFencing.class)
class SentinelFailoverTest {

    public static class ClockFencing implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.allocator.fencing", "clock", "quarkus.redis.timeout", "2s");
        }
    }

    private static long grant(String worker) {
        return allocate(worker, List.of("vm"), 60).statusCode(200).extract().<Number>path("vm.fencing_token").longValue();
    }

    @Test
    void theAllocatorFollowsAFailoverAndFencingTokensNeverGoBack() {
        RedisSentinels redis = RedisSentinelTestResource.topology();
        post("/resources", Map.of("id", "vm-1", "type", "vm")).statusCode(201);
        List<Long> before = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            before.add(grant("w" + i));
            release("w" + i, "vm-1").statusCode(200);
        }
        long held = grant("holder");
        before.add(held);
        for (int i = 1; i < before.size(); i++) {
            assertTrue(before.get(i) > before.get(i - 1), "tokens increase: " + before);
        }

        int oldMaster = redis.killMaster();
        // Until the Sentinels promote the replica, every call reaches a dead master: 503, retryable.
        Map<String, Integer> during = new TreeMap<>();
        long[] afterFailover = {0};
        Conditions.await(() -> {
            ExtractableResponse<Response> released = post("/release", Map.of("worker_id", "holder", "resource_id", "vm-1"))
                    .extract();
            count(during, released);
            if (released.statusCode() != 200) {
                return false;
            }
            ExtractableResponse<Response> granted = allocate("after", List.of("vm"), 60).extract();
            count(during, granted);
            if (granted.statusCode() == 200) {
                afterFailover[0] = granted.<Number>path("vm.fencing_token").longValue();
                return true;
            }
            return false;
        }, "the allocator serving again after the failover", Duration.ofSeconds(60));
        int newMaster = redis.awaitFailoverFrom(oldMaster, Duration.ofSeconds(30));
        System.out.printf("SentinelFailoverTest: master %d killed, %d promoted; answers during the failover %s; "
                + "tokens before %s, first after %d%n", oldMaster, newMaster, during, before, afterFailover[0]);

        assertTrue(during.keySet().stream().allMatch(k -> k.startsWith("200") || k.startsWith("503 REDIS_UNAVAILABLE")),
                "only 503 REDIS_UNAVAILABLE while failing over: " + during);
        assertTrue(during.containsKey("503 REDIS_UNAVAILABLE"), "the dead master was noticed: " + during);
        assertTrue(afterFailover[0] > held, "token after the failover " + afterFailover[0] + " > last before " + held);
        given().get("/q/health/ready").then().statusCode(200);
        release("after", "vm-1").statusCode(200);
        assertEquals(1, given().get("/stats").then().statusCode(200).extract().<Integer>path("types.vm.free"));
    }

    private static void count(Map<String, Integer> answers, ExtractableResponse<Response> response) {
        String code = response.statusCode() == 200 ? "" : " " + response.<String>path("error.code");
        answers.merge(response.statusCode() + code, 1, Integer::sum);
    }
}

package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.envgrid.allocator.support.Api.release;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.RawConnection;
import io.envgrid.allocator.support.RawRedis;
import io.envgrid.allocator.support.SettingsProfile;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The cleanups of a client that went away (releasing its undelivered grant, withdrawing its ticket) reach Redis
 * even when Redis refused them at first: the first attempt meets Redis refusing writes ({@code min-replicas-to-write 1}
 * answers {@code NOREPLICAS}, a 503 like a failover's), and the cleanup goes on once Redis takes writes again, well
 * before the leases' 60 s timeout or the ticket's 120 s wait. A {@code MONITOR} connection shows that the first
 * attempt really was refused before Redis is given back.
 *
 * <p>The reaper and the pool gauges are slowed down to once an hour, so that the only script held by a
 * {@code CLIENT PAUSE} is the allocation's.
 */
@QuarkusTest
@WithRedis
@TestProfile(CleanupDuringOutageTest.NoBackgroundScripts.class)
class CleanupDuringOutageTest extends CleanRedis {

    /** No reaper run and no gauge refresh while a test runs. */
    public static class NoBackgroundScripts extends SettingsProfile {
        public NoBackgroundScripts() {
            super(Map.of("envgrid.allocator.reap-interval", "1h", "envgrid.allocator.pool-gauge-interval", "1h"));
        }
    }

    @AfterEach
    void redisTakesWrites() {
        redis.execute("CLIENT", "UNPAUSE");
        refuseWrites(false);
    }

    @Test
    void aGrantWhoseClientWentAwayWhileRedisRefusedWritesIsReleasedOnceRedisIsBack() {
        registerPool("rag", 1);
        // Runs allocate.lua once, so that the held call below is an EVALSHA that Redis knows (not one answered NOSCRIPT
        // and sent again, after the outage began, as EVAL).
        allocate("warm-up", List.of("no-such-type"), 60).statusCode(400);
        RawConnection.awaitNoOtherRequest("the requests sent before are ended");
        try (RawRedis monitor = RawRedis.open().send("MONITOR"); RawRedis outage = RawRedis.open();
                RawRedis observer = RawRedis.open()) {
            redis.execute("CLIENT", "PAUSE", "10000", "WRITE");
            RawConnection client = RawConnection.open().sendJson("/allocate",
                    "{\"worker_id\":\"racer\",\"resource_types\":[\"rag\"],\"request_id\":\"race-1\",\"timeout\":60}");
            Conditions.await(() -> heldScripts(observer) == 1, "the allocation's script is held by the pause");
            client.close();
            RawConnection.awaitNoOtherRequest("the server saw the connection close");
            // Queued behind the held allocation, so Redis refuses writes from right after the grant: the release of
            // the undelivered grant, sent when its answer arrives, is refused.
            outage.send("MULTI").send("SET", "cleanup-test:outage", "1")
                    .send("CONFIG", "SET", "min-replicas-to-write", "1").send("EXEC");
            redis.execute("CLIENT", "UNPAUSE");
            Conditions.await(() -> monitor.received().contains("\"racer\" \"race-1\" \"rag-1:1\""),
                    "the release of the undelivered grant reached Redis");
            assertEquals(List.of("grant"), auditKindsFor("racer"), "the first release was refused");

            refuseWrites(false);
        }
        Conditions.await(() -> auditKindsFor("racer").equals(List.of("grant", "abandon")),
                "the grant to the vanished client is released once Redis takes writes again");
        Api.stats().body("types.rag.free", equalTo(1)).body("types.rag.leased", equalTo(0));
    }

    @Test
    void aWaiterServedWhileItsWithdrawalWasRefusedHasThatGrantReleased() {
        vanishedWaiterWhoseWithdrawalIsRefused();
        refuseWrites(false);
        // At once, ahead of the next withdrawal attempt (250 ms after the refused one) in most runs: the freed resource
        // is then granted to the vanished waiter's ticket, and the withdrawal, answered "granted", releases it.
        release("holder", "rag-1").statusCode(200);

        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:tickets") == 0, "no ticket is left");
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:free:rag") == 1, "the resource is free");
        List<String> vanished = auditKindsFor("vanished");
        assertTrue(vanished.isEmpty() || vanished.equals(List.of("grant", "abandon")),
                "the vanished waiter holds nothing (granted meanwhile, then released): " + vanished);
        allocate("next", List.of("rag"), 60).statusCode(200).body("rag.id", equalTo("rag-1"));
    }

    @Test
    void aWaiterWhoseWithdrawalWasRefusedIsWithdrawnOnceRedisIsBack() {
        vanishedWaiterWhoseWithdrawalIsRefused();
        refuseWrites(false);
        Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:tickets") == 0
                && redis.sortedSet(String.class).zcard("{envgrid}:q:rag") == 0, "the vanished waiter's ticket is withdrawn");

        release("holder", "rag-1").statusCode(200);
        assertEquals(List.of(), auditKindsFor("vanished"), "nothing was granted to the vanished waiter");
        allocate("next", List.of("rag"), 60).statusCode(200).body("rag.id", equalTo("rag-1"));
    }

    /**
     * A client whose connection broke while it waited does what a {@code request_id} is for: it sends the same request
     * again. Its first ticket's withdrawal met Redis refusing writes and is asked again in the background; meanwhile
     * the resource is freed, the first ticket is served, and the retry's ticket (same request_id) is answered that
     * grant as a replay. The late withdrawal, answered {@code granted}, must not release the leases the client now
     * holds: with a request_id, a grant served for a gone waiter is its retry's (or {@code /release/request}'s).
     */
    @Test
    void aGrantReplayedToTheRetryOfAGoneWaiterIsNotReleasedByItsLateWithdrawal() throws Exception {
        registerPool("rag", 1);
        allocate("holder", List.of("rag"), 60).statusCode(200);
        String body = "{\"worker_id\":\"retrier\",\"resource_types\":[\"rag\"],\"timeout\":60,\"wait_ms\":120000,"
                + "\"request_id\":\"retried-1\"}";
        double answeredLate = cleanupCount("withdraw", "answered_late");
        RawConnection.awaitNoOtherRequest("the requests sent before are ended");
        try (RawRedis monitor = RawRedis.open().send("MONITOR")) {
            RawConnection first = RawConnection.open().sendJson("/allocate", body);
            Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:rag") == 1, "the first wait is queued");
            String ticket = redis.sortedSet(String.class).zrange("{envgrid}:q:rag", 0, 0).get(0);
            String withdrawal = "\"{envgrid}:\" \"" + ticket + "\" \"rag\"";
            refuseWrites(true);
            first.close();
            RawConnection.awaitNoOtherRequest("the server saw the connection close");
            // Five refused attempts (at 0, 0.25, 0.75, 1.75 and 3.75 s): the next one comes 4 s after the fifth.
            Conditions.await(() -> occurrences(monitor.received(), withdrawal) >= 5,
                    "the withdrawal was refused five times", Duration.ofSeconds(20));
            refuseWrites(false);
            CompletableFuture<ExtractableResponse<Response>> retry = CompletableFuture.supplyAsync(() -> Api.post("/allocate",
                            Map.of("worker_id", "retrier", "resource_types", List.of("rag"), "timeout", 60,
                                    "wait_ms", 120000, "request_id", "retried-1")).extract());
            Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:rag") == 2, "the retry is queued too");
            release("holder", "rag-1").statusCode(200);
            ExtractableResponse<Response> answer = retry.get(10, TimeUnit.SECONDS);
            assertEquals(200, answer.statusCode(), answer.asString());
            assertEquals("rag-1", answer.path("rag.id"));
            // The first ticket was served (not withdrawn first, then the retry's own ticket served afresh).
            assertEquals("true", answer.header("X-Envgrid-Replayed"), "the retry is answered the first ticket's grant");
        }
        Conditions.await(() -> cleanupCount("withdraw", "answered_late") > answeredLate,
                "the withdrawal is answered once Redis takes writes");
        // A script run after the withdrawal's answer was handled (an abandon it led to would have run before it).
        Api.stats();
        assertEquals(List.of("grant"), auditKindsFor("retrier"), "the lease the retry was handed is still its own");
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + part.length())) {
            count++;
        }
        return count;
    }

    /**
     * The value of {@code envgrid_cleanups_total{kind,outcome}}, 0 before its first count. Read over a connection
     * closed at once: a RestAssured one can stay open and be counted as a request in flight.
     */
    private static double cleanupCount(String kind, String outcome) {
        String line = "envgrid_cleanups_total{kind=\"" + kind + "\",outcome=\"" + outcome + "\"} ";
        return RawConnection.getAndClose("/q/metrics").lines().filter(l -> l.startsWith(line))
                .mapToDouble(l -> Double.parseDouble(l.substring(line.length()).trim())).sum();
    }

    /**
     * A waiter (wait_ms 120000) for the one resource, which "holder" holds, whose client goes away while Redis refuses
     * writes: the withdrawal of its ticket is refused (seen on {@code MONITOR}), and Redis still refuses writes.
     */
    private void vanishedWaiterWhoseWithdrawalIsRefused() {
        registerPool("rag", 1);
        allocate("holder", List.of("rag"), 60).statusCode(200);
        RawConnection.awaitNoOtherRequest("the requests sent before are ended");
        try (RawRedis monitor = RawRedis.open().send("MONITOR")) {
            RawConnection waiter = RawConnection.open().sendJson("/allocate",
                    "{\"worker_id\":\"vanished\",\"resource_types\":[\"rag\"],\"wait_ms\":120000}");
            Conditions.await(() -> redis.sortedSet(String.class).zcard("{envgrid}:q:rag") == 1, "the waiter is queued");
            String ticket = redis.sortedSet(String.class).zrange("{envgrid}:q:rag", 0, 0).get(0);
            refuseWrites(true);
            waiter.close();
            RawConnection.awaitNoOtherRequest("the server saw the connection close");
            Conditions.await(() -> monitor.received().contains("\"{envgrid}:\" \"" + ticket + "\" \"rag\""),
                    "the withdrawal of the vanished waiter's ticket reached Redis");
            assertEquals(1, redis.sortedSet(String.class).zcard("{envgrid}:q:rag"), "the withdrawal was refused");
        }
    }

    /** Redis answers every script that writes with {@code NOREPLICAS}, as a master cut off from its replicas does. */
    private void refuseWrites(boolean refuse) {
        redis.execute("CONFIG", "SET", "min-replicas-to-write", refuse ? "1" : "0");
    }

    /**
     * The clients of Redis whose script is held by a {@code CLIENT PAUSE}, read over {@code observer}: not through the
     * pooled client the allocator shares in this JVM, whose {@code CLIENT LIST} could wait for a connection the pause
     * holds until the pause ends, by when no script is held (a CI run timed out so).
     */
    private static long heldScripts(RawRedis observer) {
        return observer.bulkReply("CLIENT", "LIST").lines()
                .filter(l -> l.contains(" flags=b ") && l.contains(" cmd=evalsha ")).count();
    }
}

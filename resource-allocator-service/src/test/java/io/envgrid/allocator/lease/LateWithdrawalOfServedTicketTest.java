package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.registerPool;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.ProxiedRedisTestResource;
import io.envgrid.allocator.support.SyncRedis;
import io.envgrid.allocator.redis.ScriptSource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Review 19: a withdrawal retried in the background ({@code PersistentCleanups}, "never moot by a clock") of a ticket
 * that was served meanwhile, for a request without a request_id, must still hand the grant back when Redis finally
 * answers, however long the worker's {@code /renew} without ids kept those leases alive through another replica: only
 * that {@code granted} answer makes the allocator release them as abandoned. cancel_wait.lua finds the grant in
 * {@code ta:<ticket>}, whose TTL (lease length + request-id retention, from the grant) no renewal used to extend; a
 * withdrawal answered after it found nothing, and the worker kept a lease it never got for as long as it renewed.
 * renew.lua now keeps {@code ta:<ticket>} alive with the leases.
 *
 * <p>Scripts are run directly, as the replicas run them (the outage itself is {@link AbandonOutlivesRenewalTest}'s).
 */
@QuarkusTest
@WithTestResource(ProxiedRedisTestResource.class)
@TestProfile(CleanupDuringOutageTest.NoBackgroundScripts.class)
class LateWithdrawalOfServedTicketTest extends CleanRedis {

    private static final String PREFIX = "{envgrid}:";

    @Inject
    AllocatorConfig config;

    @Test
    void aWithdrawalAnsweredAfterTheServedAnswerExpiredStillHandsBackTheRenewedGrant() {
        registerPool("rag", 1);
        try (SyncRedis direct = new SyncRedis(ProxiedRedisTestResource.directUrl())) {
            // Another worker holds the only resource; the waiter queues a ticket without a request_id.
            String held = eval(direct, AllocatorScript.ALLOCATE, "holder", "60000", "", "", "0", "tok-h", "500",
                    "replica-x", "rag");
            assertTrue(held.contains("\"granted\""), held);
            String queued = eval(direct, AllocatorScript.ALLOCATE, "waiter", "1000", "", "ticket-1", "30000", "tok-w",
                    "500", "replica-x", "rag");
            assertTrue(queued.contains("\"queued\""), queued);
            // The release serves the ticket; its waiter's replica is cut off from Redis (its withdrawal retries).
            eval(direct, AllocatorScript.RELEASE, "holder", "rag-1");
            assertEquals("waiter", direct.call("HGET", PREFIX + "r:rag-1", "worker").toString());

            // The waiter's other threads renew all its leases through a replica that reaches Redis, past the life the
            // served answer was given at the grant (the ticket's lease, 1 s, + its retention, 0.5 s), on Redis's clock.
            long servedAnswerLapses = Long.parseLong(direct.call("HGET", PREFIX + "r:rag-1", "granted").toString())
                    + 1000 + 500 + 500;
            long[] renewedAt = {0};
            Conditions.await(() -> {
                long now = System.currentTimeMillis();
                if (now - renewedAt[0] >= 300) {
                    String renewed = eval(direct, AllocatorScript.RENEW, "waiter", "5000",
                            Long.toString(config.requestIdRetention().toMillis()));
                    assertTrue(renewed.contains("\"renewed\""), renewed);
                    renewedAt[0] = now;
                }
                return redisClock(direct) > servedAnswerLapses;
            }, "the served answer's first life ran out while the leases were renewed", Duration.ofSeconds(15));
            assertEquals("waiter", direct.call("HGET", PREFIX + "r:rag-1", "worker").toString(),
                    "the waiter still holds the lease it never got");

            // The withdrawal finally reaches Redis: it must learn of the grant, or nothing ever releases it.
            String answer = eval(direct, AllocatorScript.CANCEL_WAIT, "ticket-1", "rag");
            assertTrue(answer.contains("\"granted\""),
                    "the late withdrawal is told of the grant it must release, not: " + answer);
            // Its answer lost too (a connection cut after the script), it is asked again: still told of the grant.
            String again = eval(direct, AllocatorScript.CANCEL_WAIT, "ticket-1", "rag");
            assertEquals(answer, again, "the withdrawal asked again after its answer was lost");
        }
    }

    /** Redis's clock in ms, the one the scripts judge by. */
    private static long redisClock(SyncRedis direct) {
        var time = direct.call("TIME");
        return Long.parseLong(time.get(0).toString()) * 1000 + Long.parseLong(time.get(1).toString()) / 1000;
    }

    private String eval(SyncRedis direct, AllocatorScript script, String... args) {
        ScriptSource source = ScriptSource.of(script, config.eventsMaxLength(), config.fencing());
        String[] rest = new String[args.length + 1];
        rest[0] = PREFIX;
        System.arraycopy(args, 0, rest, 1, args.length);
        String[] all = new String[2 + rest.length];
        all[0] = source.source();
        all[1] = "1";
        System.arraycopy(rest, 0, all, 2, rest.length);
        return direct.call("EVAL", all).toString();
    }
}

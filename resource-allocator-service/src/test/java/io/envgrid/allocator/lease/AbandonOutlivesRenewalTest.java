package io.envgrid.allocator.lease;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.registerPool;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptSource;
import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.ProxiedRedisTestResource;
import io.envgrid.allocator.support.RawConnection;
import io.envgrid.allocator.support.RawRedis;
import io.envgrid.allocator.support.SyncRedis;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import io.vertx.redis.client.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An undelivered grant whose release ({@code abandon}) meets an outage of this replica only is released once the
 * replica reaches Redis again, however long its worker kept the leases alive meanwhile through another path: the
 * worker's {@code /renew} without ids, answered by a replica that still reaches Redis (here renew.lua run on a direct
 * connection, as that replica runs it), extends the undelivered lease too, past the expiry it was granted with. This
 * replica's path to Redis is a {@link io.envgrid.testsupport.net.TcpProxy} that the test cuts; Redis itself runs on.
 *
 * <p>As in {@link CleanupDuringOutageTest}, the reaper and the pool gauges are slowed down to once an hour, so that
 * the only script held by a {@code CLIENT PAUSE} is the allocation's.
 */
@QuarkusTest
@WithTestResource(ProxiedRedisTestResource.class)
@TestProfile(CleanupDuringOutageTest.NoBackgroundScripts.class)
class AbandonOutlivesRenewalTest extends CleanRedis {

    private static final String PREFIX = "{envgrid}:";

    @Inject
    AllocatorConfig config;

    @AfterEach
    void redisReachableAndTakingWrites() {
        ProxiedRedisTestResource.proxy().restore();
        try (SyncRedis direct = new SyncRedis(ProxiedRedisTestResource.directUrl())) {
            direct.call("CLIENT", "UNPAUSE");
            direct.call("CONFIG", "SET", "min-replicas-to-write", "0");
        }
    }

    @Test
    void anUndeliveredGrantRenewedThroughAnotherReplicaIsReleasedWhenThisOneReachesRedisAgain() {
        registerPool("rag", 1);
        // Runs allocate.lua once, so that the held call below is an EVALSHA that Redis knows.
        allocate("warm-up", List.of("no-such-type"), 60).statusCode(400);
        RawConnection.awaitNoOtherRequest("the requests sent before are ended");
        int port = ProxiedRedisTestResource.directPort();
        try (SyncRedis direct = new SyncRedis(ProxiedRedisTestResource.directUrl());
                RawRedis monitor = RawRedis.open(port).send("MONITOR"); RawRedis outage = RawRedis.open(port)) {
            direct.call("CLIENT", "PAUSE", "10000", "WRITE");
            RawConnection client = RawConnection.open().sendJson("/allocate",
                    "{\"worker_id\":\"renewer\",\"resource_types\":[\"rag\"],\"request_id\":\"renewed-1\",\"timeout\":2}");
            Conditions.await(() -> heldScripts(direct) == 1, "the allocation's script is held by the pause");
            client.close();
            RawConnection.awaitNoOtherRequest("the server saw the connection close");
            // Queued behind the held allocation: the abandon sent when its answer arrives is refused (a 503), and
            // retried in the background.
            outage.send("MULTI").send("SET", "abandon-test:outage", "1")
                    .send("CONFIG", "SET", "min-replicas-to-write", "1").send("EXEC");
            direct.call("CLIENT", "UNPAUSE");
            Conditions.await(() -> monitor.received().contains("\"renewer\" \"renewed-1\" \"rag-1:1\""),
                    "the release of the undelivered grant reached Redis");
            long grantedExpiry = Long.parseLong(direct.call("HGET", PREFIX + "r:rag-1", "expires").toString());

            // Now this replica alone loses Redis; Redis takes writes again from everyone else.
            ProxiedRedisTestResource.proxy().cut();
            direct.call("CONFIG", "SET", "min-replicas-to-write", "0");
            assertEquals(List.of("grant"), auditKinds(direct, "renewer"), "the first release was refused");

            // The worker's other threads renew all its leases through a replica that reaches Redis, until well past
            // the expiry the grant was made with (and past the longest pause between two attempts of a cleanup).
            ScriptSource renew = ScriptSource.of(AllocatorScript.RENEW, config.eventsMaxLength(), config.fencing());
            long[] renewedAt = {0};
            Conditions.await(() -> {
                long now = System.currentTimeMillis();
                if (now - renewedAt[0] >= 500) {
                    String answer = direct.call("EVAL", renew.source(), "1", PREFIX, "renewer", "5000",
                            Long.toString(config.requestIdRetention().toMillis())).toString();
                    assertTrue(answer.contains("\"renewed\""), "the worker's renewal extends the lease: " + answer);
                    renewedAt[0] = now;
                }
                return now > grantedExpiry + PersistentCleanups.LONGEST_PAUSE.toMillis() + 1000;
            }, "the leases were renewed past their first expiry", Duration.ofSeconds(30));
            assertEquals("renewer", direct.call("HGET", PREFIX + "r:rag-1", "worker").toString(),
                    "the worker still holds the lease it never got");

            ProxiedRedisTestResource.proxy().restore();
            Conditions.await(() -> auditKinds(direct, "renewer").equals(List.of("grant", "abandon")),
                    "the undelivered grant is released as abandoned once this replica reaches Redis again",
                    Duration.ofSeconds(15));
        }
        Api.stats().body("types.rag.free", equalTo(1)).body("types.rag.leased", equalTo(0));
        allocate("next", List.of("rag"), 60).statusCode(200).body("rag.id", equalTo("rag-1"));
    }

    /** The kinds of the audit events naming {@code worker}, read past the proxy. */
    private static List<String> auditKinds(SyncRedis direct, String worker) {
        List<String> kinds = new ArrayList<>();
        for (Response entry : direct.call("XRANGE", PREFIX + "events", "-", "+")) {
            Response fields = entry.get(1);
            String kind = null;
            String named = null;
            for (int i = 0; i + 1 < fields.size(); i += 2) {
                switch (fields.get(i).toString()) {
                    case "kind" -> kind = fields.get(i + 1).toString();
                    case "worker" -> named = fields.get(i + 1).toString();
                    default -> { }
                }
            }
            if (worker.equals(named)) {
                kinds.add(kind);
            }
        }
        return kinds;
    }

    /** The clients of Redis whose script is held by a {@code CLIENT PAUSE}. */
    private static long heldScripts(SyncRedis direct) {
        return direct.call("CLIENT", "LIST").toString().lines()
                .filter(l -> l.contains(" flags=b ") && l.contains(" cmd=evalsha ")).count();
    }
}

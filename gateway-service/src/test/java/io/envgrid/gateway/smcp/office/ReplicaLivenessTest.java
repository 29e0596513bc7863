package io.envgrid.gateway.smcp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.smcp.SmcpKeys;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The older gateways' replica set ({@link SmcpKeys#legacyReplicas}) is not read at every beat once it has been read
 * empty. Was: every sweep of every replica read it, long after the last older gateway was gone. That a dead older
 * replica listed later is still evicted, at the re-check {@link ReplicaLiveness#LEGACY_RECHECK_BEATS} beats on, is
 * shown by {@code ReplicasIT} (gateways with a 2 s ping timeout).
 */
@QuarkusTest
@WithCluster
class ReplicaLivenessTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    ReplicaLiveness liveness;

    @Inject
    SmcpKeys keys;

    @Inject
    RedisDataSource redis;

    @Test
    void theOlderReplicasSetReadEmptyIsNotReadAtTheNextSweeps() {
        String older = "older-" + UUID.randomUUID();
        String members = keys.legacyReplicaMembers(older);
        try {
            redis.key().del(keys.legacyReplicas());
            liveness.sweep().await().atMost(WAIT);

            // a dead older replica (no alive key) listed after that read
            redis.set(String.class).sadd(members, "older-sid|office-" + older);
            redis.set(String.class).sadd(keys.legacyReplicas(), older);
            for (int i = 0; i < 3; i++) {
                liveness.sweep().await().atMost(WAIT);
            }

            assertTrue(redis.set(String.class).sismember(keys.legacyReplicas(), older),
                    "the older replicas' set was read again right after it was read empty");
            assertEquals(1, redis.set(String.class).scard(members));
        } finally {
            redis.key().del(keys.legacyReplicas(), members);
        }
    }
}

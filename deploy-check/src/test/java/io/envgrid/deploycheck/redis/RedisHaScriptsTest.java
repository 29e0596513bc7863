package io.envgrid.deploycheck.redis;

import static io.envgrid.testsupport.wait.Poll.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The prod overlay's Redis scripts (k8s/components/redis-sentinel: redis.sh, sentinel.sh, current-master.sh) run
 * for real, three data nodes and three sentinels on loopback ports ({@link ScriptedRedisSet}): the set's first start
 * (pod 0 the master, replicas promotable only once in sync), and a master whose volume was lost coming back before
 * the sentinels noticed it had gone, which must not become an empty master that its replicas copy.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisHaScriptsTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    /** Past a failed election: the sentinels try again only after twice failover-timeout (60 s in sentinel.sh). */
    private static final Duration FAILOVER = Duration.ofSeconds(150);
    private static ScriptedRedisSet set;

    @BeforeAll
    static void start() throws IOException {
        Path scripts = Path.of(System.getProperty("envgrid.repo.root"), "k8s", "components", "redis-sentinel");
        Path dir = Path.of("target", "redis-ha", Long.toString(System.currentTimeMillis())).toAbsolutePath();
        set = ScriptedRedisSet.start(scripts, dir);
    }

    @AfterAll
    static void stop() {
        if (set != null) {
            set.close();
        }
    }

    @Test
    @Order(1)
    void onTheFirstStartPodZeroIsMasterAndAReplicaIsPromotableOnlyOnceInSync() throws IOException {
        int first = set.nodePorts().get(0);
        for (int sentinel : set.sentinelPorts()) {
            await("sentinel " + sentinel + " to name pod 0 master", TIMEOUT, () -> masterSeenBy(sentinel) == first);
        }
        for (int node = 1; node < 3; node++) {
            int port = set.nodePorts().get(node);
            await("node " + node + " in sync and promotable", TIMEOUT,
                    () -> inSync(port) && "100".equals(((List<?>) set.call(port, "CONFIG", "GET", "replica-priority")).get(1)));
            assertTrue(Files.readString(set.conf(node)).contains("replica-priority 0"),
                    "a replica starts unpromotable: " + set.conf(node));
        }
        assertFalse(Files.readString(set.conf(0)).contains("replicaof"), "pod 0 started as master");
        assertEquals("OK", set.call(first, "SET", "first-start", "written"));
        assertEquals(2L, set.call(first, "WAIT", "2", "5000"));
    }

    @Test
    @Order(2)
    void aMasterBackWithAnEmptyVolumeWaitsForTheFailoverAndJoinsAsReplica() throws IOException {
        int sentinel = set.sentinelPorts().get(0);
        int master = masterSeenBy(sentinel);
        int node = set.nodePorts().indexOf(master);
        assertEquals("OK", set.call(master, "SET", "grant", "acknowledged"));
        assertTrue((Long) set.call(master, "WAIT", "2", "5000") >= 1L, "replicated before the loss");
        for (int s : set.sentinelPorts()) {
            await("sentinel " + s + " to know both replicas", TIMEOUT, () -> knownReplicas(s) == 2);
        }

        set.killNode(node);
        ScriptedRedisSet.deleteTree(set.dataDir(node));
        set.startNode(node);

        await("the sentinels to fail over to a replica", FAILOVER, () -> set.sentinelPorts().stream()
                .allMatch(s -> masterSeenBy(s) != master && masterSeenBy(s) > 0));
        int promoted = masterSeenBy(sentinel);
        assertNotEquals(master, promoted);
        assertEquals("acknowledged", set.call(promoted, "GET", "grant"), "the acknowledged write survived");
        await("the emptied node back as a replica in sync", TIMEOUT, () -> inSync(master));
        assertEquals("acknowledged", set.call(master, "GET", "grant"), "the emptied node copied the data back");
        String log = Files.readString(set.dataDir(node).getParent().resolve("redis.log"));
        assertTrue(log.contains("waiting for them to fail over"), log);
    }

    private static int masterSeenBy(int sentinel) {
        try {
            List<?> address = (List<?>) set.call(sentinel, "SENTINEL", "get-master-addr-by-name", "envgrid");
            return address == null ? -1 : Integer.parseInt((String) address.get(1));
        } catch (RuntimeException notYet) {
            return -1;
        }
    }

    private static long knownReplicas(int sentinel) {
        List<?> fields = (List<?>) set.call(sentinel, "SENTINEL", "master", "envgrid");
        return Long.parseLong((String) fields.get(fields.indexOf("num-slaves") + 1));
    }

    private static boolean inSync(int port) {
        try {
            String info = (String) set.call(port, "INFO", "replication");
            return info.contains("role:slave") && info.contains("master_link_status:up")
                    && info.contains("master_sync_in_progress:0");
        } catch (RuntimeException notYet) {
            return false;
        }
    }
}

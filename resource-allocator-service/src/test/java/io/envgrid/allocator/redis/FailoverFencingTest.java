package io.envgrid.allocator.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.config.Fencing;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.EmbeddedRedis;
import io.envgrid.allocator.support.SyncRedis;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Fencing across a failover, on a real master and its replica (asynchronous replication, Redis'
 * default). The allocator's scripts run on the master; the replica is then promoted
 * ({@code REPLICAOF NO ONE}, what Sentinel does when the master is unreachable) while the old master,
 * on the far side of a partition, still grants once more — a grant acknowledged to its client that the
 * new master never sees. The next grant of the same resource on the new master must carry a higher
 * fencing token than that lost one: with clock fencing it does; with sequence fencing the token is
 * issued a second time (the hazard clock fencing exists for).
 */
class FailoverFencingTest {

    private static final String PREFIX = "{envgrid}:";
    private static final String TOKEN = "elt_AAAAAAAAAAAAAAAAAAAAAA";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The lost grant's token on the old master, and the first token the promoted replica issues. */
    private record Tokens(long lost, long afterFailover) {
    }

    @Test
    void clockFencingSortsEveryTokenAfterAFailoverAboveTheLostOnes() {
        Tokens tokens = failOver(Fencing.CLOCK);
        assertTrue(tokens.afterFailover() > tokens.lost(), tokens.toString());
    }

    @Test
    void sequenceFencingIssuesTheLostTokenAgain() {
        Tokens tokens = failOver(Fencing.SEQUENCE);
        assertEquals(tokens.lost(), tokens.afterFailover(), "sequence fencing repeats a token lost in a failover");
    }

    private static Tokens failOver(Fencing fencing) {
        try (EmbeddedRedis master = EmbeddedRedis.start();
                EmbeddedRedis replica = EmbeddedRedis.startReplicaOf(master);
                SyncRedis oldMaster = new SyncRedis(master.url());
                SyncRedis newMaster = new SyncRedis(replica.url())) {
            Conditions.await(() -> newMaster.call("INFO", "replication").toString().contains("master_link_status:up"),
                    "the replica is in sync");
            run(oldMaster, fencing, AllocatorScript.REGISTER, "rag-1", "rag", "{}", "{}", "0", "0", "open");
            long first = grant(oldMaster, fencing, "w1");
            run(oldMaster, fencing, AllocatorScript.RELEASE, "w1", "rag-1");
            assertEquals(1, oldMaster.call("WAIT", "1", "10000").toLong(), "the replica acknowledged the first lease");

            newMaster.call("REPLICAOF", "NO", "ONE");
            long lost = grant(oldMaster, fencing, "w2");
            assertTrue(lost > first);
            // A failover takes seconds; here it only has to outlast the clock's granularity (1 ms).
            Conditions.await(() -> nowMs(newMaster) > lost || fencing == Fencing.SEQUENCE, "the clock passes the lost token");
            long afterFailover = grant(newMaster, fencing, "w3");
            System.out.printf("FailoverFencingTest: %s fencing: before %d, lost with the old master %d, after failover %d%n",
                    fencing, first, lost, afterFailover);
            return new Tokens(lost, afterFailover);
        }
    }

    private static long grant(SyncRedis redis, Fencing fencing, String worker) {
        JsonNode answer = parse(run(redis, fencing, AllocatorScript.ALLOCATE, worker, "600000", "", "", "0", TOKEN,
                "600000", "r", "rag"));
        assertEquals("granted", answer.path("status").asText(), answer.toString());
        return answer.path("grants").get(0).path("fencing_token").asLong();
    }

    private static long nowMs(SyncRedis redis) {
        var time = redis.call("TIME");
        return time.get(0).toLong() * 1000 + time.get(1).toLong() / 1000;
    }

    /** Runs a script as ScriptRunner does on a cold script cache: EVAL with the key prefix as its key. */
    private static String run(SyncRedis redis, Fencing fencing, AllocatorScript script, String... argv) {
        List<String> args = new ArrayList<>(List.of(ScriptSource.of(script, 200_000, fencing).source(), "1", PREFIX));
        args.addAll(List.of(argv));
        return String.valueOf(redis.call("EVAL", args.toArray(String[]::new)));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("unreadable script answer: " + json, e);
        }
    }
}

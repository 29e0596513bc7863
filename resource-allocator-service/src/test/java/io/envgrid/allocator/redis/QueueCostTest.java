package io.envgrid.allocator.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.EmbeddedRedis;
import io.envgrid.allocator.support.SyncRedis;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Redis cost of a release that serves a waiter, of a reclaim that does, and of queueing one
 * more waiter does not grow with the number of waiters: counted in Redis commands (INFO
 * commandstats counts the commands a script runs), which is exact and does not depend on how busy
 * the machine is. The scripts run straight on a real Redis, as ScriptRunner sends them.
 */
class QueueCostTest {

    private static final String PREFIX = "{envgrid}:";
    private static final String RETENTION_MS = "600000";
    private static final String TOKEN = "elt_AAAAAAAAAAAAAAAAAAAAAA";

    /** Commands Redis ran (scripts' own commands, not EVALSHA itself) for each step, with n waiters. */
    private record Costs(long release, long reclaim, long enqueue) {
    }

    @Test
    void aGrantAReleaseAndAReclaimCostTheSameWithTenOrTwoThousandWaiters() {
        Costs few = measure(10);
        Costs many = measure(2_000);
        System.out.printf("QueueCostTest: Redis commands per step with 10 / 2000 waiters: release+grant %d / %d, "
                + "reclaim+grant %d / %d, queue one more %d / %d%n", few.release(), many.release(), few.reclaim(),
                many.reclaim(), few.enqueue(), many.enqueue());
        assertEquals(few, many, "the cost of a step depends on the number of waiters");
    }

    private static Costs measure(int waiters) {
        try (EmbeddedRedis redis = EmbeddedRedis.start(); SyncRedis sync = new SyncRedis(redis.url())) {
            Map<AllocatorScript, String> sha = new EnumMap<>(AllocatorScript.class);
            for (AllocatorScript s : AllocatorScript.values()) {
                sha.put(s, sync.call("SCRIPT", "LOAD", ScriptSource.of(s, 200_000).source()).toString());
            }
            for (int i = 1; i <= 2; i++) {
                run(sync, sha, AllocatorScript.REGISTER, "vm-" + i, "vm", "{}", "{}", "0", "0", "open");
            }
            // One holder with a long lease, one whose lease ends in 300 ms (reclaimed by the reaper).
            assertTrue(allocate(sync, sha, "holder", "600000", "", "0").contains("granted"));
            assertTrue(allocate(sync, sha, "short", "300", "", "0").contains("granted"));
            for (int i = 0; i < waiters; i++) {
                assertTrue(allocate(sync, sha, "waiter-" + i, "600000", "t" + i, "600000").contains("queued"));
            }

            long release = commands(sync, () -> run(sync, sha, AllocatorScript.RELEASE, "holder", "vm-1"));
            assertTrue(sync.call("EXISTS", PREFIX + "ta:t0").toLong() == 1, "the head waiter was served by the release");

            Conditions.await(() -> reapable(sync), "the short lease expired");
            long reclaim = commands(sync, () -> run(sync, sha, AllocatorScript.REAP, "500", "r", "5000", "300000"));
            assertTrue(sync.call("EXISTS", PREFIX + "ta:t1").toLong() == 1, "the next waiter was served by the reclaim");

            long enqueue = commands(sync, () -> allocate(sync, sha, "late", "600000", "t-late", "600000"));
            return new Costs(release, reclaim, enqueue);
        }
    }

    private static boolean reapable(SyncRedis sync) {
        long now = sync.call("TIME").get(0).toLong() * 1000;
        return sync.call("ZRANGEBYSCORE", PREFIX + "leases", "-inf", Long.toString(now)).size() > 0;
    }

    private static String allocate(SyncRedis sync, Map<AllocatorScript, String> sha, String worker, String leaseMs,
            String ticket, String waitMs) {
        return run(sync, sha, AllocatorScript.ALLOCATE, worker, leaseMs, "", ticket, waitMs, TOKEN, RETENTION_MS,
                "r", "vm");
    }

    private static String run(SyncRedis sync, Map<AllocatorScript, String> sha, AllocatorScript script, String... argv) {
        List<String> args = new ArrayList<>(List.of(sha.get(script), "1", PREFIX));
        args.addAll(List.of(argv));
        return String.valueOf(sync.call("EVALSHA", args.toArray(String[]::new)));
    }

    /** Commands run by Redis during the step, EVALSHA itself and the INFO/CONFIG of the measuring left out. */
    private static long commands(SyncRedis sync, Runnable step) {
        sync.call("CONFIG", "RESETSTAT");
        step.run();
        long calls = 0;
        for (String line : sync.call("INFO", "commandstats").toString().split("\r?\n")) {
            if (line.startsWith("cmdstat_") && !line.startsWith("cmdstat_evalsha:") && !line.startsWith("cmdstat_config:")) {
                int at = line.indexOf("calls=");
                calls += Long.parseLong(line.substring(at + 6, line.indexOf(',', at)));
            }
        }
        return calls;
    }
}

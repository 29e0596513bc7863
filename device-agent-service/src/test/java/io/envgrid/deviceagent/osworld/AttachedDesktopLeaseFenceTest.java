package io.envgrid.deviceagent.osworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The attached desktop ({@code desktops.count} 0) is never reset, and no lease channel message reaches it: a long call
 * admitted under a live lease is cut off by the lease check it repeats while it runs
 * ({@code desktop.lease-recheck-interval}, 1 s). Released in the allocator, the lease's running {@code /execute} and
 * {@code /run_bash_script} answer {@code 409 LEASE_NOT_LIVE} within a few intervals and their processes are gone.
 */
@QuarkusTest
@WithAllocator
class AttachedDesktopLeaseFenceTest {

    private static final String DESKTOP = RealAllocator.AGENT_ID + ":desktop";
    /** What the lease check may take: the release is seen at the next check, one interval away, plus a slow answer. */
    private static final Duration CUT_OFF_WITHIN = Duration.ofSeconds(6);

    @Test
    void aLongExecuteIsCutOffWhenItsLeaseIsReleased() throws Exception {
        String marker = "envgrid-fence-execute-" + System.nanoTime();
        cutOffAtRelease(marker, lease -> lease.call().contentType(ContentType.JSON)
                .body(Map.of("command", List.of("/bin/sh", "-c", "sleep 120", marker))).post("/execute"));
    }

    @Test
    void aLongBashScriptIsCutOffWhenItsLeaseIsReleased() throws Exception {
        String marker = "envgrid-fence-bash-" + System.nanoTime();
        cutOffAtRelease(marker, lease -> lease.call().contentType(ContentType.JSON)
                .body(Map.of("script", "sh -c 'sleep 120' " + marker, "timeout", 120)).post("/run_bash_script"));
    }

    private static void cutOffAtRelease(String marker, java.util.function.Function<Lease, Response> longCall)
            throws Exception {
        Conditions.await(() -> "free".equals(FleetLeases.state(DESKTOP)), DESKTOP + " free", Duration.ofSeconds(30));
        Lease lease = FleetLeases.allocate("worker-fenced");
        assertEquals(DESKTOP, lease.resourceId());
        CompletableFuture<Response> call = CompletableFuture.supplyAsync(() -> longCall.apply(lease));
        Conditions.await(() -> !pidsWith(marker).isEmpty(), "the long command running");

        FleetLeases.release(lease);
        long released = System.nanoTime();
        Response answer = call.get(CUT_OFF_WITHIN.toSeconds() + 30, TimeUnit.SECONDS);
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
        System.out.printf("lease fence: answered %d ms after the release: %d %s%n", millis, answer.statusCode(),
                answer.asString());
        assertEquals(409, answer.statusCode(), answer.asString());
        assertEquals("LEASE_NOT_LIVE", answer.path("error.code"), answer.asString());
        assertTrue(millis < CUT_OFF_WITHIN.toMillis(), "cut off " + millis + " ms after the release");
        Conditions.await(() -> pidsWith(marker).isEmpty(), "the command's processes gone");
    }

    /** Live processes whose command line holds {@code text}. */
    private static List<Long> pidsWith(String text) {
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            return all.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z' && new String(
                            Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).contains(text);
                } catch (IOException | RuntimeException gone) {
                    return false;
                }
            }).map(p -> Long.parseLong(p.getFileName().toString())).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}

package io.envgrid.deviceagent.computer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A {@code command} input runs a program on the host; it must see the worker's allow-listed environment, not the
 * agent's (the module's surefire configuration puts the service token and a decoy secret into this JVM's
 * environment (its digest), as the DaemonSet does). Found by a hostile review: the program printed the service token.
 */
class InputValuesTest {

    @Test
    void aCommandInputDoesNotSeeTheAgentsSecrets() {
        assertTrue(System.getenv().containsKey("ENVGRID_DEVICE_AGENT_SERVICE_TOKEN_SHA256"), "surefire sets the digest");
        McpServerInput probe = new McpServerInput.Command("probe", null, "/bin/sh", List.of("-c",
                "echo ${ENVGRID_DEVICE_AGENT_SERVICE_TOKEN_SHA256:-none}:${ENVGRID_TEST_DECOY_SECRET:-none}:${PATH:+path}"));
        InputValues values = new InputValues(List.of(probe), Map.of());
        assertEquals("none:none:path", values.render("${input:probe}"));
    }

    @Test
    void aCommandInputThatNeverEndsFailsAtItsTimeLimitAndLeavesNothingRunning() {
        // durations no other process uses mark this run's processes
        long seconds = 100_000 + System.nanoTime() % 100_000;
        // the background sleep holds stdout open: a read to the end would never return
        McpServerInput stuck = new McpServerInput.Command("stuck", null, "/bin/sh", List.of("-c",
                "sleep " + seconds + " & sleep " + (seconds + 1)));
        InputValues values = new InputValues(List.of(stuck), Map.of());
        long started = System.nanoTime();
        InputValues.InputException e = assertThrows(InputValues.InputException.class,
                () -> values.render("${input:stuck}"));
        assertTrue(e.getMessage().contains("did not finish"), e.getMessage());
        assertTrue(System.nanoTime() - started < java.time.Duration.ofSeconds(30).toNanos(), "the limit held");
        io.envgrid.deviceagent.support.Conditions.await(() -> ProcessHandle.allProcesses().noneMatch(p -> p.isAlive()
                && p.info().commandLine().map(l -> l.equals("/usr/bin/sleep " + seconds) || l.equals("/bin/sleep "
                        + seconds) || l.endsWith("sleep " + (seconds + 1))).orElse(false)),
                "the command's processes ended", java.time.Duration.ofSeconds(10));
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.support.Conditions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every process of a desktop's uid is dead when a reset goes on to its home (plain JUnit, as root, a real uid): ones
 * that fork as fast as they can and ones that left the session and process group they were started in. Nothing can
 * run later either: no cron or at is there to schedule a job with.
 */
class DesktopProcessesTest {

    /** None a test agent's desktops get (FleetDesktops.FIRST_UID up), so no running desktop is touched. */
    private static final int UID = 61992;

    @Test
    void processesThatForkFastOrLeftTheirSessionAreAllKilled() throws Exception {
        Path home = Path.of("target").toAbsolutePath();
        DesktopSpec spec = new DesktopSpec(0, "test:desktop-0", 1, UID, home, home);
        WorkerExec workers = new WorkerExec(UID, home);
        assumeTrue(workers.switchesUser(), "needs root: the processes run as another uid");
        // a loop forking as fast as it can (each child lives a second, so their number stays bounded), and a daemon in a
        // session of its own whose starter has exited
        List<Process> starters = List.of(
                start(workers, "while :; do /bin/sleep 1 & /bin/true; done"),
                start(workers, "setsid /bin/sh -c 'trap \"\" HUP TERM; exec /bin/sleep 300' </dev/null >/dev/null 2>&1 &"));
        try {
            Conditions.await(() -> processesOf(UID) > 20, "the worker's processes multiplying", Duration.ofSeconds(30));
            new DesktopProcesses(spec.uid(), workers, Optional::empty, Optional.empty()).killAll();
            assertEquals(0, processesOf(UID), "processes of the uid left after the kill");
        } finally {
            starters.forEach(Process::destroyForcibly);
        }
    }

    @Test
    void aWorkerHasNoCronOrAtToScheduleAJobThatOutlivesTheReset() {
        WorkerExec workers = new WorkerExec(UID, Path.of("target").toAbsolutePath());
        assumeTrue(workers.switchesUser(), "needs root: programs are looked for as the worker");
        for (String scheduler : List.of("crontab", "at", "batch", "atq")) {
            assertThrows(UncheckedIOException.class, () -> workers.command(List.of(scheduler)),
                    scheduler + " is available to workers: a job it schedules would run after the reset");
        }
    }

    private static Process start(WorkerExec workers, String script) throws IOException {
        return new ProcessBuilder(workers.command(List.of("/bin/sh", "-c", script)))
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    }

    /** Live (not zombie) processes of {@code uid}, from {@code /proc}. */
    private static long processesOf(int uid) {
        try (Stream<Path> all = Files.list(Path.of("/proc"))) {
            return all.filter(p -> p.getFileName().toString().matches("\\d+")).filter(p -> {
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    boolean zombie = stat.charAt(stat.lastIndexOf(')') + 2) == 'Z';
                    return !zombie && ((Number) Files.getAttribute(p, "unix:uid")).intValue() == uid;
                } catch (IOException | RuntimeException gone) {
                    return false;
                }
            }).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

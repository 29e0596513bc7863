package io.envgrid.deviceagent.osworld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.XServerProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The accessibility reader runs as the desktop's worker: any client of the display can set the root window's
 * {@code AT_SPI_BUS}, and pyatspi follows a {@code unixexec:} D-Bus address by running that program. Found by a hostile
 * review, which ran {@code id} as root this way; before the fix the file below said {@code 0}.
 */
class AccessibilityAsWorkerTest {

    private static final long WORKER_UID = 64_917;
    /** Debian's, which has pyatspi (the default of envgrid.device-agent.desktop.accessibility-python). */
    private static final String PYTHON = "/usr/bin/python3";

    @Test
    void aBusAddressPlantedOnTheDisplayRunsOnlyAsTheWorker(@TempDir Path dir) throws Exception {
        assumeTrue("root".equals(System.getProperty("user.name")),
                "only a root agent switches users");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path who = dir.resolve("who");
        WorkerExec worker = new WorkerExec(WORKER_UID, dir);
        try (XServerProcess x = XServerProcess.start()) {
            // what a worker can do from its own desktop: xprop -root -set AT_SPI_BUS … (D-Bus escapes: %20 space, %3e >)
            String address = "unixexec:path=/bin/sh,argv0=sh,argv1=-c,argv2=id%20-u%3e" + who;
            Process set = new ProcessBuilder("xprop", "-display", x.display(), "-root", "-f", "AT_SPI_BUS", "8s", "-set",
                    "AT_SPI_BUS", address).inheritIO().start();
            assertEquals(0, set.waitFor());

            AccessibilityTree.read(PYTHON, worker::command, worker.environment(Map.of("DISPLAY", x.display())),
                    Duration.ofSeconds(30), AccessibilityTree.loadScript(), "1280x800");

            Conditions.await(() -> Files.exists(who), "the planted bus program ran", Duration.ofSeconds(30));
            assertEquals(Long.toString(WORKER_UID), Files.readString(who).strip(), "it ran as the worker, not as the agent");
        }
    }
}

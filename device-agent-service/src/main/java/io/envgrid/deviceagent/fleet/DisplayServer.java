package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.x11.X11Exception;
import io.envgrid.deviceagent.x11.wire.X11Connection;
import io.envgrid.deviceagent.x11.wire.XAuthority;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One hosted desktop's X server (Xvfb, run by the agent, so the desktop's user cannot stop it) and its window manager
 * (run as the desktop's user). Every start makes a fresh MIT-MAGIC-COOKIE-1 in the desktop's own Xauthority file,
 * readable by the agent and that user only, and Xvfb admits no client without it: another desktop's user cannot
 * connect to this display, and a cookie a former worker copied stops working at the next reset.
 */
final class DisplayServer {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** How often a starting X server or window manager is looked at. */
    private static final long POLL_MS = 10;

    private final DesktopSpec spec;
    private final String geometry;
    private final List<String> windowManager;
    private final WorkerExec workers;
    private final Duration startTimeout;
    private Process xvfb;
    private Process wm;

    DisplayServer(DesktopSpec spec, String geometry, List<String> windowManager, WorkerExec workers,
            Duration startTimeout) {
        this.spec = spec;
        this.geometry = geometry;
        this.windowManager = windowManager;
        this.workers = workers;
        this.startTimeout = startTimeout;
    }

    /** Starts the X server with a new cookie and the window manager on it, and waits until both serve. */
    void start() throws ResetFailure {
        writeCookie();
        clearStaleLock();
        Path log = spec.runDir().resolve("xvfb.log");
        try {
            xvfb = new ProcessBuilder("Xvfb", spec.display(), "-screen", "0", geometry, "-nolisten", "tcp", "-noreset",
                    "-auth", spec.xauthority().toString())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new ResetFailure("cannot start Xvfb", e);
        }
        long deadline = System.nanoTime() + startTimeout.toNanos();
        while (!answers()) {
            if (!xvfb.isAlive()) {
                throw new ResetFailure("Xvfb " + spec.display() + " exited with " + xvfb.exitValue() + ": " + tail(log));
            }
            pause(deadline, "Xvfb " + spec.display() + " did not answer within " + startTimeout.toMillis() + " ms");
        }
        if (!windowManager.isEmpty()) {
            startWindowManager(deadline);
        }
    }

    /** Stops the window manager and the X server (its clients lose their connection). */
    void stop() {
        for (Process process : new Process[] {wm, xvfb}) {
            if (process != null && process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(2, TimeUnit.SECONDS)) {
                        process.destroyForcibly().waitFor(2, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    process.destroyForcibly();
                }
            }
        }
        wm = null;
        xvfb = null;
    }

    private void startWindowManager(long deadline) throws ResetFailure {
        Map<String, String> environment = workers.environment(Map.of("DISPLAY", spec.display(),
                "XAUTHORITY", spec.xauthority().toString()));
        try {
            ProcessBuilder builder = new ProcessBuilder(workers.command(windowManager))
                    .directory(spec.home().toFile()).redirectErrorStream(true)
                    .redirectOutput(spec.runDir().resolve("window-manager.log").toFile());
            builder.environment().clear();
            builder.environment().putAll(environment);
            wm = builder.start();
        } catch (IOException | java.io.UncheckedIOException e) {
            throw new ResetFailure("cannot start the window manager " + windowManager, e);
        }
        // EWMH: a window manager that has taken over the screen names its check window on the root
        List<String> query = List.of("xprop", "-display", spec.display(), "-root", "_NET_SUPPORTING_WM_CHECK");
        Map<String, String> agentSide = Map.of("XAUTHORITY", spec.xauthority().toString(), "PATH",
                System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        while (true) {
            ProcessOutcome check = HostProcesses.run(query, null, agentSide, Duration.ofSeconds(5));
            if (check.succeeded() && check.stdoutText().contains("window id")) {
                return;
            }
            if (!wm.isAlive()) {
                throw new ResetFailure("the window manager " + windowManager + " exited with " + wm.exitValue()
                        + ": " + tail(spec.runDir().resolve("window-manager.log")));
            }
            pause(deadline, "the window manager " + windowManager + " did not take the screen within "
                    + startTimeout.toMillis() + " ms");
        }
    }

    /** A new cookie in a new file, moved over the old one: a client reading it never sees half of it. */
    private void writeCookie() throws ResetFailure {
        byte[] cookie = new byte[16];
        RANDOM.nextBytes(cookie);
        try {
            Path fresh = Files.createTempFile(spec.runDir(), "Xauthority", ".new",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("r--------")));
            Files.write(fresh, XAuthority.wildEntry(spec.displayNumber(), cookie));
            workers.handOver(fresh); // the desktop's X clients read it as its user
            Files.move(fresh, spec.xauthority(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ResetFailure("cannot write the X cookie", e);
        }
    }

    /**
     * An X server that died leaves its lock file and socket, and a new one on that display refuses to start: both are
     * removed when the process the lock names is gone. A live one holding the display is a configuration fault
     * (another X server on this agent's display numbers), never to be taken over.
     */
    private void clearStaleLock() throws ResetFailure {
        Path lock = Path.of("/tmp/.X" + spec.displayNumber() + "-lock");
        try {
            if (Files.exists(lock, LinkOption.NOFOLLOW_LINKS)) {
                String pid = Files.readString(lock).strip();
                if (pid.matches("\\d{1,10}") && ProcessHandle.of(Long.parseLong(pid)).map(ProcessHandle::isAlive)
                        .orElse(false)) {
                    throw new ResetFailure("display " + spec.display() + " is taken by process " + pid
                            + ": choose other envgrid.device-agent.desktops.first-display numbers");
                }
                Files.delete(lock);
            }
            Path socket = Path.of("/tmp/.X11-unix/X" + spec.displayNumber());
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                Files.delete(socket);
            }
        } catch (IOException e) {
            throw new ResetFailure("cannot clear display " + spec.display() + "'s old lock", e);
        }
    }

    private boolean answers() {
        if (!Files.exists(Path.of("/tmp/.X11-unix/X" + spec.displayNumber()))) {
            return false;
        }
        try (X11Connection connection = X11Connection.open(spec.display(), Duration.ofSeconds(2), spec.xauthority())) {
            return connection != null;
        } catch (X11Exception e) {
            return false;
        }
    }

    private static void pause(long deadline, String failure) throws ResetFailure {
        if (System.nanoTime() > deadline) {
            throw new ResetFailure(failure);
        }
        try {
            Thread.sleep(POLL_MS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResetFailure("interrupted");
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = new ArrayList<>(Files.readAllLines(log));
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }
}

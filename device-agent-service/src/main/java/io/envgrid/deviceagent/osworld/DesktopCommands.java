package io.envgrid.deviceagent.osworld;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import io.envgrid.deviceagent.pyautogui.PyautoguiOutcome;
import io.envgrid.deviceagent.pyautogui.PyautoguiRunner;
import io.envgrid.deviceagent.x11.XDisplay;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Processes on the host's desktop, with OSWorld's request and answer shapes and its time limits. */
@ApplicationScoped
public class DesktopCommands {

    /** What the {@code /run_bash_script} wrapper prints on stderr when its user cannot enter the working directory. */
    private static final String NO_WORKING_DIR = "envgrid:no-working-dir";

    private final XDisplay display;
    private final PyautoguiRunner pyautogui;
    private final DeviceAgentConfig.Desktop config;
    private final WorkerExec workers;

    @jakarta.inject.Inject
    public DesktopCommands(XDisplay display, PyautoguiRunner pyautogui, DeviceAgentConfig config, WorkerExec workers) {
        this.workers = workers;
        this.display = display;
        this.pyautogui = pyautogui;
        this.config = config.desktop();
    }

    /** {@code /execute}: a list of arguments, or a string split like a shell unless {@code shell} is set. */
    public ExecuteAnswer execute(JsonNode body) {
        List<String> command = command(body);
        var code = shell(body) ? java.util.Optional.<String>empty() : PyautoguiRunner.pyautoguiCode(command);
        if (code.isPresent()) {
            return answer(pyautogui.run(code.get()));
        }
        try {
            return ExecuteAnswer.of(HostProcesses.run(workers.command(command), null,
                    workers.environment(display.environment()), config.executeTimeout()));
        } catch (UncheckedIOException e) {
            throw cannotRun(command, e.getCause());
        }
    }

    /** A pyautogui program's end in OSWorld's {@code /execute} shape: a refusal or interruption is exit code 1. */
    private static ExecuteAnswer answer(PyautoguiOutcome outcome) {
        if (outcome instanceof PyautoguiOutcome.RanByHostPython ran) {
            return ExecuteAnswer.of(ran.process());
        }
        if (outcome instanceof PyautoguiOutcome.Refused refused) {
            return new ExecuteAnswer("error", "", refused.reason(), 1);
        }
        if (outcome instanceof PyautoguiOutcome.Interrupted) {
            return new ExecuteAnswer("error", "", "interrupted", 1);
        }
        // pyautogui's silent skips are reported where Python would print a warning: on stderr, the answer's error
        List<String> warnings = ((PyautoguiOutcome.Performed) outcome).warnings();
        return new ExecuteAnswer("success", "", warnings.isEmpty() ? "" : String.join("\n", warnings) + "\n", 0);
    }

    /**
     * A program that cannot be started (not there, not executable, a NUL in an argument) is what the caller asked
     * for, not a fault of the host: 400 in OSWorld's shape.
     */
    private static DesktopException cannotRun(List<String> command, IOException e) {
        return new DesktopException(400, "cannot run " + command.get(0) + ": " + e.getMessage());
    }

    /** {@code /setup/launch}: starts the program and returns at once, leaving it running on the display. */
    public String launch(JsonNode body) {
        List<String> command = command(body);
        try {
            ProcessBuilder builder = new ProcessBuilder(workers.command(command)).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD);
            builder.environment().clear();
            builder.environment().putAll(workers.environment(display.environment()));
            builder.start();
        } catch (IOException e) {
            throw cannotRun(command, e);
        } catch (UncheckedIOException e) {
            throw cannotRun(command, e.getCause()); // no such program for the worker's user (WorkerExec)
        }
        return (shell(body) ? body.path("command").asText() : String.join(" ", command)) + " launched successfully";
    }

    /** {@code /run_python}: the code in a file run by the host's Python, with OSWorld's 30 s limit. */
    public Map<String, Object> runPython(String code) {
        WorkerExec.ScratchFile program = temporary(".py", code);
        Path file = program.agentPath();
        try {
            workers.handOver(file);
            ProcessOutcome outcome = HostProcesses.run(workers.command(List.of(config.python(), program.workerPath())), null,
                    workers.environment(display.environment()), config.pythonTimeout());
            Map<String, Object> answer = new LinkedHashMap<>();
            if (outcome.timedOut()) {
                answer.put("status", "error");
                answer.put("message", "Execution timeout: Code took too long to execute");
                answer.put("error", "TimeoutExpired");
                answer.put("need_more", false);
                answer.put("output", null);
                // the caller's code ran past its limit: 408 as for device commands, not a fault of the host
                throw new DesktopAnswer(408, answer);
            }
            String output = outcome.stdoutText();
            String error = outcome.stderr();
            if (outcome.exitCode() != 0 && error.isEmpty()) {
                error = "Process exited with code " + outcome.exitCode();
            }
            answer.put("status", outcome.exitCode() == 0 ? "success" : "error");
            answer.put("message", output.isEmpty() ? error : error.isEmpty() ? output : output + "\n" + error);
            answer.put("need_more", false);
            answer.put("output", output);
            answer.put("error", error);
            answer.put("return_code", outcome.exitCode());
            return answer;
        } catch (UncheckedIOException e) {
            throw new DesktopException(500, e.getMessage());
        } finally {
            deleteQuietly(file);
        }
    }

    /** {@code /run_bash_script}: stdout and stderr merged into {@code output}, {@code error} always empty (as OSWorld). */
    public Map<String, Object> runBashScript(String script, int timeoutSeconds, String workingDir) {
        Path dir = workingDir == null ? null : path(workingDir, "working_dir");
        WorkerExec.ScratchFile program = temporary(".sh", script.contains("#!/bin/bash") ? script : "#!/bin/bash\n\n" + script);
        Path file = program.agentPath();
        try {
            workers.handOver(file);
            // the working directory is entered by the worker's user, not set by the agent before the switch: the test
            // is that user's (no answer tells what exists where it may not look), and so is the way there
            ProcessOutcome outcome = HostProcesses.run(workers.command(List.of("/bin/bash", "-c",
                    "if [ -n \"$1\" ]; then cd -- \"$1\" 2>/dev/null || { echo " + NO_WORKING_DIR + " >&2; exit 1; }; fi; "
                            + "exec /bin/bash \"$0\" 2>&1", program.workerPath(), dir == null ? "" : dir.toString())), null,
                    workers.environment(display.environment()), Duration.ofSeconds(timeoutSeconds));
            if (outcome.stderr().strip().equals(NO_WORKING_DIR)) {
                // the script's own stderr goes to its output (2>&1), so only the cd can have written this
                throw new DesktopAnswer(400, bash("error", "Working directory does not exist: " + dir, -1));
            }
            if (outcome.timedOut()) {
                throw new DesktopAnswer(408, bash("error", "Script execution timed out after " + timeoutSeconds + " seconds", -1));
            }
            return bash(outcome.exitCode() == 0 ? "success" : "error", outcome.stdoutText(), outcome.exitCode());
        } finally {
            deleteQuietly(file);
        }
    }

    private static Map<String, Object> bash(String status, String output, int returncode) {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("status", status);
        answer.put("output", output);
        answer.put("error", "");
        answer.put("returncode", returncode);
        return answer;
    }

    private static boolean shell(JsonNode body) {
        JsonNode shell = body.path("shell");
        if (!shell.isMissingNode() && !shell.isNull() && !shell.isBoolean()) {
            throw new DesktopException(400, "'shell' must be true or false");
        }
        return shell.asBoolean(false);
    }

    /** The command as arguments: with {@code shell}, {@code sh -c <string>}; {@code ~/} expanded as OSWorld does. */
    List<String> command(JsonNode body) {
        JsonNode command = body.path("command");
        List<String> words = new ArrayList<>();
        if (shell(body)) {
            if (!command.isTextual() || command.asText().isBlank()) {
                throw new DesktopException(400, "'command' must be a string when shell is true");
            }
            return List.of("/bin/sh", "-c", command.asText());
        }
        if (command.isTextual()) {
            try {
                words.addAll(ShellWords.split(command.asText()));
            } catch (IllegalArgumentException e) {
                throw new DesktopException(400, e.getMessage());
            }
        } else if (command.isArray()) {
            for (JsonNode word : command) {
                if (!word.isTextual()) {
                    // asText() would turn {} into "" and null into "null" and run that
                    throw new DesktopException(400, "'command' must be a list of strings, not " + word.getNodeType());
                }
                words.add(word.asText());
            }
        }
        if (words.isEmpty()) {
            throw new DesktopException(400, "'command' must be a non-empty list or string");
        }
        words.replaceAll(this::expandHome);
        return words;
    }

    /**
     * A caller's path ({@code ~/} expanded) as a {@link Path}; one the file system cannot name (a NUL character) is
     * the caller's fault: 400 in OSWorld's shape.
     */
    Path path(String given, String field) {
        if (given.isBlank()) {
            // Path.of("") is the agent's own working directory, which no caller means (and a process cannot start in)
            throw new DesktopException(400, "'" + field + "' is empty");
        }
        try {
            return Path.of(expandHome(given));
        } catch (InvalidPathException e) {
            throw new DesktopException(400, "'" + field + "' is not a valid path: " + e.getReason());
        }
    }

    /**
     * {@code ~} and {@code ~/…} as the home of the user the desktop's commands run as (the desktop's worker home),
     * never the agent's (issue 11): a path a worker names must not lead into the agent's files.
     */
    String expandHome(String word) {
        return word.equals("~") ? workers.home() : word.startsWith("~/") ? workers.home() + word.substring(1) : word;
    }

    /** A file for the worker's command, where that command sees it (a hosted desktop's own {@code /tmp}). */
    private WorkerExec.ScratchFile temporary(String suffix, String content) {
        try {
            return workers.scratchFile(suffix, content);
        } catch (IOException e) {
            throw new DesktopException(500, "cannot write a temporary file: " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // a leftover temporary file is harmless
        }
    }
}

package io.envgrid.deviceagent.driver;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.process.HostProcesses;
import io.envgrid.deviceagent.process.ProcessOutcome;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Runs device commands (the shell, {@code adb}) with the device tools' command timeout and error codes. */
@ApplicationScoped
public class CommandRunner {

    /** Device command output beyond this is cut off (the tools' answers are JSON documents). */
    static final int MAX_CAPTURED_BYTES = 1 << 20;

    private final DeviceAgentConfig config;

    public CommandRunner(DeviceAgentConfig config) {
        this.config = config;
    }

    public CommandResult run(List<String> command, Path workingDirectory) {
        ProcessOutcome outcome;
        try {
            outcome = HostProcesses.run(command, workingDirectory, Map.of(), config.commandTimeout());
        } catch (UncheckedIOException e) {
            throw new ApiException(500, ErrorCode.COMMAND_EXECUTION_FAILED, e.getMessage(), Map.of());
        }
        if (outcome.timedOut()) {
            throw new ApiException(408, ErrorCode.COMMAND_EXECUTION_FAILED,
                    "command did not finish within " + config.commandTimeout().toSeconds() + " s",
                    Map.of("timeout_seconds", config.commandTimeout().toSeconds()));
        }
        byte[] out = outcome.stdout();
        String stdout = new String(Arrays.copyOf(out, Math.min(out.length, MAX_CAPTURED_BYTES)), StandardCharsets.UTF_8);
        String stderr = outcome.stderr().length() > MAX_CAPTURED_BYTES ? outcome.stderr().substring(0, MAX_CAPTURED_BYTES)
                : outcome.stderr();
        return new CommandResult(outcome.exitCode(), stdout, stderr);
    }
}

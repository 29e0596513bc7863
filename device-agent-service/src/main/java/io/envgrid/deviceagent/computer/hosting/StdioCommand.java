package io.envgrid.deviceagent.computer.hosting;

import io.envgrid.deviceagent.computer.config.InputValues;
import io.envgrid.deviceagent.computer.config.StdioParameters;
import io.envgrid.deviceagent.exec.WorkerEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The process a {@code stdio} server config describes, and what such a config may hold.
 *
 * <ul>
 *   <li>{@code command} is an executable and nothing else: a path (relative ones against {@code cwd}) or a name looked
 *       up in the server's {@code PATH}; never a shell line, never a wrapper's syntax. A name holding {@code =}
 *       ({@code NAME=value} is an assignment to {@code env(1)}) or starting with {@code -} (an option to whatever
 *       would read it) is refused, as are control characters.</li>
 *   <li>The argument vector is public: {@code /proc/<pid>/cmdline} (what {@code ps} shows) is readable by every
 *       local user. So {@code ${input:…}} may not appear in {@code command} or {@code args}; an input reaches its
 *       server only through the environment, which only the server's own user (and root) can read. The reference
 *       allows placeholders in args; envgrid refuses such a config (400) rather than put a secret on the process
 *       table.</li>
 *   <li>The environment is the agent's, filtered by {@link WorkerEnvironment} (no {@code ENVGRID_*}, no
 *       {@code *TOKEN*}, no other server's {@code A2C_SMCP_*} input), with the config's rendered {@code env} on top;
 *       the working directory is the rendered {@code cwd}.</li>
 * </ul>
 */
record StdioCommand(List<String> argv, Map<String, String> environment, Path directory) {

    private static final String PLACEHOLDER = "${input:";

    /**
     * @throws IllegalArgumentException naming what a config holds that cannot be run safely
     */
    static void check(StdioParameters p) {
        String command = p.command();
        require(command != null && !command.isBlank(), "server_parameters.command is required for a stdio server");
        require(!command.contains(PLACEHOLDER), "server_parameters.command may not hold ${input:…}: the command line"
                + " is readable by every local user; pass inputs through env");
        require(!command.contains("="), "server_parameters.command is an executable, not an assignment: '='"
                + " is not allowed (put variables in env)");
        require(!command.startsWith("-"), "server_parameters.command may not start with '-'");
        require(command.chars().noneMatch(Character::isISOControl),
                "server_parameters.command may not hold control characters");
        if (p.args() != null) {
            for (String arg : p.args()) {
                require(arg != null, "server_parameters.args may not hold null");
                require(!arg.contains(PLACEHOLDER), "server_parameters.args may not hold ${input:…}: arguments are"
                        + " readable by every local user (ps, /proc/<pid>/cmdline); pass inputs through env");
                require(arg.indexOf('\0') < 0, "server_parameters.args may not hold NUL characters");
            }
        }
    }

    /**
     * The process of {@code p} with its inputs rendered now.
     *
     * @throws IllegalArgumentException when the command is not an executable file
     * @throws InputValues.InputException when an input has no value
     */
    static StdioCommand of(StdioParameters p, InputValues inputs, Map<String, String> agentEnvironment) {
        check(p);
        Map<String, String> env = new TreeMap<>(WorkerEnvironment.scrub(agentEnvironment));
        env.putAll(inputs.render(p.env()));
        String cwd = inputs.render(p.cwd());
        Path directory = cwd == null ? null : Path.of(cwd);
        List<String> argv = new ArrayList<>();
        argv.add(executable(p.command(), env.get("PATH"), directory).toString());
        if (p.args() != null) {
            argv.addAll(p.args());
        }
        return new StdioCommand(List.copyOf(argv), Map.copyOf(env), directory);
    }

    /** {@code command} as the executable file it names, the way {@code execvp} finds it but without a shell. */
    static Path executable(String command, String path, Path directory) {
        if (command.contains("/")) {
            Path file = Path.of(command);
            Path resolved = (file.isAbsolute() || directory == null ? file.toAbsolutePath() : directory.resolve(file))
                    .normalize();
            require(Files.isRegularFile(resolved) && Files.isExecutable(resolved),
                    "command '" + command + "' is not an executable file");
            return resolved;
        }
        if (path != null) {
            for (String dir : path.split(":")) {
                if (dir.isEmpty()) {
                    continue; // an empty entry means "the current directory", which no server config chose
                }
                Path candidate = Path.of(dir).resolve(command);
                if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                    return candidate.toAbsolutePath();
                }
            }
        }
        throw new IllegalArgumentException("command '" + command + "' is not found on the server's PATH");
    }

    private static void require(boolean condition, String message) {
        if (!condition) {
            throw new IllegalArgumentException(message);
        }
    }
}

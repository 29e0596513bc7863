package io.envgrid.deviceagent.computer.hosting;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.computer.config.InputValues;
import io.envgrid.deviceagent.computer.config.McpServerInput;
import io.envgrid.deviceagent.computer.config.StdioParameters;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A stdio server's {@code command} is an executable and nothing else (no {@code env(1)} assignment, no option, no
 * shell), inputs reach it only through its environment (never the world-readable argument vector), and the agent's own
 * variables stay out of it.
 */
class StdioCommandTest {

    private static final Map<String, String> AGENT = Map.of("PATH", "/usr/bin:/bin", "HOME", "/root",
            "ENVGRID_DEVICE_AGENT_SERVICE_TOKEN", "svc-token", "GITHUB_TOKEN", "gh-token",
            "A2C_SMCP_OTHER", "another-servers-input", "LC_ALL", "C.UTF-8");

    private static StdioParameters stdio(String command, List<String> args, Map<String, String> env, String cwd) {
        return new StdioParameters(command, args, env, cwd, null, null);
    }

    private static InputValues inputs() {
        return new InputValues(List.of(new McpServerInput.PromptString("key", "an API key", "s3cret", true)),
                Map.of());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"FOO=bar", "PATH=/tmp", "A=1 /bin/sh", "-i", "--split-string=sh", "-", "/bin/sh\n",
        "sh\u0000x", "${input:key}", "/opt/${input:key}/srv", " ", ""})
    void aCommandThatIsNoExecutableNameIsRefused(String command) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> StdioCommand.check(stdio(command, List.of(), null, null)));
        assertTrue(e.getMessage().startsWith("server_parameters.command"), e.getMessage());
    }

    @Test
    void anInputInTheArgumentsIsRefusedButInTheEnvironmentIsRendered() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StdioCommand.check(
                stdio("/bin/sh", List.of("-c", "srv --key=${input:key}"), null, null)));
        assertTrue(e.getMessage().contains("pass inputs through env"), e.getMessage());

        StdioCommand command = StdioCommand.of(stdio("sh", List.of("-c", "srv"), Map.of("API_KEY", "${input:key}"),
                null), inputs(), AGENT);
        assertEquals("s3cret", command.environment().get("API_KEY"));
        assertFalse(String.join(" ", command.argv()).contains("s3cret"));
    }

    @Test
    void theCommandIsResolvedToAnExecutableWithoutAShell(@TempDir Path dir) throws Exception {
        assertEquals(List.of("/bin/sh", "-c", "true"), argvOf("/bin/sh"));
        assertTrue(argvOf("sh").get(0).matches("/(usr/)?bin/sh"), argvOf("sh").toString());
        assertThrows(IllegalArgumentException.class, () -> argvOf("no-such-program-envgrid"));
        Path data = Files.writeString(dir.resolve("data"), "not a program");
        assertThrows(IllegalArgumentException.class, () -> argvOf(data.toString()), "not executable");

        Path tool = Files.createFile(dir.resolve("tool"), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        StdioCommand relative = StdioCommand.of(stdio("./tool", null, null, dir.toString()), inputs(), AGENT);
        assertEquals(tool.toString(), relative.argv().get(0), "a relative path is taken from cwd");
        assertEquals(dir, relative.directory());
        // a bare name is looked up in PATH only, never in the working directory
        assertThrows(IllegalArgumentException.class,
                () -> StdioCommand.of(stdio("tool", null, null, dir.toString()), inputs(), AGENT));
    }

    @Test
    void theAgentsOwnVariablesStayOut() {
        Map<String, String> env = StdioCommand.of(stdio("/bin/sh", null, Map.of("EXTRA", "1"), null), inputs(),
                AGENT).environment();
        assertEquals(Map.of("PATH", "/usr/bin:/bin", "HOME", "/root", "LC_ALL", "C.UTF-8", "EXTRA", "1"), env);
    }

    private static List<String> argvOf(String command) {
        return StdioCommand.of(stdio(command, List.of("-c", "true"), null, null), inputs(), AGENT).argv();
    }
}

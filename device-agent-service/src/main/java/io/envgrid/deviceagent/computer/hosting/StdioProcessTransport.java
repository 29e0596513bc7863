package io.envgrid.deviceagent.computer.hosting;

import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.TypeRef;
import io.modelcontextprotocol.spec.McpClientTransport;
import io.modelcontextprotocol.spec.McpSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.jboss.logging.Logger;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * MCP's stdio transport (newline-delimited JSON-RPC on the server's stdin/stdout, MCP 2025-06-18 "Transports") over a
 * process {@link ServerProcesses} started. It stands in for the SDK's {@code StdioClientTransport}, which starts the
 * process itself: with the agent's whole environment under it, no working directory, only the direct child killed on
 * close (so {@code npx}'s node survived), and no way for the Computer to refuse a start once shutdown began. Here the
 * process, its environment and its group are the Computer's; the JSON-RPC framing is the SDK's
 * ({@link McpSchema#deserializeJsonRpcMessage}).
 */
final class StdioProcessTransport implements McpClientTransport {

    private static final Logger LOG = Logger.getLogger(StdioProcessTransport.class);
    /** How long a server has to exit on SIGTERM before it is SIGKILLed. */
    static final Duration GRACE = Duration.ofSeconds(2);

    private final String name;
    private final StdioCommand command;
    private final ServerProcesses processes;
    private final McpJsonMapper json;
    /** One writer thread: messages reach the server in the order they were sent. */
    private final ExecutorService writer;
    private final Scheduler writes;
    /** The started process; messages sent before it is up wait for it on the writer thread. */
    private final CompletableFuture<ServerProcesses.Started> started = new CompletableFuture<>();

    StdioProcessTransport(String name, StdioCommand command, ServerProcesses processes, McpJsonMapper json) {
        this.name = name;
        this.command = command;
        this.processes = processes;
        this.json = json;
        this.writer = Executors.newSingleThreadExecutor(r -> daemon(r, "mcp-stdin-" + name));
        this.writes = Schedulers.fromExecutorService(writer);
    }

    @Override
    public Mono<Void> connect(Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        return Mono.<Void>fromRunnable(() -> {
            ServerProcesses.Started s;
            try {
                s = processes.start(command);
            } catch (IOException | RuntimeException e) {
                started.completeExceptionally(e);
                throw new IllegalStateException("cannot start '" + command.argv().get(0) + "': " + e.getMessage(), e);
            }
            if (!started.complete(s)) {
                processes.end(s.group(), GRACE); // closed while starting
                return;
            }
            daemon(() -> read(s.process(), handler), "mcp-stdout-" + name).start();
            daemon(() -> drainErrors(s.process()), "mcp-stderr-" + name).start();
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private void read(Process process, Function<Mono<McpSchema.JSONRPCMessage>, Mono<McpSchema.JSONRPCMessage>> handler) {
        try (BufferedReader in = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                McpSchema.JSONRPCMessage message;
                try {
                    message = McpSchema.deserializeJsonRpcMessage(json, line);
                } catch (IOException | IllegalArgumentException e) {
                    LOG.debugf("MCP server '%s' wrote a line that is no JSON-RPC message: %s", name, e.getMessage());
                    continue;
                }
                handler.apply(Mono.just(message)).subscribe(null,
                        e -> LOG.debugf("MCP server '%s': handling a message failed: %s", name, e.getMessage()));
            }
        } catch (IOException e) {
            LOG.debugf("MCP server '%s': stdout closed: %s", name, e.getMessage());
        }
    }

    private void drainErrors(Process process) {
        try (BufferedReader err = new BufferedReader(
                new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = err.readLine()) != null) {
                LOG.debugf("MCP server '%s' stderr: %s", name, line);
            }
        } catch (IOException e) {
            LOG.tracef("MCP server '%s': stderr closed", name);
        }
    }

    @Override
    public Mono<Void> sendMessage(McpSchema.JSONRPCMessage message) {
        return Mono.<Void>fromRunnable(() -> {
            // the SDK sends initialize as soon as it subscribed to connect, which may not have run yet
            ServerProcesses.Started s = started.join();
            try {
                byte[] line = (json.writeValueAsString(message) + "\n").getBytes(StandardCharsets.UTF_8);
                OutputStream in = s.process().getOutputStream();
                in.write(line);
                in.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("MCP server '" + name + "' does not read its input", e);
            }
        }).subscribeOn(writes);
    }

    /** Waits for the server process to exit (for the crash watch); returns at once when it never started. */
    void awaitExit() throws InterruptedException {
        ServerProcesses.Started s = started.getNow(null);
        if (s != null) {
            s.process().waitFor();
        }
    }

    /** Ends the server's whole process group and waits until it is gone. */
    @Override
    public void close() {
        started.completeExceptionally(new IllegalStateException("MCP server '" + name + "' is closed"));
        ServerProcesses.Started s = started.isCompletedExceptionally() ? null : started.join();
        if (s != null) {
            try {
                s.process().getOutputStream().close();
            } catch (IOException e) {
                LOG.tracef("MCP server '%s': stdin already closed", name);
            }
            processes.end(s.group(), GRACE);
        }
        writer.shutdownNow();
    }

    @Override
    public Mono<Void> closeGracefully() {
        return Mono.<Void>fromRunnable(this::close).subscribeOn(Schedulers.boundedElastic());
    }

    @Override
    public <T> T unmarshalFrom(Object data, TypeRef<T> typeRef) {
        return json.convertValue(data, typeRef);
    }

    private static Thread daemon(Runnable r, String threadName) {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
    }
}

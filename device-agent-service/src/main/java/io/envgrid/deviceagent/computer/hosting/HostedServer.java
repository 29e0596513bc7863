package io.envgrid.deviceagent.computer.hosting;

import io.envgrid.deviceagent.computer.config.InputValues;
import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.modelcontextprotocol.client.McpAsyncClient;
import io.modelcontextprotocol.client.McpClient;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;
import reactor.core.publisher.Mono;

/**
 * One hosted MCP server and its connection through the MCP Java SDK client. Starting renders the config's inputs,
 * opens the transport, runs MCP {@code initialize} and lists the tools. A start that fails, and a stdio process that
 * exits while running, lead to another start after a back-off that doubles from {@code restart-backoff} up to
 * {@code restart-backoff-max} and resets once a start succeeds; none of it runs on a caller's thread and none of it
 * can stop the agent. {@link #stop()} ends it for good.
 */
final class HostedServer {

    private static final Logger LOG = Logger.getLogger(HostedServer.class);

    /** What the server is doing now. */
    enum State { STARTING, RUNNING, WAITING_TO_RESTART, STOPPED }

    /** A live connection: the SDK client, its transport and the tools it listed. */
    record Connection(McpAsyncClient client, CancellableTransport transport, List<McpSchema.Tool> tools) {
    }

    /** Told when the server's tools change and when a connection ends (with the connection that ended). */
    interface Listener {
        void toolsChanged(HostedServer server);

        void connectionEnded(HostedServer server, Connection ended);

        void resourcesChanged(HostedServer server);

        /** The server sent {@code notifications/progress} for a call ({@code progressToken}: the call's key). */
        void progress(McpSchema.ProgressNotification progress);
    }

    private final String bundleId;
    private final McpServerConfig config;
    private final Supplier<InputValues> inputs;
    private final McpJsonMapper json;
    private final ScheduledExecutorService scheduler;
    private final Listener listener;
    private final HostingSettings settings;
    private final ServerProcesses processes;

    private Connection connection;
    private State state = State.STARTING;
    private int failures;
    private int starts;
    private String lastError;

    HostedServer(String bundleId, McpServerConfig config, Supplier<InputValues> inputs, McpJsonMapper json,
            ScheduledExecutorService scheduler, HostingSettings settings, ServerProcesses processes,
            Listener listener) {
        this.bundleId = bundleId;
        this.config = config;
        this.inputs = inputs;
        this.json = json;
        this.scheduler = scheduler;
        this.settings = settings;
        this.processes = processes;
        this.listener = listener;
    }

    String bundleId() {
        return bundleId;
    }

    McpServerConfig config() {
        return config;
    }

    /** Begins the first start on the scheduler; none once the agent is shutting down. */
    void start() {
        try {
            scheduler.execute(this::connect);
        } catch (RejectedExecutionException e) {
            shutDown();
        }
    }

    synchronized Connection connection() {
        return connection;
    }

    /** {@code state}, {@code starts}, {@code last_error}, {@code tools} (count) for the REST status. */
    synchronized ServerStatus status() {
        return new ServerStatus(bundleId, config.serverParameters().typeName(), state.name().toLowerCase(), starts,
                lastError, connection == null ? 0 : connection.tools().size());
    }

    /** Stops the server for good; its process ends, its calls fail. */
    void stop() {
        Connection ended;
        synchronized (this) {
            state = State.STOPPED;
            ended = connection;
            connection = null;
        }
        if (ended != null) {
            close(ended);
            listener.connectionEnded(this, ended);
        }
    }

    private void connect() {
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.STARTING;
            starts++;
        }
        Connection opened = null;
        try {
            opened = open();
        } catch (RuntimeException e) {
            // the SDK may wrap the refusal of a start during shutdown: asking the processes is what is sure
            if (processes.closed()) {
                shutDown();
            } else {
                failed(e);
            }
            return;
        }
        boolean keep;
        synchronized (this) {
            keep = state != State.STOPPED;
            if (keep) {
                connection = opened;
                state = State.RUNNING;
                failures = 0;
                lastError = null;
            }
        }
        if (!keep) {
            close(opened);
            return;
        }
        LOG.infof("MCP server '%s' running with %d tools", bundleId, opened.tools().size());
        listener.toolsChanged(this);
        watchExit(opened);
    }

    private Connection open() {
        CancellableTransport transport = new CancellableTransport(Transports.of(config, inputs.get(), json, processes));
        Duration requestTimeout = Transports.requestTimeout(config, settings.requestTimeout());
        McpAsyncClient[] self = new McpAsyncClient[1];
        McpAsyncClient client = McpClient.async(transport)
                .clientInfo(new McpSchema.Implementation("envgrid-computer", "1.0.0"))
                .requestTimeout(requestTimeout)
                .initializationTimeout(settings.startTimeout())
                .toolsChangeConsumer(tools -> Mono.fromRunnable(() -> toolsListed(self[0], tools)))
                .resourcesChangeConsumer(resources -> Mono.fromRunnable(() -> listener.resourcesChanged(this)))
                .progressConsumer(progress -> Mono.fromRunnable(() -> listener.progress(progress)))
                .build();
        self[0] = client;
        try {
            client.initialize().block(settings.startTimeout());
            return new Connection(client, transport, listTools(client));
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    private List<McpSchema.Tool> listTools(McpAsyncClient client) {
        List<McpSchema.Tool> tools = new ArrayList<>();
        String cursor = null;
        do {
            McpSchema.ListToolsResult page = client.listTools(cursor).block(settings.startTimeout());
            tools.addAll(page.tools());
            cursor = page.nextCursor();
        } while (cursor != null);
        return List.copyOf(tools);
    }

    /** {@code notifications/tools/list_changed}: the SDK re-listed the tools. */
    private void toolsListed(McpAsyncClient client, List<McpSchema.Tool> tools) {
        synchronized (this) {
            if (connection == null || connection.client() != client) {
                return;
            }
            connection = new Connection(client, connection.transport(), List.copyOf(tools));
        }
        listener.toolsChanged(this);
    }

    /** A stdio server's process exiting while it is the live connection is a crash. */
    private void watchExit(Connection opened) {
        if (!(opened.transport().delegate() instanceof StdioProcessTransport stdio)) {
            return;
        }
        Thread watcher = new Thread(() -> {
            try {
                stdio.awaitExit();
            } catch (InterruptedException e) {
                return; // only the JVM's end interrupts this daemon thread
            }
            crashed(opened);
        }, "mcp-exit-" + bundleId);
        watcher.setDaemon(true);
        watcher.start();
    }

    private void crashed(Connection opened) {
        if (processes.closed()) {
            return; // ended by the agent's shutdown, which stops every server itself
        }
        synchronized (this) {
            // by client: a re-listing of the tools replaces the Connection record, not the connection
            if (connection == null || connection.client() != opened.client()) {
                return;
            }
            connection = null;
            lastError = "process exited";
        }
        LOG.warnf("MCP server '%s' exited; restarting", bundleId);
        close(opened);
        listener.connectionEnded(this, opened);
        listener.toolsChanged(this);
        scheduleRetry();
    }

    private void failed(RuntimeException e) {
        synchronized (this) {
            lastError = String.valueOf(e.getMessage());
        }
        LOG.warnf("MCP server '%s' did not start: %s", bundleId, e.getMessage());
        scheduleRetry();
    }

    private void scheduleRetry() {
        long delay;
        synchronized (this) {
            if (state == State.STOPPED) {
                return;
            }
            state = State.WAITING_TO_RESTART;
            long base = settings.restartBackoff().toMillis();
            delay = Math.min(settings.restartBackoffMax().toMillis(), base << Math.min(failures, 20));
            failures++;
        }
        try {
            scheduler.schedule(this::connect, delay, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            shutDown();
        }
    }

    /** The agent is shutting down: this server is not started (again). */
    private void shutDown() {
        synchronized (this) {
            state = State.STOPPED;
            lastError = "the agent is shutting down";
        }
    }

    private static void close(Connection c) {
        // close(), not closeGracefully(): a stdio server gets its stdin closed and then the signal at once
        c.client().close();
    }

    /**
     * Runs {@code tools/call} with {@code callKey} in its {@code _meta}, so that it can be cancelled, and, when
     * {@code progress} is asked for, as its {@code progressToken} too (MCP: the server may then send
     * {@code notifications/progress} naming it; they reach {@link Listener#progress}).
     */
    static CompletableFuture<McpSchema.CallToolResult> call(Connection c, String tool, Map<String, Object> args,
            String callKey, boolean progress) {
        Map<String, Object> meta = progress ? Map.of(CancellableTransport.CALL_KEY, callKey, "progressToken", callKey)
                : Map.of(CancellableTransport.CALL_KEY, callKey);
        return c.client().callTool(new McpSchema.CallToolRequest(tool, args, meta)).toFuture();
    }
}

package io.envgrid.deviceagent.computer.hosting;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.computer.config.BundleIds;
import io.envgrid.deviceagent.computer.config.ComputerConfig;
import io.envgrid.deviceagent.computer.config.ComputerSetup;
import io.envgrid.deviceagent.computer.config.InputValues;
import io.envgrid.deviceagent.computer.config.McpServerConfig;
import io.envgrid.deviceagent.computer.config.McpServerInput;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.jackson2.JacksonMcpJsonMapper;
import io.modelcontextprotocol.spec.McpSchema;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The MCP servers this Computer hosts, in configuration order, and the one path of a tool call to them. Servers are
 * added, replaced, removed and restarted at run time; each change fires a {@link ComputerChange} (the signalling
 * client tells the office). A call names the exposed tool, has a timeout and a key by which it can be cancelled;
 * timing out and cancelling both send MCP {@code notifications/cancelled} to the server.
 */
@ApplicationScoped
public class McpServerHost {

    private static final Logger LOG = Logger.getLogger(McpServerHost.class);
    /**
     * The SDK's limit for one request where the config names none: far above any call's own deadline, which
     * {@link #call} enforces with a cancellation (the SDK's own expiry would only drop the answer).
     */
    private static final Duration SDK_REQUEST_TIMEOUT = Duration.ofHours(24);

    private final ComputerConfig settings;
    private final ObjectMapper mapper;
    private final Event<ComputerChange> changes;
    private final McpJsonMapper json = new JacksonMcpJsonMapper(new ObjectMapper());
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, r -> {
        Thread t = new Thread(r, "mcp-host");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, HostedServer> servers = new LinkedHashMap<>();
    private final Map<String, McpServerConfig> disabled = new LinkedHashMap<>();
    private final Map<String, InFlight> calls = new ConcurrentHashMap<>();
    private final ServerProcesses processes = new ServerProcesses();
    private volatile List<McpServerInput> inputs = List.of();

    /** A call waiting for its server. */
    private record InFlight(HostedServer server, HostedServer.Connection connection,
            CompletableFuture<CallOutcome> outcome, ScheduledFuture<?> deadline, CallProgress progress) {
    }

    public McpServerHost(ComputerConfig settings, ObjectMapper mapper, Event<ComputerChange> changes) {
        this.settings = settings;
        this.mapper = mapper;
        this.changes = changes;
    }

    void onStart(@Observes StartupEvent event) {
        settings.configFile().ifPresent(file -> {
            try {
                ComputerSetup setup = mapper.readValue(Files.readAllBytes(file), ComputerSetup.class);
                replaceInputs(setup.inputs());
                for (McpServerConfig server : setup.servers()) {
                    String id = BundleIds.of(server);
                    if (contains(id)) {
                        LOG.warnf("bundle id '%s' appears twice in %s: only the first is hosted", id, file);
                        continue;
                    }
                    put(id, server);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the Computer config " + file, e);
            }
        });
    }

    /**
     * Ends every hosted server. The stdio processes go first and for good: from here on no process is started, and
     * every one started before is ended with its whole process group, whatever start is racing this.
     */
    void onStop(@Observes ShutdownEvent event) {
        processes.shutdown(StdioProcessTransport.GRACE);
        List<HostedServer> all;
        synchronized (this) {
            all = new ArrayList<>(servers.values());
            servers.clear();
        }
        all.forEach(HostedServer::stop);
        scheduler.shutdownNow();
    }

    /** Whether a server with this bundle id is configured (running or not, disabled or not). */
    public synchronized boolean contains(String bundleId) {
        return servers.containsKey(bundleId) || disabled.containsKey(bundleId);
    }

    /**
     * Hosts {@code config} as {@code bundleId}, replacing (stopping) a server of that id. A disabled server is kept in
     * the config only.
     *
     * @throws IllegalArgumentException when the config cannot be hosted (see {@link ServerConfigCheck})
     */
    public void put(String bundleId, McpServerConfig config) {
        McpServerConfig stored = ServerConfigCheck.check(bundleId, config);
        HostedServer old;
        HostedServer started = null;
        synchronized (this) {
            old = servers.remove(bundleId);
            disabled.remove(bundleId);
            if (stored.disabled()) {
                disabled.put(bundleId, stored);
            } else {
                started = new HostedServer(bundleId, stored, this::inputValues, json, scheduler, hostingSettings(),
                        processes, new Changes());
                servers.put(bundleId, started);
            }
        }
        if (old != null) {
            old.stop();
        }
        if (started != null) {
            started.start();
        }
        changes.fire(ComputerChange.CONFIG);
        changes.fire(ComputerChange.TOOLS);
    }

    /** Stops and forgets a server; false when there is none of that id. */
    public boolean remove(String bundleId) {
        HostedServer old;
        boolean wasDisabled;
        synchronized (this) {
            old = servers.remove(bundleId);
            wasDisabled = disabled.remove(bundleId) != null;
        }
        if (old == null && !wasDisabled) {
            return false;
        }
        if (old != null) {
            old.stop();
        }
        changes.fire(ComputerChange.CONFIG);
        changes.fire(ComputerChange.TOOLS);
        return true;
    }

    /** Starts a server afresh (new process or connection, inputs rendered again); false when there is none. */
    public boolean restart(String bundleId) {
        McpServerConfig config;
        synchronized (this) {
            HostedServer old = servers.get(bundleId);
            if (old == null) {
                return disabled.containsKey(bundleId);
            }
            config = old.config();
        }
        put(bundleId, config);
        return true;
    }

    /** Replaces the inputs; servers see the new values at their next start. */
    public void replaceInputs(List<McpServerInput> newInputs) {
        inputs = List.copyOf(newInputs);
        changes.fire(ComputerChange.CONFIG);
    }

    /**
     * The config as it may leave the host (A2C-SMCP {@code GetComputerConfigRet}): {@code inputs} with password
     * defaults masked, {@code servers} keyed by bundle id with placeholders as written and every literal
     * {@code env}/{@code headers} value and URL credential masked ({@link McpServerConfig#redacted()}).
     */
    public synchronized Map<String, Object> publicConfig() {
        Map<String, Object> byId = new LinkedHashMap<>();
        servers.forEach((id, s) -> byId.put(id, s.config().redacted()));
        disabled.forEach((id, c) -> byId.put(id, c.redacted()));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("inputs", inputs.stream().map(McpServerInput::redacted).toList());
        out.put("servers", byId);
        return out;
    }

    /** Every hosted server's status, disabled ones included. */
    public synchronized List<ServerStatus> statuses() {
        List<ServerStatus> out = new ArrayList<>();
        servers.values().forEach(s -> out.add(s.status()));
        disabled.keySet().forEach(id -> out.add(new ServerStatus(id, null, "disabled", 0, null, 0)));
        return out;
    }

    /** The exposed tools of every running server, in configuration order. */
    public List<ExposedTool> tools() {
        List<ExposedTool> out = new ArrayList<>();
        for (HostedServer s : hostedServers()) {
            HostedServer.Connection c = s.connection();
            if (c != null) {
                out.addAll(ToolExposure.expose(s.bundleId(), s.config(), c.tools()));
            }
        }
        return out;
    }

    /**
     * One page of a server's MCP resources (A2C-SMCP {@code client:get_resources}): {@code {resources, next_cursor}}.
     *
     * @throws ProtocolError 4014 when no server of that bundle id runs, 4015 when it has no resources
     */
    public Map<String, Object> resources(String bundleId, String cursor) {
        HostedServer.Connection c = runningConnection(bundleId);
        if (c.client().getServerCapabilities() == null || c.client().getServerCapabilities().resources() == null) {
            throw new ProtocolError(4015, "MCP server '" + bundleId + "' has no resources",
                    Map.of("mcp_server", bundleId));
        }
        McpSchema.ListResourcesResult page = c.client().listResources(cursor).block(settings.startTimeout());
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("resources", mapper.convertValue(page.resources(), List.class));
        out.put("next_cursor", page.nextCursor());
        return out;
    }

    /**
     * The desktop (A2C-SMCP {@code client:get_desktop}): the text of every {@code window://} resource of the running
     * servers, in configuration order, at most {@code size} of them, only {@code window} when named.
     */
    public List<String> desktops(Integer size, String window) {
        List<String> out = new ArrayList<>();
        for (HostedServer s : hostedServers()) {
            HostedServer.Connection c = s.connection();
            if (c == null || c.client().getServerCapabilities() == null
                    || c.client().getServerCapabilities().resources() == null) {
                continue;
            }
            for (McpSchema.Resource r : c.client().listResources().block(settings.startTimeout()).resources()) {
                if (!r.uri().startsWith("window://") || (window != null && !window.equals(r.uri()))) {
                    continue;
                }
                if (size != null && out.size() >= size) {
                    return out;
                }
                StringBuilder text = new StringBuilder();
                c.client().readResource(r).block(settings.startTimeout()).contents().forEach(content -> {
                    if (content instanceof McpSchema.TextResourceContents t) {
                        text.append(t.text());
                    }
                });
                out.add(text.toString());
            }
        }
        return out;
    }

    /**
     * The hosted servers in configuration order, copied under the host's lock: a server's MCP calls block for up
     * to the start timeout, and must not hold the lock that {@link #put} and {@link #remove} take meanwhile.
     */
    private synchronized List<HostedServer> hostedServers() {
        return new ArrayList<>(servers.values());
    }

    private HostedServer.Connection runningConnection(String bundleId) {
        HostedServer server;
        synchronized (this) {
            server = servers.get(bundleId);
        }
        HostedServer.Connection c = server == null ? null : server.connection();
        if (c == null) {
            throw new ProtocolError(4014, "MCP server '" + bundleId + "' not found", Map.of("mcp_server",
                    String.valueOf(bundleId)));
        }
        return c;
    }

    /**
     * Calls the exposed tool {@code name}.
     *
     * @param callKey names the call for {@link #cancel}; unique among running calls (null: one is made up)
     * @param timeout how long the server may take (null: {@code default-call-timeout})
     * @return completes with the outcome; never exceptionally
     */
    public CompletionStage<CallOutcome> call(String name, Map<String, Object> arguments, Duration timeout,
            String callKey) {
        return call(name, arguments, timeout, callKey, CallProgress.NONE);
    }

    /**
     * As {@link #call(String, Map, Duration, String)}; the server's {@code notifications/progress} for the call go to
     * {@code progress} (unless it is {@link CallProgress#NONE}: then the server is given no progress token).
     */
    public CompletionStage<CallOutcome> call(String name, Map<String, Object> arguments, Duration timeout,
            String callKey, CallProgress progress) {
        Optional<ExposedTool> tool = tools().stream().filter(t -> t.name().equals(name)).findFirst();
        if (tool.isEmpty()) {
            return CompletableFuture.completedFuture(new CallOutcome.UnknownTool(name));
        }
        HostedServer server;
        synchronized (this) {
            server = servers.get(tool.get().bundleId());
        }
        HostedServer.Connection c = server == null ? null : server.connection();
        if (c == null) {
            return CompletableFuture.completedFuture(new CallOutcome.Failed("server is not running"));
        }
        String key = callKey == null ? UUID.randomUUID().toString() : callKey;
        Duration limit = timeout == null ? settings.defaultCallTimeout() : timeout;
        CompletableFuture<CallOutcome> outcome = new CompletableFuture<>();
        ScheduledFuture<?> deadline = scheduler.schedule(
                () -> abort(key, new CallOutcome.TimedOut(limit.toMillis()), "timeout"),
                limit.toMillis(), TimeUnit.MILLISECONDS);
        if (calls.putIfAbsent(key, new InFlight(server, c, outcome, deadline, progress)) != null) {
            deadline.cancel(false);
            return CompletableFuture.completedFuture(new CallOutcome.Failed("call key '" + key + "' is in use"));
        }
        HostedServer.call(c, tool.get().tool(), arguments == null ? Map.of() : arguments, key,
                progress != CallProgress.NONE)
                .whenComplete((result, error) -> {
                    CallOutcome done = error == null
                            ? new CallOutcome.Answered(toMap(result))
                            : new CallOutcome.Failed(String.valueOf(error.getMessage()));
                    finish(key, done);
                });
        return outcome;
    }

    /** Cancels a running call (MCP {@code notifications/cancelled}); false when no call has that key. */
    public boolean cancel(String callKey, String reason) {
        return abort(callKey, new CallOutcome.Cancelled(reason), reason);
    }

    private boolean abort(String key, CallOutcome outcome, String reason) {
        InFlight call = calls.remove(key);
        if (call == null) {
            return false;
        }
        call.deadline().cancel(false);
        call.connection().transport().cancel(key, reason)
                .subscribe(null, e -> LOG.debugf("cancellation of %s not sent: %s", key, e.getMessage()));
        call.outcome().complete(outcome);
        return true;
    }

    private void finish(String key, CallOutcome outcome) {
        InFlight call = calls.remove(key);
        if (call != null) {
            call.deadline().cancel(false);
            call.connection().transport().forget(key);
            call.outcome().complete(outcome);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> toMap(McpSchema.CallToolResult result) {
        return mapper.convertValue(result, Map.class);
    }

    private InputValues inputValues() {
        return new InputValues(inputs, System.getenv());
    }

    private HostingSettings hostingSettings() {
        return new HostingSettings(settings.startTimeout(), SDK_REQUEST_TIMEOUT, settings.restartBackoff(),
                settings.restartBackoffMax());
    }

    /** Server events: tool list changes reach the office; calls on an ended connection fail at once. */
    private final class Changes implements HostedServer.Listener {
        @Override
        public void toolsChanged(HostedServer server) {
            changes.fire(ComputerChange.TOOLS);
        }

        @Override
        public void resourcesChanged(HostedServer server) {
            changes.fire(ComputerChange.DESKTOP);
        }

        @Override
        public void progress(McpSchema.ProgressNotification progress) {
            // the token is the call's key; a report for a call that already ended (or another's token) is dropped
            InFlight call = calls.get(String.valueOf(progress.progressToken()));
            if (call != null && progress.progress() != null) {
                call.progress().report(progress.progress(), progress.total(), progress.message());
            }
        }

        @Override
        public void connectionEnded(HostedServer server, HostedServer.Connection ended) {
            calls.forEach((key, call) -> {
                if (call.connection().client() == ended.client()) {
                    finish(key, new CallOutcome.Failed("the server's connection ended"));
                }
            });
        }
    }
}

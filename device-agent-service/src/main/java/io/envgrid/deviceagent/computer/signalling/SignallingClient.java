package io.envgrid.deviceagent.computer.signalling;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.computer.config.ComputerConfig;
import io.envgrid.deviceagent.computer.hosting.ComputerChange;
import io.envgrid.deviceagent.computer.hosting.McpServerHost;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.socket.client.Ack;
import io.socket.client.IO;
import io.socket.client.Socket;
import io.socket.engineio.client.transports.Polling;
import io.socket.engineio.client.transports.WebSocket;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;
import org.json.JSONException;
import org.json.JSONObject;

/**
 * The Computer's line to the A2C-SMCP signalling server (the gateway): it dials out, so the host opens no port.
 * Socket.IO protocol 5 over {@code io.socket:socket.io-client} 2.x (the Java client the Socket.IO project lists;
 * it speaks Engine.IO 4, polling first then the WebSocket upgrade, as the protocol requires), namespace
 * {@code /smcp}, path {@code /socket.io}, {@code ?a2c_version=} 0.4.0 or, when configured
 * ({@code computer.signalling.a2c-version}), 0.5.0, {@code auth {"token"}}; the events it sends are the same in both
 * generations, and it reads either generation's join acknowledgement.
 *
 * <p>On every (re)connect it joins its office as role {@code computer}; a refused join (a stale session of its own
 * name still holds the seat until the server's heartbeat expires) is retried with back-off, as is a connection the
 * server closed or refused. It answers {@code client:*} through {@link ComputerRequests} and tells the office
 * {@code server:update_tool_list} / {@code server:update_config} / {@code server:update_desktop} when the host
 * changes. Off unless {@code envgrid.device-agent.computer.signalling.url} and {@code office-id} are set.
 */
@ApplicationScoped
public class SignallingClient {

    private static final Logger LOG = Logger.getLogger(SignallingClient.class);

    private final ComputerConfig config;
    private final ComputerRequests requests;
    private final ObjectMapper mapper;
    private final String name;
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "smcp-retry");
        t.setDaemon(true);
        return t;
    });
    private volatile Socket socket;
    private volatile boolean joined;
    private volatile boolean stopping;
    private int failures;

    public SignallingClient(ComputerConfig config, McpServerHost host, ObjectMapper mapper, AgentIdentity identity) {
        this.config = config;
        this.mapper = mapper;
        this.name = config.signalling().name().orElse(identity.agentId());
        this.requests = new ComputerRequests(host, mapper, name);
    }

    /** The Computer's name in its office. */
    public String name() {
        return name;
    }

    /** Whether the office acknowledged the last join of the current connection. */
    public boolean joined() {
        return joined;
    }

    void onStart(@Observes StartupEvent event) {
        ComputerConfig.Signalling s = config.signalling();
        if (s.url().isEmpty() || s.officeId().isEmpty()) {
            return;
        }
        if (!SmcpEvents.A2C_VERSIONS.contains(s.a2cVersion())) {
            throw new IllegalStateException("envgrid.device-agent.computer.signalling.a2c-version must be one of "
                    + SmcpEvents.A2C_VERSIONS + ", not " + s.a2cVersion());
        }
        IO.Options options = IO.Options.builder()
                .setPath("/socket.io")
                .setQuery("a2c_version=" + s.a2cVersion())
                .setTransports(new String[] {Polling.NAME, WebSocket.NAME})
                .setAuth(Map.of("token", s.token().orElse("")))
                .setReconnection(true)
                .setReconnectionDelay(s.reconnectDelay().toMillis())
                .setReconnectionDelayMax(s.reconnectDelayMax().toMillis())
                .build();
        Socket io = IO.socket(URI.create(s.url().get().toString().replaceAll("/+$", "") + SmcpEvents.NAMESPACE),
                options);
        io.on(Socket.EVENT_CONNECT, args -> join());
        io.on(Socket.EVENT_DISCONNECT, args -> disconnected(args.length > 0 ? String.valueOf(args[0]) : ""));
        io.on(Socket.EVENT_CONNECT_ERROR, args -> connectFailed(args.length > 0 ? args[0] : null));
        requests.register(io);
        socket = io;
        io.connect();
    }

    void onStop(@Observes ShutdownEvent event) {
        stopping = true;
        retries.shutdownNow();
        requests.close();
        Socket io = socket;
        if (io != null) {
            io.close();
        }
    }

    /** Tells the office what changed; nothing while not in it (a join is followed by the office asking anew). */
    void onChange(@Observes ComputerChange change) {
        Socket io = socket;
        if (io == null || !joined) {
            return;
        }
        String event = switch (change) {
            case TOOLS -> SmcpEvents.UPDATE_TOOL_LIST;
            case CONFIG -> SmcpEvents.UPDATE_CONFIG;
            case DESKTOP -> SmcpEvents.UPDATE_DESKTOP;
        };
        io.emit(event, json(Map.of("computer", name)));
    }

    private void join() {
        String officeId = config.signalling().officeId().orElseThrow();
        socket.emit(SmcpEvents.JOIN_OFFICE, new Object[] {
                json(Map.of("role", "computer", "name", name, "office_id", officeId))}, (Ack) args -> {
                    JoinAck ack = JoinAck.parse(args);
                    if (ack instanceof JoinAck.Refused refused) {
                        LOG.warnf("office '%s' refused the join (%d %s); trying again", officeId, refused.code(),
                                refused.message());
                        retry(this::join);
                        return;
                    }
                    synchronized (this) {
                        failures = 0;
                    }
                    joined = true;
                    LOG.infof("joined office '%s' as computer '%s'", officeId, name);
                    // what the office may have missed while this Computer was away
                    socket.emit(SmcpEvents.UPDATE_TOOL_LIST, json(Map.of("computer", name)));
                });
    }

    private void disconnected(String reason) {
        joined = false;
        LOG.infof("signalling connection closed: %s", reason);
        // the client reconnects by itself except when the server closed the session
        if ("io server disconnect".equals(reason)) {
            retry(() -> socket.connect());
        }
    }

    private void connectFailed(Object error) {
        joined = false;
        LOG.warnf("signalling connection refused or failed: %s", error);
        // a namespace refusal (token) is not retried by the client: it would be for a transport failure
        if (error instanceof JSONObject) {
            retry(() -> socket.connect());
        }
    }

    private void retry(Runnable action) {
        if (stopping) {
            return;
        }
        long delay;
        synchronized (this) {
            long base = config.signalling().reconnectDelay().toMillis();
            delay = Math.min(config.signalling().reconnectDelayMax().toMillis(), base << Math.min(failures, 20));
            failures++;
        }
        retries.schedule(action, delay, TimeUnit.MILLISECONDS);
    }

    private JSONObject json(Map<String, ?> map) {
        try {
            return new JSONObject(mapper.writeValueAsString(map));
        } catch (JsonProcessingException | JSONException e) {
            throw new IllegalStateException("a map of plain values always converts", e);
        }
    }
}

package io.envgrid.deviceagent.fleet;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.osworld.Desktop;
import io.envgrid.deviceagent.osworld.DesktopLock;
import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.IntSupplier;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Each hosted desktop's own port: a reverse proxy (vertx-http-proxy) in this process in front of the agent's HTTP
 * port that sets {@link DesktopRouting#DESKTOP_HEADER} to the desktop's index, replacing any the caller sent. So an
 * OSWorld client that knows only {@code ip:port} reaches exactly that desktop, and every route of the agent's port
 * (the lock, the error envelope, body limits, metrics) applies unchanged. The cost is one loopback hop per call.
 * <p>
 * Every proxied request also carries {@link #PROXY_MARK_HEADER} with a secret drawn at each start of this process
 * (again replacing any the caller sent), so the agent can tell a request its own proxy forwarded from one a caller of
 * the agent's port made up: {@link #proxiedDesktop} is the desktop the proxy named, or null.
 * <p>
 * Each desktop's port has its own connections to the agent's port and admits at most
 * {@code envgrid.device-agent.desktops.max-concurrent-calls} calls at once ({@link DesktopCallGate}), on at most
 * {@code desktops.max-connections} connections, none kept idle, nor with an answer not written out, longer than
 * {@code desktops.idle-timeout}, none pipelining requests ({@link DesktopPortConnections}). A call with a body is admitted only once its credential passed the desktop's lease
 * check on its head ({@link DesktopHeadCheck}, the same {@link DesktopLock#requireLease} the route makes, asked
 * without blocking on the fleet's event loop), and that check is handed to the route ({@link HeadChecks}). Every
 * request passes the gate: the port proxies no protocol upgrade (WebSocket, h2c), which would be tunnelled past it, and
 * the gate refuses whatever shape of request is not a plain HTTP/1.1 call on a path ({@link DesktopCallGate}).
 */
@ApplicationScoped
public class DesktopPorts {

    private static final Logger LOG = Logger.getLogger(DesktopPorts.class);
    /** The header by which the proxy marks the requests it forwards; its value is {@link #PROXY_MARK}. */
    public static final String PROXY_MARK_HEADER = "X-Envgrid-Desktop-Proxy";
    /**
     * Never leaves this process (the proxy's hop is over loopback), so a caller cannot present it: 32 random bytes,
     * not a constant, because a constant would be in the source of every deployment.
     */
    private static final byte[] PROXY_MARK = HexFormat.of().formatHex(randomBytes(32)).getBytes(StandardCharsets.US_ASCII);

    private final DesktopFleet fleet;
    private final FleetVertx vertx;
    private final DeviceAgentConfig config;
    private final ObjectMapper json;
    private final DesktopLock lock;
    private final FleetLeaseVerifier leases;
    private final HeadChecks checks;
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<HttpClient> clients = new ArrayList<>();

    public DesktopPorts(DesktopFleet fleet, FleetVertx vertx, DeviceAgentConfig config, ObjectMapper json,
            DesktopLock lock, FleetLeaseVerifier leases, HeadChecks checks) {
        this.leases = leases;
        this.checks = checks;
        this.fleet = fleet;
        this.vertx = vertx;
        this.config = config;
        this.json = json;
        this.lock = lock;
    }

    /**
     * Opens the desktops' ports once the agent's own port listens (on {@link FleetVertx}; opened at
     * {@code StartupEvent} on Quarkus' instance they stalled the start of the agent's own server). Nothing here blocks;
     * a port that cannot be bound is logged, and that desktop cannot be reached.
     */
    void start(@ObservesAsync HttpServerStart started) {
        if (!fleet.hosting()) {
            return;
        }
        String host = ConfigProvider.getConfig().getOptionalValue("quarkus.http.host", String.class).orElse("0.0.0.0");
        int limit = config.desktops().maxConcurrentCalls();
        for (HostedDesktop desktop : fleet.desktops()) {
            // a client (connection pool) per desktop, sized to its call limit: no desktop's calls wait for another's
            HttpClient client = vertx.get().createHttpClient(
                    new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(limit));
            clients.add(client);
            String name = desktop.desktop().name();
            HttpServer server = desktopServer(vertx.get(), client, AgentIdentity::httpPort,
                    new DesktopCallGate(json, name, new String(PROXY_MARK, StandardCharsets.US_ASCII), limit,
                            headCheck(desktop)),
                    new DesktopPortConnections(vertx.get(), name, config.desktops().maxConnections(),
                            config.desktops().idleTimeout()));
            servers.add(server);
            server.listen(desktop.spec().port(), host)
                    .onSuccess(bound -> LOG.infof("desktop %s served on %s:%d", desktop.spec().resourceId(), host,
                            bound.actualPort()))
                    .onFailure(e -> LOG.errorf("desktop %s cannot be served: port %d: %s",
                            desktop.spec().resourceId(), desktop.spec().port(), e.getMessage()));
        }
    }

    /**
     * The lease check of {@code hosted}'s port on a request's head: the route's own ({@link DesktopLock#requireLease},
     * with its refusals and their count), asked of the allocator without blocking, on the fleet's event loop
     * ({@link FleetLeaseVerifier}), and kept for the route ({@link HeadChecks}) with the desktop gate's generation
     * read before it, so a reset begun after the check still refuses the call.
     */
    private DesktopHeadCheck headCheck(HostedDesktop hosted) {
        Desktop desktop = hosted.desktop();
        return new DesktopHeadCheck() {
            @Override
            public Future<String> check(MultiMap headers) {
                String authorization = headers.get(HttpHeaders.AUTHORIZATION);
                String leaseToken = headers.get(Credentials.LEASE_TOKEN_HEADER);
                long generation = desktop.gate().generation();
                return lock.requireLease(desktop, authorization, leaseToken, leases::verify)
                        .map(grant -> checks.keep(new HeadChecks.Checked(desktop.name(), authorization, leaseToken,
                                generation, grant, System.nanoTime())));
            }

            @Override
            public void forget(String name) {
                checks.forget(name);
            }
        };
    }

    /**
     * One desktop's port, not yet listening: a reverse proxy to the agent's port on {@code agentPort} (loopback) through
     * {@code client}, passing every call through {@code gate}, on connections bounded by {@code connections}.
     */
    static HttpServer desktopServer(Vertx vertx, HttpClient client, IntSupplier agentPort, DesktopCallGate gate,
            DesktopPortConnections connections) {
        // no WebSocket: the proxy would tunnel an upgrade before any interceptor runs (no gate, no desktop pinned,
        // an idle clock stopped for good); the OSWorld protocol has none, so an upgrade meets the gate's refusal
        HttpProxy proxy = HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(false), client)
                // the agent's port is known only once it listens (port 0 in tests): looked up per request
                .originSelector(request -> Future.succeededFuture(
                        SocketAddress.inetSocketAddress(agentPort.getAsInt(), "127.0.0.1")))
                .addInterceptor(gate);
        // no h2c: with it Vert.x waits for a connection's first bytes (to tell HTTP/1.1 from the HTTP/2 preface)
        // before handing it to the connection handler, so a silent connection escaped the cap and the idle clock
        return vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
                .connectionHandler(connections::connected)
                .requestHandler(connections.tracking(request -> {
                    if (!gate.refusedUnproxiable(request)) {
                        proxy.handle(request);
                    }
                }));
    }

    /**
     * The desktop this process' own proxy named on {@code request}, or null when the request did not come through a
     * desktop's port. The desktop header alone is not enough where a caller could gain by choosing it (the rate
     * limit's buckets): on the agent's own port any caller may send it.
     */
    public static String proxiedDesktop(HttpServerRequest request) {
        String mark = request.getHeader(PROXY_MARK_HEADER);
        // compared in constant time: the mark is a secret, a timing leak would let a caller guess it byte by byte
        if (mark == null || !MessageDigest.isEqual(PROXY_MARK, mark.getBytes(StandardCharsets.US_ASCII))) {
            return null;
        }
        return request.getHeader(DesktopRouting.DESKTOP_HEADER);
    }

    private static byte[] randomBytes(int count) {
        byte[] bytes = new byte[count];
        new SecureRandom().nextBytes(bytes);
        return bytes;
    }

    void stop(@Observes ShutdownEvent stop) {
        servers.forEach(HttpServer::close);
        clients.forEach(HttpClient::close);
    }
}

package io.envgrid.deviceagent.fleet;

import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Future;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.ObservesAsync;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * Each hosted desktop's own port: a reverse proxy (vertx-http-proxy) in this process in front of the agent's HTTP
 * port that sets {@link DesktopRouting#DESKTOP_HEADER} to the desktop's index, replacing any the caller sent. So an
 * OSWorld client that knows only {@code ip:port} reaches exactly that desktop, and every route of the agent's port
 * (the lock, the error envelope, body limits, metrics) applies unchanged. The cost is one loopback hop per call.
 */
@ApplicationScoped
public class DesktopPorts {

    private static final Logger LOG = Logger.getLogger(DesktopPorts.class);

    private final DesktopFleet fleet;
    private final FleetVertx vertx;
    private final List<HttpServer> servers = new ArrayList<>();
    private HttpClient client;

    public DesktopPorts(DesktopFleet fleet, FleetVertx vertx) {
        this.fleet = fleet;
        this.vertx = vertx;
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
        client = vertx.get().createHttpClient(new HttpClientOptions().setKeepAlive(true).setMaxPoolSize(64));
        for (HostedDesktop desktop : fleet.desktops()) {
            String name = desktop.desktop().name();
            HttpProxy proxy = HttpProxy.reverseProxy(client)
                    // the agent's port is known only once it listens (port 0 in tests): looked up per request
                    .originSelector(request -> Future.succeededFuture(
                            SocketAddress.inetSocketAddress(AgentIdentity.httpPort(), "127.0.0.1")))
                    .addInterceptor(new ProxyInterceptor() {
                        @Override
                        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
                            context.request().headers().set(DesktopRouting.DESKTOP_HEADER, name);
                            return context.sendRequest();
                        }
                    });
            HttpServer server = vertx.get().createHttpServer().requestHandler(proxy);
            servers.add(server);
            server.listen(desktop.spec().port(), host)
                    .onSuccess(bound -> LOG.infof("desktop %s served on %s:%d", desktop.spec().resourceId(), host,
                            bound.actualPort()))
                    .onFailure(e -> LOG.errorf("desktop %s cannot be served: port %d: %s",
                            desktop.spec().resourceId(), desktop.spec().port(), e.getMessage()));
        }
    }

    void stop(@Observes ShutdownEvent stop) {
        servers.forEach(HttpServer::close);
        if (client != null) {
            client.close();
        }
    }
}

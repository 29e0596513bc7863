package io.envgrid.gateway.smcp;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.smcp.engineio.EngineIoServer;
import io.envgrid.gateway.smcp.engineio.EngineLimits;
import io.envgrid.gateway.smcp.handshake.VersionGate;
import io.envgrid.gateway.smcp.office.SmcpNamespace;
import io.envgrid.gateway.smcp.socketio.SocketIoServer;
import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * The A2C-SMCP signalling server on the gateway's own HTTP port: Socket.IO 5 / Engine.IO 4 at {@code /socket.io/},
 * namespace {@code /smcp}, every request passing the {@code a2c_version} gate first.
 */
@ApplicationScoped
public class SmcpServer {

    /** The Socket.IO mount (python-socketio's default, which the SDKs use). */
    public static final String PATH = "/socket.io/";

    private final EngineIoServer engine;

    public SmcpServer(Vertx vertx, ObjectMapper json, SmcpConfig config, SmcpNamespace namespace) {
        SocketIoServer sockets = new SocketIoServer(json, vertx, config.maxPendingCallsPerSocket());
        sockets.namespace(SmcpNamespace.name(), namespace);
        VersionGate gate = new VersionGate(json);
        EngineLimits limits = new EngineLimits(config.pingInterval().toMillis(), config.pingTimeout().toMillis(),
                config.maxPayload(), config.maxSendBuffer(), config.maxPendingSessions(),
                config.maxPendingSessionsPerAddress(), config.connectTimeout().toMillis());
        this.engine = new EngineIoServer(vertx, limits, gate::admit, sockets::accept);
    }

    void routes(@Observes Router router) {
        engine.mount(router, PATH);
    }
}

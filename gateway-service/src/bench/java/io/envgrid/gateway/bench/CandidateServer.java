package io.envgrid.gateway.bench;

import com.corundumstudio.socketio.AckMode;
import com.corundumstudio.socketio.AckRequest;
import com.corundumstudio.socketio.AuthTokenResult;
import com.corundumstudio.socketio.Configuration;
import com.corundumstudio.socketio.SocketIONamespace;
import com.corundumstudio.socketio.SocketIOServer;
import io.socket.engineio.server.EngineIoServer;
import io.socket.engineio.server.EngineIoServerOptions;
import io.socket.engineio.server.EngineIoWebSocket;
import io.socket.socketio.server.SocketIoNamespace;
import io.socket.socketio.server.SocketIoServer;
import io.socket.socketio.server.SocketIoSocket;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.ee10.websocket.server.JettyServerUpgradeRequest;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServlet;
import org.eclipse.jetty.ee10.websocket.server.JettyWebSocketServletFactory;
import org.eclipse.jetty.ee10.websocket.server.config.JettyWebSocketServletContainerInitializer;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.json.JSONArray;
import org.json.JSONObject;

/**
 * One Socket.IO library serving the least of what the gateway's {@code /smcp} namespace does, in its own JVM so that
 * {@link SocketIoComparison} can read its CPU time: namespace {@code /smcp} under path {@code /socket.io}, polling then
 * WebSocket, a connect refused unless the {@code auth} dict carries {@code {"token": <token>}}, and two events each
 * answered by an ack sent from another thread (the asynchronous hop the gateway's answers take through Redis):
 * {@code server:join_office} → {@code (true, null)}, {@code server:list_room {req_id}} →
 * {@code {sessions: [], req_id}}.
 *
 * <p>{@code java CandidateServer netty-socketio|socket.io-server <token>} prints {@code listening <port>} once it
 * serves on 127.0.0.1 and stops when its standard input closes.
 */
public final class CandidateServer {

    private CandidateServer() {
    }

    public static void main(String[] args) throws Exception {
        String token = args[1];
        // one thread, as the gateway answers on its event loop after the Redis reply
        ExecutorService hop = Executors.newSingleThreadExecutor();
        int port = freePort();
        AutoCloseable server = switch (args[0]) {
            case "netty-socketio" -> nettySocketIo(port, token, hop);
            case "socket.io-server" -> socketIoServer(port, token, hop);
            default -> throw new IllegalArgumentException("unknown candidate " + args[0]);
        };
        System.out.println("listening " + port);
        System.out.flush();
        while (System.in.read() >= 0) {
            // runs until the parent closes our standard input (or dies)
        }
        server.close();
        hop.shutdownNow();
        System.exit(0);
    }

    /** netty-socketio: its own Netty server on its own port; acks in {@link AckMode#MANUAL} so they wait for the hop. */
    private static AutoCloseable nettySocketIo(int port, String token, ExecutorService hop) {
        Configuration config = new Configuration();
        config.setHostname("127.0.0.1");
        config.setPort(port);
        config.setAckMode(AckMode.MANUAL);
        SocketIOServer server = new SocketIOServer(config);
        SocketIONamespace smcp = server.addNamespace("/smcp");
        smcp.addAuthTokenListener((auth, client) -> auth instanceof Map<?, ?> dict && token.equals(dict.get("token"))
                ? AuthTokenResult.AuthTokenResultSuccess
                : new AuthTokenResult(false, Map.of("message", "unauthorized")));
        smcp.addEventListener("server:join_office", Map.class,
                (client, data, ack) -> hop.execute(() -> ack.sendAckData(true, null)));
        smcp.addEventListener("server:list_room", Map.class, (client, data, ack) -> answerListRoom(hop, data, ack));
        server.start();
        return server::stop;
    }

    private static void answerListRoom(ExecutorService hop, Map<?, ?> data, AckRequest ack) {
        Object reqId = data.get("req_id");
        hop.execute(() -> {
            Map<String, Object> answer = new HashMap<>();
            answer.put("sessions", List.of());
            answer.put("req_id", reqId);
            ack.sendAckData(answer);
        });
    }

    /**
     * io.socket:socket.io-server: Servlet API for polling, an {@link EngineIoWebSocket} for WebSocket, both served by
     * an embedded Jetty. It has no connect-time hook, so a bad token can only be disconnected once connected.
     */
    private static AutoCloseable socketIoServer(int port, String token, ExecutorService hop) throws Exception {
        EngineIoServer engine = new EngineIoServer(EngineIoServerOptions.newFromDefault());
        SocketIoServer io = new SocketIoServer(engine);
        SocketIoNamespace smcp = io.namespace("/smcp");
        smcp.on("connection", connected -> {
            SocketIoSocket socket = (SocketIoSocket) connected[0];
            if (!(socket.getConnectData() instanceof JSONObject auth && token.equals(auth.optString("token")))) {
                socket.disconnect(true);
                return;
            }
            socket.on("server:join_office", event -> {
                SocketIoSocket.ReceivedByLocalAcknowledgementCallback ack = ackOf(event);
                hop.execute(() -> ack.sendAcknowledgement(true, JSONObject.NULL));
            });
            socket.on("server:list_room", event -> {
                SocketIoSocket.ReceivedByLocalAcknowledgementCallback ack = ackOf(event);
                Object reqId = ((JSONObject) event[0]).opt("req_id");
                hop.execute(() -> ack.sendAcknowledgement(new JSONObject().put("sessions", new JSONArray()).put("req_id", reqId)));
            });
        });
        Server jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(port);
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(new EngineIoServlet(engine));
        holder.setAsyncSupported(true); // the long poll waits without holding a thread
        context.addServlet(holder, "/socket.io/*");
        JettyWebSocketServletContainerInitializer.configure(context, null);
        jetty.setHandler(context);
        jetty.start();
        return () -> {
            jetty.stop();
            engine.shutdown();
        };
    }

    private static SocketIoSocket.ReceivedByLocalAcknowledgementCallback ackOf(Object[] event) {
        return (SocketIoSocket.ReceivedByLocalAcknowledgementCallback) event[event.length - 1];
    }

    private static int freePort() throws IOException {
        // netty-socketio takes a port number, not 0: the port is found here and bound at once by the server
        try (ServerSocket probe = new ServerSocket(0)) {
            return probe.getLocalPort();
        }
    }

    /** Polling requests to the engine; WebSocket upgrades to an {@link EngineIoJettySocket}. */
    private static final class EngineIoServlet extends JettyWebSocketServlet {

        private final transient EngineIoServer engine;

        EngineIoServlet(EngineIoServer engine) {
            this.engine = engine;
        }

        @Override
        protected void configure(JettyWebSocketServletFactory factory) {
            factory.setCreator((request, response) -> new EngineIoJettySocket(engine, request));
        }

        @Override
        protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
            engine.handleRequest(request, response);
        }

        @Override
        protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
            engine.handleRequest(request, response);
        }

        @Override
        protected void doOptions(HttpServletRequest request, HttpServletResponse response) throws IOException {
            engine.handleRequest(request, response);
        }
    }

    /**
     * The engine's WebSocket seen through Jetty's listener API: frames in become the engine's {@code message} events,
     * its writes become Jetty sends. The library ships no adapter for its Jakarta generation (its Jetty one targets
     * Jetty 9 and {@code javax}), so this is the part a user of it writes. Public: Jetty calls it through method
     * handles.
     */
    public static final class EngineIoJettySocket extends EngineIoWebSocket implements Session.Listener.AutoDemanding {

        private final EngineIoServer engine;
        private final Map<String, String> query = new HashMap<>();
        private final Map<String, List<String>> headers;
        private volatile Session session;

        EngineIoJettySocket(EngineIoServer engine, JettyServerUpgradeRequest request) {
            this.engine = engine;
            request.getParameterMap().forEach((k, v) -> query.put(k, v.isEmpty() ? "" : v.get(0)));
            headers = request.getHeaders();
        }

        @Override
        public void onWebSocketOpen(Session opened) {
            session = opened;
            engine.handleWebSocket(this);
        }

        @Override
        public void onWebSocketText(String message) {
            emit("message", message);
        }

        @Override
        public void onWebSocketBinary(ByteBuffer payload, Callback callback) {
            byte[] bytes = new byte[payload.remaining()];
            payload.get(bytes);
            emit("message", (Object) bytes);
            callback.succeed();
        }

        @Override
        public void onWebSocketClose(int status, String reason) {
            emit("close");
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            emit("error", "write error", String.valueOf(cause.getMessage()));
        }

        @Override
        public Map<String, String> getQuery() {
            return query;
        }

        @Override
        public Map<String, List<String>> getConnectionHeaders() {
            return headers;
        }

        @Override
        public void write(String message) {
            session.sendText(message, Callback.NOOP);
        }

        @Override
        public void write(byte[] message) {
            session.sendBinary(ByteBuffer.wrap(message), Callback.NOOP);
        }

        @Override
        public void close() {
            session.close();
        }
    }
}

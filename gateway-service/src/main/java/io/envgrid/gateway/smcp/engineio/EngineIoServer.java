package io.envgrid.gateway.smcp.engineio;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Engine.IO 4 on the gateway's own Vert.x router, under one path ({@code /socket.io/}): the handshake
 * ({@code GET ?EIO=4&transport=polling} → OPEN packet), long-polling ({@code GET}/{@code POST} with
 * {@code sid}), the WebSocket upgrade ({@code transport=websocket&sid=…}) and WebSocket-only connections.
 * Protocol errors answer 400 with the reference server's {@code {"code","message"}} bodies
 * (0 unknown transport, 1 unknown session id, 3 bad request, 5 unsupported protocol version).
 */
public final class EngineIoServer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final long pingIntervalMs;
    private final long pingTimeoutMs;
    private final int maxPayload;
    private final Function<HttpServerRequest, Boolean> gate;
    private final Consumer<EngineSocket> onConnection;
    private final Map<String, EngineSocket> sockets = new ConcurrentHashMap<>();

    /**
     * @param gate         runs first on every request; answers the request itself and returns false to refuse it
     * @param onConnection hears every new connection (it must call {@link #listen} before returning)
     */
    public EngineIoServer(Vertx vertx, long pingIntervalMs, long pingTimeoutMs, int maxPayload,
            Function<HttpServerRequest, Boolean> gate, Consumer<EngineSocket> onConnection) {
        this.vertx = vertx;
        this.pingIntervalMs = pingIntervalMs;
        this.pingTimeoutMs = pingTimeoutMs;
        this.maxPayload = maxPayload;
        this.gate = gate;
        this.onConnection = onConnection;
    }

    /** Mounts the server at {@code path} (with its trailing slash, as clients send it). */
    public void mount(Router router, String path) {
        router.get(path).handler(this::get);
        router.post(path).handler(BodyHandler.create(false).setBodyLimit(maxPayload)).handler(this::post);
    }

    /** Starts the heartbeat and delivery of a connection's messages to {@code listener}. */
    public static void listen(EngineSocket socket, EngineSocket.Listener listener) {
        socket.listen(listener);
    }

    /** Connections open on this server. */
    public int connections() {
        return sockets.size();
    }

    private boolean admitted(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (!gate.apply(request)) {
            return false;
        }
        if (!"4".equals(request.getParam("EIO"))) {
            fail(ctx.response(), 5, "Unsupported protocol version");
            return false;
        }
        String transport = request.getParam("transport");
        if (!"polling".equals(transport) && !"websocket".equals(transport)) {
            fail(ctx.response(), 0, "Transport unknown");
            return false;
        }
        String sid = request.getParam("sid");
        if (sid != null && !sockets.containsKey(sid)) {
            fail(ctx.response(), 1, "Session ID unknown");
            return false;
        }
        if (ctx.request().method().name().equals("POST") && (sid == null || !"polling".equals(transport))) {
            fail(ctx.response(), 3, "Bad request");
            return false;
        }
        return true;
    }

    private void get(RoutingContext ctx) {
        if (!admitted(ctx)) {
            return;
        }
        HttpServerRequest request = ctx.request();
        String sid = request.getParam("sid");
        boolean websocket = "websocket".equals(request.getParam("transport"));
        if (sid == null && !websocket) {
            EngineSocket socket = open(request);
            EngineSocket.answer(ctx.response(), 200, openPacket(socket.id()));
            return;
        }
        if (!websocket) {
            sockets.get(sid).poll(ctx.response());
            return;
        }
        if (!"websocket".equalsIgnoreCase(request.getHeader("Upgrade"))) {
            fail(ctx.response(), 3, "Bad request");
            return;
        }
        request.toWebSocket().onSuccess(ws -> {
            ws.setWriteQueueMaxSize(maxPayload);
            if (sid == null) {
                EngineSocket socket = open(request);
                ws.writeTextMessage(openPacket(socket.id()));
                socket.attach(ws);
            } else {
                EngineSocket socket = sockets.get(sid);
                if (socket == null) {
                    ws.close();
                } else {
                    socket.upgradeTo(ws);
                }
            }
        });
    }

    private void post(RoutingContext ctx) {
        if (!admitted(ctx)) {
            return;
        }
        EngineSocket socket = sockets.get(ctx.request().getParam("sid"));
        if (socket == null) {
            fail(ctx.response(), 1, "Session ID unknown");
            return;
        }
        String body = ctx.body().asString();
        ctx.response().putHeader("Content-Type", "text/html").end("ok");
        socket.receive(body == null ? "" : body);
    }

    private EngineSocket open(HttpServerRequest request) {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Map<String, String> query = new HashMap<>();
        request.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        EngineSocket socket = new EngineSocket(id, vertx, query, pingIntervalMs, pingTimeoutMs, () -> sockets.remove(id));
        sockets.put(id, socket);
        onConnection.accept(socket);
        return socket;
    }

    private String openPacket(String sid) {
        return EnginePacket.OPEN + "{\"sid\":\"" + sid + "\",\"upgrades\":[\"websocket\"],\"pingInterval\":" + pingIntervalMs
                + ",\"pingTimeout\":" + pingTimeoutMs + ",\"maxPayload\":" + maxPayload + "}";
    }

    private static void fail(HttpServerResponse response, int code, String message) {
        EngineSocket.answer(response, 400, "{\"code\":" + code + ",\"message\":\"" + message + "\"}");
    }
}

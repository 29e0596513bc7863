package io.envgrid.gateway.smcp.engineio;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
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
 *
 * <p>Bounds ({@link EngineLimits}): a POST body over {@code maxPayload} is answered 413 and closes its session
 * ("transport error", as the reference's {@code maxHttpBufferSize}); a new session beyond the pending-session caps
 * (in all, per remote address) is refused with 429 {@code {"code":4}} (the reference's "Forbidden" code of a refused
 * handshake) before anything is allocated.
 */
public final class EngineIoServer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final Vertx vertx;
    private final EngineLimits limits;
    private final Function<HttpServerRequest, Boolean> gate;
    private final Consumer<EngineSocket> onConnection;
    private final Map<String, EngineSocket> sockets = new ConcurrentHashMap<>();
    private final PendingSessions pending;

    /**
     * @param gate         runs first on every request; answers the request itself and returns false to refuse it
     * @param onConnection hears every new connection (it must call {@link #listen} before returning)
     */
    public EngineIoServer(Vertx vertx, EngineLimits limits, Function<HttpServerRequest, Boolean> gate,
            Consumer<EngineSocket> onConnection) {
        this.vertx = vertx;
        this.limits = limits;
        this.gate = gate;
        this.onConnection = onConnection;
        this.pending = new PendingSessions(limits.maxPendingSessions(), limits.maxPendingSessionsPerAddress());
    }

    /**
     * Mounts the server at {@code path} (with its trailing slash, as clients send it). The announced-length check comes
     * right after the gateway's first routes (its URI check and general body limit, {@code order(MIN_VALUE)}), before
     * any body is read, so that a POST over {@code maxPayload} closes its session.
     */
    public void mount(Router router, String path) {
        router.post(path).order(Integer.MIN_VALUE + 1).handler(this::declaredLength);
        router.get(path).handler(this::get);
        router.post(path).handler(this::post);
    }

    private void declaredLength(RoutingContext ctx) {
        String length = ctx.request().getHeader("Content-Length");
        if (length != null && declaredTooLarge(length)) {
            String sid = ctx.request().getParam("sid");
            tooLarge(ctx, sid == null ? null : sockets.get(sid));
            return;
        }
        ctx.next();
    }

    /** Starts the heartbeat and delivery of a connection's messages to {@code listener}. */
    public static void listen(EngineSocket socket, EngineSocket.Listener listener) {
        socket.listen(listener);
    }

    /** Connections open on this server. */
    public int connections() {
        return sockets.size();
    }

    /** Connections that have not authenticated yet. */
    public int pendingConnections() {
        return pending.total();
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
            EngineSocket socket = open(ctx);
            if (socket != null) {
                EngineSocket.answer(ctx.response(), 200, openPacket(socket.id()));
            }
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
        if (sid == null) {
            // counted before the upgrade, so a refused client costs no WebSocket
            String address = address(request);
            PendingSessions.Admission admission = pending.admit(address);
            if (admission != PendingSessions.Admission.ADMITTED) {
                tooMany(ctx.response(), admission);
                return;
            }
            request.toWebSocket().onComplete(ws -> {
                if (ws.failed()) {
                    pending.release(address);
                    return;
                }
                ws.result().setWriteQueueMaxSize(limits.maxSendBuffer());
                EngineSocket socket = register(request, address);
                ws.result().writeTextMessage(openPacket(socket.id()));
                socket.attach(ws.result());
            });
            return;
        }
        request.toWebSocket().onSuccess(ws -> {
            ws.setWriteQueueMaxSize(limits.maxSendBuffer());
            EngineSocket socket = sockets.get(sid);
            if (socket == null || !socket.upgradeTo(ws)) {
                ws.close(); // gone meanwhile, or already upgraded or upgrading (the reference closes the newcomer too)
            }
        });
    }

    /**
     * A polling POST: the body is read here, not by a body handler, so that one over {@code maxPayload} can close its
     * session (a body handler's 413 would leave it open).
     */
    private void post(RoutingContext ctx) {
        if (!admitted(ctx)) {
            return;
        }
        EngineSocket socket = sockets.get(ctx.request().getParam("sid"));
        if (socket == null) {
            fail(ctx.response(), 1, "Session ID unknown"); // closed since the check
            return;
        }
        HttpServerRequest request = ctx.request();
        Buffer body = Buffer.buffer();
        boolean[] refused = {false};
        request.handler(chunk -> {
            if (refused[0]) {
                return;
            }
            if (body.length() + chunk.length() > limits.maxPayload()) {
                refused[0] = true;
                tooLarge(ctx, socket);
                return;
            }
            body.appendBuffer(chunk);
        });
        request.endHandler(v -> {
            if (refused[0]) {
                return;
            }
            if (!socket.acceptsPosts()) {
                fail(ctx.response(), 3, "Bad request"); // the connection moved to WebSocket
                return;
            }
            ctx.response().putHeader("Content-Type", "text/html").end("ok");
            socket.receive(body.toString());
        });
        request.resume();
    }

    private boolean declaredTooLarge(String length) {
        try {
            return Long.parseLong(length.trim()) > limits.maxPayload();
        } catch (NumberFormatException e) {
            return false; // the HTTP codec refuses a malformed length itself
        }
    }

    private void tooLarge(RoutingContext ctx, EngineSocket socket) {
        // the rest of the body is not read: the HTTP connection ends with the answer
        ctx.response().putHeader("Connection", "close");
        EngineSocket.answer(ctx.response(), 413, "{\"code\":3,\"message\":\"Payload too large\"}");
        if (socket != null) {
            socket.closeForError("transport error");
        }
    }

    /** A new polling session, or null when the pending caps refuse it (the request is then answered). */
    private EngineSocket open(RoutingContext ctx) {
        String address = address(ctx.request());
        PendingSessions.Admission admission = pending.admit(address);
        if (admission != PendingSessions.Admission.ADMITTED) {
            tooMany(ctx.response(), admission);
            return null;
        }
        return register(ctx.request(), address);
    }

    private EngineSocket register(HttpServerRequest request, String address) {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Map<String, String> query = new HashMap<>();
        request.params().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
        EngineSocket socket = new EngineSocket(id, vertx, query, limits, () -> sockets.remove(id),
                () -> pending.release(address));
        sockets.put(id, socket);
        onConnection.accept(socket);
        return socket;
    }

    private static String address(HttpServerRequest request) {
        return request.remoteAddress() == null ? "" : request.remoteAddress().hostAddress();
    }

    private void tooMany(HttpServerResponse response, PendingSessions.Admission admission) {
        response.putHeader("Retry-After", String.valueOf(Math.max(1, limits.connectTimeoutMs() / 1000)));
        EngineSocket.answer(response, 429, "{\"code\":4,\"message\":\"Too many sessions waiting to connect"
                + (admission == PendingSessions.Admission.ADDRESS_FULL ? " from this address" : "") + "\"}");
    }

    private String openPacket(String sid) {
        return EnginePacket.OPEN + "{\"sid\":\"" + sid + "\",\"upgrades\":[\"websocket\"],\"pingInterval\":"
                + limits.pingIntervalMs() + ",\"pingTimeout\":" + limits.pingTimeoutMs() + ",\"maxPayload\":"
                + limits.maxPayload() + "}";
    }

    private static void fail(HttpServerResponse response, int code, String message) {
        EngineSocket.answer(response, 400, "{\"code\":" + code + ",\"message\":\"" + message + "\"}");
    }
}

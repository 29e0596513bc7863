package io.envgrid.gateway.smcp.engineio;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.ServerWebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One Engine.IO 4 connection: HTTP long-polling first, then (when the client asks) WebSocket. Packets the
 * server sends are buffered and flushed into the pending poll or written to the WebSocket; the server pings,
 * and a client that does not pong within the timeout is closed.
 *
 * <p>The upgrade never stalls: as soon as the client's probe arrives, a pending poll is answered (with what is
 * buffered, or a NOOP), and every poll that arrives while the upgrade is under way is answered at once, so the
 * client can pause polling and send the UPGRADE packet (the hazard netty-socketio showed, see the README).
 *
 * <p>Requests for one connection may arrive on different event loops; the state is guarded by this object.
 */
public final class EngineSocket {

    /** What the layer above (Socket.IO) hears from the connection. */
    public interface Listener {
        /** A MESSAGE packet's data. */
        void onMessage(String data);

        /** The connection ended (ping timeout, transport close, client close, server close); called once. */
        void onClose(String reason);
    }

    private enum Transport { POLLING, WEBSOCKET }

    private final String id;
    private final Vertx vertx;
    private final Map<String, String> handshakeQuery;
    private final long pingIntervalMs;
    private final long pingTimeoutMs;
    private final Runnable onRemoved;
    private final List<String> buffer = new ArrayList<>();
    private Listener listener;
    private Transport transport = Transport.POLLING;
    private boolean upgrading;
    private boolean closed;
    private HttpServerResponse pendingPoll;
    private ServerWebSocket webSocket;
    private long pingTimer = -1;
    private long pongDeadline = -1;

    EngineSocket(String id, Vertx vertx, Map<String, String> handshakeQuery, long pingIntervalMs, long pingTimeoutMs,
            Runnable onRemoved) {
        this.id = id;
        this.vertx = vertx;
        this.handshakeQuery = Map.copyOf(handshakeQuery);
        this.pingIntervalMs = pingIntervalMs;
        this.pingTimeoutMs = pingTimeoutMs;
        this.onRemoved = onRemoved;
    }

    /** The Engine.IO session id ({@code sid} of the OPEN packet). */
    public String id() {
        return id;
    }

    /** The query parameters of the request that opened the connection (the {@code a2c_version}, for one). */
    public Map<String, String> handshakeQuery() {
        return handshakeQuery;
    }

    synchronized void listen(Listener listener) {
        this.listener = listener;
        schedulePing();
    }

    /** Sends a MESSAGE packet; ignored once the connection is closed. */
    public void sendMessage(String data) {
        send(EnginePacket.message(data).encode());
    }

    /** Closes the connection from the server's side (a CLOSE packet, then the transport). */
    public void close() {
        ServerWebSocket ws;
        synchronized (this) {
            if (closed) {
                return;
            }
            ws = webSocket;
            if (ws == null) {
                send(String.valueOf(EnginePacket.CLOSE));
            }
        }
        if (ws != null) {
            ws.writeTextMessage(String.valueOf(EnginePacket.CLOSE));
            ws.close();
        }
        closed("server close");
    }

    private void send(String encoded) {
        ServerWebSocket ws;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (transport != Transport.WEBSOCKET) {
                buffer.add(encoded);
                flushPoll();
                return;
            }
            ws = webSocket;
        }
        ws.writeTextMessage(encoded);
    }

    /** Answers the pending poll with everything buffered (caller holds the lock). */
    private void flushPoll() {
        if (pendingPoll == null || buffer.isEmpty()) {
            return;
        }
        HttpServerResponse response = pendingPoll;
        pendingPoll = null;
        String body = String.join(String.valueOf(EnginePacket.SEPARATOR), buffer);
        buffer.clear();
        answer(response, 200, body);
    }

    /** A long-polling GET: answered now when something is buffered or an upgrade is under way, else held. */
    void poll(HttpServerResponse response) {
        synchronized (this) {
            if (closed || transport == Transport.WEBSOCKET) {
                answer(response, 400, "{\"code\":3,\"message\":\"Bad request\"}");
                return;
            }
            if (pendingPoll != null) {
                // two polls at once break the protocol: the reference server closes the connection
                answer(response, 400, "{\"code\":3,\"message\":\"Bad request\"}");
                closeLocked();
                return;
            }
            pendingPoll = response;
            response.closeHandler(v -> pollAbandoned(response));
            if (!buffer.isEmpty()) {
                flushPoll();
            } else if (upgrading) {
                answerPendingWithNoop();
            }
        }
    }

    private synchronized void pollAbandoned(HttpServerResponse response) {
        if (pendingPoll == response) {
            pendingPoll = null;
        }
    }

    /** A long-polling POST body: one or more packets separated by U+001E. */
    void receive(String payload) {
        for (String part : payload.split(String.valueOf(EnginePacket.SEPARATOR), -1)) {
            EnginePacket packet = EnginePacket.parse(part);
            if (packet != null) {
                handle(packet);
            }
        }
    }

    /** A WebSocket that asks to take over this polling connection (probe, then UPGRADE). */
    void upgradeTo(ServerWebSocket ws) {
        ws.textMessageHandler(text -> {
            if (text.equals("2probe")) {
                synchronized (this) {
                    upgrading = true;
                    answerPendingWithNoop();
                }
                ws.writeTextMessage("3probe");
            } else if (text.equals(String.valueOf(EnginePacket.UPGRADE))) {
                completeUpgrade(ws);
            } else {
                EnginePacket packet = EnginePacket.parse(text);
                if (packet != null) {
                    handle(packet);
                }
            }
        });
        ws.closeHandler(v -> webSocketClosed(ws));
    }

    /** A WebSocket opened without polling first: it is the transport from the start. */
    void attach(ServerWebSocket ws) {
        synchronized (this) {
            transport = Transport.WEBSOCKET;
            webSocket = ws;
        }
        ws.textMessageHandler(text -> {
            EnginePacket packet = EnginePacket.parse(text);
            if (packet != null) {
                handle(packet);
            }
        });
        ws.closeHandler(v -> webSocketClosed(ws));
    }

    private void completeUpgrade(ServerWebSocket ws) {
        List<String> pending;
        synchronized (this) {
            if (closed) {
                ws.close();
                return;
            }
            upgrading = false;
            transport = Transport.WEBSOCKET;
            webSocket = ws;
            if (pendingPoll != null) {
                answerPendingWithNoop();
            }
            pending = new ArrayList<>(buffer);
            buffer.clear();
        }
        pending.forEach(ws::writeTextMessage);
    }

    private void webSocketClosed(ServerWebSocket ws) {
        synchronized (this) {
            if (webSocket != ws) {
                // a probe that never completed: the connection goes on polling
                upgrading = false;
                return;
            }
        }
        closed("transport close");
    }

    private void answerPendingWithNoop() {
        if (pendingPoll != null) {
            HttpServerResponse response = pendingPoll;
            pendingPoll = null;
            String body = buffer.isEmpty() ? String.valueOf(EnginePacket.NOOP)
                    : String.join(String.valueOf(EnginePacket.SEPARATOR), buffer);
            buffer.clear();
            answer(response, 200, body);
        }
    }

    private void handle(EnginePacket packet) {
        switch (packet.type()) {
            case EnginePacket.PONG -> pong();
            case EnginePacket.MESSAGE -> {
                Listener target;
                synchronized (this) {
                    target = closed ? null : listener;
                }
                if (target != null) {
                    target.onMessage(packet.data());
                }
            }
            case EnginePacket.CLOSE -> closed("client close");
            default -> {
                // PING from a client (Engine.IO 3), UPGRADE or NOOP out of place: nothing to do
            }
        }
    }

    private synchronized void schedulePing() {
        if (closed) {
            return;
        }
        pingTimer = vertx.setTimer(pingIntervalMs, t -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
                pongDeadline = vertx.setTimer(pingTimeoutMs, d -> closed("ping timeout"));
            }
            send(String.valueOf(EnginePacket.PING));
        });
    }

    private void pong() {
        synchronized (this) {
            if (pongDeadline < 0) {
                return;
            }
            vertx.cancelTimer(pongDeadline);
            pongDeadline = -1;
        }
        schedulePing();
    }

    private void closeLocked() {
        vertx.runOnContext(v -> closed("transport error"));
    }

    private void closed(String reason) {
        Listener target;
        ServerWebSocket ws;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            vertx.cancelTimer(pingTimer);
            if (pongDeadline >= 0) {
                vertx.cancelTimer(pongDeadline);
            }
            if (pendingPoll != null) {
                answer(pendingPoll, 200, String.valueOf(EnginePacket.CLOSE));
                pendingPoll = null;
            }
            target = listener;
            ws = webSocket;
        }
        onRemoved.run();
        if (ws != null && !ws.isClosed()) {
            ws.close();
        }
        if (target != null) {
            target.onClose(reason);
        }
    }

    static void answer(HttpServerResponse response, int status, String body) {
        if (response.ended() || response.closed()) {
            return;
        }
        response.setStatusCode(status).putHeader("Content-Type", status == 200
                ? "text/plain; charset=UTF-8" : "application/json").end(body);
    }
}

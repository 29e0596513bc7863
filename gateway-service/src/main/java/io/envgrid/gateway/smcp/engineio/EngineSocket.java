package io.envgrid.gateway.smcp.engineio;

import io.vertx.core.Future;
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
 * <p>Bounded ({@link EngineLimits}): what waits for a slow reader (the polling buffer, the WebSocket's write queue)
 * is capped, and a connection over the cap is closed ("send buffer full") rather than held; a WebSocket message over
 * {@code maxPayload} closes it ("transport error"); a packet that does not parse, a binary one included (A2C-SMCP is
 * JSON only), closes it ("parse error", as the reference's parser error); a session that has not
 * {@link #authenticated()} within the connect timeout is closed ("connect timeout").
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

    private static final String BAD_REQUEST = "{\"code\":3,\"message\":\"Bad request\"}";

    private final String id;
    private final Vertx vertx;
    private final Map<String, String> handshakeQuery;
    private final EngineLimits limits;
    private final Runnable onRemoved;
    private final Runnable onSettled;
    private final List<String> buffer = new ArrayList<>();
    private long buffered;
    private Listener listener;
    private Transport transport = Transport.POLLING;
    private ServerWebSocket probe;
    private boolean upgrading;
    private boolean closed;
    /** A close waits for what was sent before it to reach the client ({@link #closeWhenFlushed}); nothing more is sent. */
    private boolean closing;
    private boolean settled;
    private HttpServerResponse pendingPoll;
    private ServerWebSocket webSocket;
    private long pingTimer = -1;
    private long pongDeadline = -1;
    private final long connectDeadline;

    /**
     * @param onRemoved runs once when the connection ends
     * @param onSettled runs once when the connection authenticates or ends, whichever comes first
     */
    EngineSocket(String id, Vertx vertx, Map<String, String> handshakeQuery, EngineLimits limits, Runnable onRemoved,
            Runnable onSettled) {
        this.id = id;
        this.vertx = vertx;
        this.handshakeQuery = Map.copyOf(handshakeQuery);
        this.limits = limits;
        this.onRemoved = onRemoved;
        this.onSettled = onSettled;
        this.connectDeadline = vertx.setTimer(limits.connectTimeoutMs(), t -> {
            if (!isSettled()) {
                close("connect timeout");
            }
        });
    }

    /** The Engine.IO session id ({@code sid} of the OPEN packet). */
    public String id() {
        return id;
    }

    /** The query parameters of the request that opened the connection (the {@code a2c_version}, for one). */
    public Map<String, String> handshakeQuery() {
        return handshakeQuery;
    }

    /** The layer above admitted the client (a namespace connect with a valid token): it no longer counts as pending. */
    public void authenticated() {
        settle();
        vertx.cancelTimer(connectDeadline);
    }

    private synchronized boolean isSettled() {
        return settled;
    }

    private void settle() {
        synchronized (this) {
            if (settled) {
                return;
            }
            settled = true;
        }
        onSettled.run();
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
        close("server close");
    }

    private void close(String reason) {
        ServerWebSocket ws;
        synchronized (this) {
            if (closed) {
                return;
            }
            ws = webSocket;
            if (ws == null) {
                buffer.add(String.valueOf(EnginePacket.CLOSE));
                flushPoll();
            }
        }
        if (ws != null && !ws.isClosed()) {
            ws.writeTextMessage(String.valueOf(EnginePacket.CLOSE));
        }
        closed(reason);
    }

    /**
     * Closes the connection from the server's side once everything sent before this call has reached the client, so
     * that a last packet (a Socket.IO DISCONNECT) is not lost: on polling the CLOSE packet joins the buffer and the
     * connection ends when the poll that carries it is answered (or, when the client was upgrading and stopped
     * polling, once the buffer is written on the upgraded WebSocket, {@link #completeUpgrade}); on WebSocket it ends
     * once the CLOSE frame, written after every earlier one, is written. Nothing sent after this call goes out, pings included, so a client that
     * neither polls nor reads again is closed by the heartbeat ("ping timeout") within {@code pingInterval +
     * pingTimeout}. Nothing happens when the connection is already closed or closing.
     */
    public void closeWhenFlushed() {
        ServerWebSocket ws;
        boolean flushed = false;
        synchronized (this) {
            if (closed || closing) {
                return;
            }
            closing = true;
            ws = webSocket;
            if (ws == null) {
                buffer.add(String.valueOf(EnginePacket.CLOSE));
                flushed = flushPoll();
            }
        }
        if (ws == null) {
            if (flushed) {
                closed("server close");
            }
        } else if (!ws.isClosed()) {
            ws.writeTextMessage(String.valueOf(EnginePacket.CLOSE)).onComplete(written -> closed("server close"));
        }
        // a WebSocket already closing: its close handler ends the connection
    }

    /**
     * Ends the connection at once for a protocol fault ({@code reason} as the reference names it, e.g.
     * {@code "parse error"}); a pending poll is answered with a CLOSE packet, nothing else is sent.
     */
    public void closeForError(String reason) {
        closed(reason);
    }

    private void send(String encoded) {
        ServerWebSocket ws;
        synchronized (this) {
            if (closed || closing) {
                return;
            }
            if (transport != Transport.WEBSOCKET) {
                if (buffered + encoded.length() <= limits.maxSendBuffer()) {
                    buffer.add(encoded);
                    buffered += encoded.length();
                    flushPoll(); // never the closing CLOSE: nothing is sent once closing
                    return;
                }
                ws = null;
            } else {
                ws = webSocket;
            }
        }
        if (ws != null && ws.isClosed()) {
            return; // closing: its close handler ends the connection
        }
        if (ws == null || writeQueueFull(ws)) {
            // the client does not read what it is sent: close it rather than hold more for it
            closed("send buffer full");
            return;
        }
        ws.writeTextMessage(encoded);
    }

    private static boolean writeQueueFull(ServerWebSocket ws) {
        try {
            return ws.writeQueueFull();
        } catch (IllegalStateException e) {
            return false; // closed since the check above: the write fails quietly, the close handler ends the connection
        }
    }

    /**
     * Answers the pending poll with everything buffered (caller holds the lock); true when that carried the CLOSE of
     * {@link #closeWhenFlushed}, so the caller, once it has let go of the lock, ends the connection.
     */
    private boolean flushPoll() {
        if (pendingPoll == null || buffer.isEmpty()) {
            return false;
        }
        HttpServerResponse response = pendingPoll;
        pendingPoll = null;
        answer(response, 200, drain());
        return closing;
    }

    /** Everything buffered as one polling body, the buffer emptied (caller holds the lock). */
    private String drain() {
        String body = String.join(String.valueOf(EnginePacket.SEPARATOR), buffer);
        buffer.clear();
        buffered = 0;
        return body;
    }

    /** False once the connection runs on WebSocket: a POST then is out of place. */
    synchronized boolean acceptsPosts() {
        return !closed && transport == Transport.POLLING;
    }

    /** A long-polling GET: answered now when something is buffered or an upgrade is under way, else held. */
    void poll(HttpServerResponse response) {
        boolean twoPolls;
        boolean flushed = false;
        synchronized (this) {
            if (closed || transport == Transport.WEBSOCKET) {
                answer(response, 400, BAD_REQUEST);
                return;
            }
            twoPolls = pendingPoll != null;
            if (!twoPolls) {
                pendingPoll = response;
                response.closeHandler(v -> pollAbandoned(response));
                if (!buffer.isEmpty()) {
                    flushed = flushPoll();
                } else if (upgrading) {
                    answerPendingWithNoop();
                }
            }
        }
        if (flushed) {
            closed("server close");
        }
        if (twoPolls) {
            // two polls at once break the protocol: the reference server closes the connection
            answer(response, 400, BAD_REQUEST);
            closed("transport error");
        }
    }

    private synchronized void pollAbandoned(HttpServerResponse response) {
        if (pendingPoll == response) {
            pendingPoll = null;
        }
    }

    /** A long-polling POST body: one or more packets separated by U+001E; one that does not parse ends the connection. */
    void receive(String payload) {
        for (String part : payload.split(String.valueOf(EnginePacket.SEPARATOR), -1)) {
            EnginePacket packet = EnginePacket.parse(part);
            if (packet == null) {
                closed("parse error");
                return;
            }
            handle(packet);
        }
    }

    /**
     * A WebSocket that asks to take over this polling connection (probe, then UPGRADE); false when the connection
     * already runs on, or is being moved to, another WebSocket.
     */
    boolean upgradeTo(ServerWebSocket ws) {
        synchronized (this) {
            if (closed || transport == Transport.WEBSOCKET || probe != null) {
                return false;
            }
            probe = ws;
        }
        ws.textMessageHandler(text -> {
            if (text.equals("2probe")) {
                boolean flushed;
                synchronized (this) {
                    upgrading = true;
                    flushed = answerPendingWithNoop();
                }
                if (flushed) {
                    closed("server close");
                    return;
                }
                ws.writeTextMessage("3probe");
            } else if (text.equals(String.valueOf(EnginePacket.UPGRADE))) {
                completeUpgrade(ws);
            } else {
                // anything else on a probe: the reference drops the probe and the connection goes on polling
                ws.close();
            }
        });
        ws.binaryMessageHandler(b -> ws.close());
        ws.exceptionHandler(e -> ws.close());
        ws.closeHandler(v -> webSocketClosed(ws));
        return true;
    }

    /** A WebSocket opened without polling first: it is the transport from the start. */
    void attach(ServerWebSocket ws) {
        synchronized (this) {
            transport = Transport.WEBSOCKET;
            webSocket = ws;
        }
        serveOn(ws);
    }

    /** The handlers of the WebSocket that carries the connection. */
    private void serveOn(ServerWebSocket ws) {
        ws.textMessageHandler(text -> {
            if (text.length() > limits.maxPayload()) {
                closed("transport error");
                return;
            }
            EnginePacket packet = EnginePacket.parse(text);
            if (packet == null) {
                closed("parse error");
            } else {
                handle(packet);
            }
        });
        ws.binaryMessageHandler(b -> closed("parse error"));
        // Vert.x reports a message over quarkus.http.websocket-server.max-message-size here (and drops it): close, as
        // the reference does past maxPayload
        ws.exceptionHandler(e -> closed("transport error"));
        ws.closeHandler(v -> webSocketClosed(ws));
    }

    /**
     * Moves the connection onto {@code ws} and writes it what the polling buffer held. A connection closing
     * ({@link #closeWhenFlushed}) since the probe upgrades all the same, since its client has stopped polling: its
     * buffer ends in the CLOSE packet, and the connection ends once that is written.
     */
    private void completeUpgrade(ServerWebSocket ws) {
        List<String> pending;
        boolean closeWhenWritten;
        synchronized (this) {
            if (closed) {
                ws.close();
                return;
            }
            upgrading = false;
            probe = null;
            transport = Transport.WEBSOCKET;
            webSocket = ws;
            if (pendingPoll != null) {
                answerPendingWithNoop();
            }
            pending = new ArrayList<>(buffer);
            buffer.clear();
            buffered = 0;
            closeWhenWritten = closing;
        }
        serveOn(ws);
        Future<Void> last = Future.succeededFuture();
        for (String packet : pending) {
            last = ws.writeTextMessage(packet);
        }
        if (closeWhenWritten) {
            last.onComplete(written -> closed("server close"));
        }
    }

    private void webSocketClosed(ServerWebSocket ws) {
        synchronized (this) {
            if (webSocket != ws) {
                // a probe that never completed: the connection goes on polling
                if (probe == ws) {
                    probe = null;
                    upgrading = false;
                }
                return;
            }
        }
        closed("transport close");
    }

    /** Answers the pending poll now, with what is buffered or a NOOP; true as {@link #flushPoll} (caller holds the lock). */
    private boolean answerPendingWithNoop() {
        if (pendingPoll == null) {
            return false;
        }
        if (!buffer.isEmpty()) {
            return flushPoll();
        }
        HttpServerResponse response = pendingPoll;
        pendingPoll = null;
        answer(response, 200, String.valueOf(EnginePacket.NOOP));
        return false;
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
                // PING from a client (Engine.IO 3), OPEN, UPGRADE or NOOP out of place: nothing to do, as the reference
            }
        }
    }

    private synchronized void schedulePing() {
        if (closed) {
            return;
        }
        pingTimer = vertx.setTimer(limits.pingIntervalMs(), t -> {
            synchronized (this) {
                if (closed) {
                    return;
                }
                pongDeadline = vertx.setTimer(limits.pingTimeoutMs(), d -> closed("ping timeout"));
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

    private void closed(String reason) {
        Listener target;
        ServerWebSocket ws;
        ServerWebSocket probing;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            vertx.cancelTimer(pingTimer);
            vertx.cancelTimer(connectDeadline);
            if (pongDeadline >= 0) {
                vertx.cancelTimer(pongDeadline);
            }
            if (pendingPoll != null) {
                answer(pendingPoll, 200, String.valueOf(EnginePacket.CLOSE));
                pendingPoll = null;
            }
            buffer.clear();
            buffered = 0;
            target = listener;
            ws = webSocket;
            probing = probe;
        }
        settle();
        onRemoved.run();
        if (ws != null && !ws.isClosed()) {
            ws.close();
        }
        if (probing != null && !probing.isClosed()) {
            probing.close();
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

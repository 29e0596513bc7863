package io.envgrid.gateway.smcp.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.envgrid.gateway.smcp.engineio.EngineSocket;
import io.vertx.core.Vertx;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A client's socket in one namespace: emits events, answers the client's acknowledgements, and emits events
 * that wait for the client's acknowledgement ({@link #request}).
 */
public final class NamespaceSocket {

    /** Why an acknowledgement will never come. */
    public static final class NoAck extends RuntimeException {
        public NoAck(String message) {
            super(message, null, false, false);
        }
    }

    /** The client already has as many acknowledgements owed as it may: the request was not sent. */
    public static final class Saturated extends RuntimeException {
        private final int limit;

        public Saturated(int limit) {
            super("the client already owes " + limit + " acknowledgements", null, false, false);
            this.limit = limit;
        }

        /** How many acknowledgements a client may owe. */
        public int limit() {
            return limit;
        }
    }

    private final String sid;
    private final String namespace;
    private final EngineSocket engine;
    private final ObjectMapper json;
    private final Vertx vertx;
    private final int maxAwaiting;
    private final Consumer<NamespaceSocket> detach;
    private final AtomicLong nextAck = new AtomicLong();
    private final Map<Long, CompletableFuture<ArrayNode>> awaiting = new ConcurrentHashMap<>();
    private volatile boolean connected = true;

    NamespaceSocket(String sid, String namespace, EngineSocket engine, ObjectMapper json, Vertx vertx, int maxAwaiting,
            Consumer<NamespaceSocket> detach) {
        this.sid = sid;
        this.detach = detach;
        this.maxAwaiting = maxAwaiting;
        this.namespace = namespace;
        this.engine = engine;
        this.json = json;
        this.vertx = vertx;
    }

    /** The Socket.IO session id (per namespace; not the Engine.IO id). */
    public String sid() {
        return sid;
    }

    public boolean connected() {
        return connected;
    }

    /** Emits {@code event} with one argument. */
    public void emit(String event, JsonNode payload) {
        send(new SocketIoPacket(SocketIoPacket.EVENT, namespace, null, json.createArrayNode().add(event).add(payload)));
    }

    /** Acknowledges the client's event {@code ackId} with {@code args} (empty: an ack without arguments). */
    public void ack(long ackId, JsonNode... args) {
        ArrayNode data = json.createArrayNode();
        for (JsonNode arg : args) {
            data.add(arg);
        }
        send(new SocketIoPacket(SocketIoPacket.ACK, namespace, ackId, data));
    }

    /**
     * Emits {@code event} asking for an acknowledgement: completes with the ack's arguments, or exceptionally with
     * {@link NoAck} after {@code timeoutMs} or when the client disconnects first, or at once with {@link Saturated}
     * (nothing sent) when the client already owes as many acknowledgements as it may.
     */
    public CompletableFuture<ArrayNode> request(String event, JsonNode payload, long timeoutMs) {
        long id = nextAck.getAndIncrement();
        CompletableFuture<ArrayNode> answer = new CompletableFuture<>();
        synchronized (awaiting) {
            if (awaiting.size() >= maxAwaiting) {
                return CompletableFuture.failedFuture(new Saturated(maxAwaiting));
            }
            awaiting.put(id, answer);
        }
        long timer = vertx.setTimer(Math.max(1, timeoutMs), t -> {
            CompletableFuture<ArrayNode> late = awaiting.remove(id);
            if (late != null) {
                late.completeExceptionally(new NoAck("no acknowledgement within " + timeoutMs + " ms"));
            }
        });
        answer.whenComplete((r, e) -> vertx.cancelTimer(timer));
        if (!connected) {
            awaiting.remove(id);
            answer.completeExceptionally(new NoAck("disconnected"));
            return answer;
        }
        send(new SocketIoPacket(SocketIoPacket.EVENT, namespace, id, json.createArrayNode().add(event).add(payload)));
        return answer;
    }

    /** How many acknowledgements the client owes the server now. */
    public int awaiting() {
        return awaiting.size();
    }

    /** Ends the client's whole connection at once, for a client that breaks a bound (a protocol fault by its reference name). */
    public void closeConnection(String reason) {
        engine.closeForError(reason);
    }

    /**
     * Ends the client's membership of the namespace: a DISCONNECT packet (the client sees {@code io server disconnect}
     * and, by Socket.IO's rule, does not reconnect by itself), then the namespace's handler hears the disconnect as
     * for any other. The Engine.IO connection stays open while another namespace of it is connected; otherwise it is
     * closed once the packet has reached the client ({@link EngineSocket#closeWhenFlushed}). Nothing happens when the
     * socket already left.
     */
    public void disconnect() {
        if (!connected) {
            return;
        }
        send(new SocketIoPacket(SocketIoPacket.DISCONNECT, namespace, null, null));
        detach.accept(this);
    }

    void acknowledged(long id, JsonNode data) {
        CompletableFuture<ArrayNode> answer = awaiting.remove(id);
        if (answer != null) {
            answer.complete(data instanceof ArrayNode args ? args : json.createArrayNode());
        }
    }

    void ended() {
        connected = false;
        awaiting.values().forEach(a -> a.completeExceptionally(new NoAck("disconnected")));
        awaiting.clear();
    }

    void send(SocketIoPacket packet) {
        engine.sendMessage(packet.encode());
    }
}

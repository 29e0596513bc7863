package io.envgrid.gateway.smcp.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.smcp.engineio.EngineIoServer;
import io.envgrid.gateway.smcp.engineio.EngineSocket;
import io.vertx.core.Vertx;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket.IO 5 over the Engine.IO connections of an {@link EngineIoServer}: namespace CONNECT (with the client's
 * {@code auth}), EVENT and ACK in both directions, DISCONNECT. Namespaces not registered are refused with
 * CONNECT_ERROR "Invalid namespace", as the reference server does. A connection left with no namespace, whether
 * its client left the last one or the server ended it ({@link NamespaceSocket#disconnect}), is closed, as
 * socket.io-client's manager closes it.
 */
public final class SocketIoServer {

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ObjectMapper json;
    private final Vertx vertx;
    private final int maxAwaiting;
    private final Map<String, NamespaceHandler> namespaces = new ConcurrentHashMap<>();

    /** @param maxAwaiting acknowledgements one client may owe the server at once ({@link NamespaceSocket#request}) */
    public SocketIoServer(ObjectMapper json, Vertx vertx, int maxAwaiting) {
        this.json = json;
        this.vertx = vertx;
        this.maxAwaiting = maxAwaiting;
    }

    /** Serves {@code namespace} (for example {@code /smcp}) with {@code handler}. */
    public void namespace(String namespace, NamespaceHandler handler) {
        namespaces.put(namespace, handler);
    }

    /** Takes over a new Engine.IO connection. */
    public void accept(EngineSocket engine) {
        Connection connection = new Connection(engine);
        EngineIoServer.listen(engine, connection);
    }

    /** One Engine.IO connection and the namespaces its client joined; packets of one connection are handled in order. */
    private final class Connection implements EngineSocket.Listener {
        private final EngineSocket engine;
        private final Map<String, NamespaceSocket> joined = new ConcurrentHashMap<>();

        Connection(EngineSocket engine) {
            this.engine = engine;
        }

        @Override
        public synchronized void onMessage(String data) {
            SocketIoPacket packet = SocketIoPacket.parse(data, json);
            if (packet == null) {
                // a malformed or binary (BINARY_EVENT/BINARY_ACK) packet: the reference's decoder fails and its
                // client closes the connection with "parse error"
                engine.closeForError("parse error");
                return;
            }
            switch (packet.type()) {
                case SocketIoPacket.CONNECT -> connect(packet);
                case SocketIoPacket.EVENT -> event(packet);
                case SocketIoPacket.ACK -> {
                    NamespaceSocket socket = joined.get(packet.namespace());
                    if (socket != null && packet.ackId() != null) {
                        socket.acknowledged(packet.ackId(), packet.data());
                    }
                }
                case SocketIoPacket.DISCONNECT -> {
                    NamespaceSocket socket = joined.remove(packet.namespace());
                    if (socket != null) {
                        socket.ended();
                        namespaces.get(packet.namespace()).onDisconnect(socket, "client namespace disconnect");
                        if (joined.isEmpty()) {
                            // no namespace left: socket.io-client closes such a connection itself; one kept open
                            // would count neither as waiting to connect nor as its principal's connection
                            engine.close();
                        }
                    }
                }
                default -> engine.closeForError("parse error"); // CONNECT_ERROR is the server's to send
            }
        }

        private void connect(SocketIoPacket packet) {
            NamespaceHandler handler = namespaces.get(packet.namespace());
            if (handler == null) {
                refuse(packet.namespace(), "Invalid namespace", null);
                return;
            }
            if (joined.containsKey(packet.namespace())) {
                return;
            }
            NamespaceSocket socket = new NamespaceSocket(newSid(), packet.namespace(), engine, json, vertx, maxAwaiting,
                    this::serverDisconnect);
            ConnectRefusal refusal = handler.connect(socket, packet.data(), engine.handshakeQuery());
            if (refusal != null) {
                refuse(packet.namespace(), refusal.message(), refusal.data());
                return;
            }
            joined.put(packet.namespace(), socket);
            engine.authenticated();
            socket.send(new SocketIoPacket(SocketIoPacket.CONNECT, packet.namespace(), null,
                    json.createObjectNode().put("sid", socket.sid())));
        }

        /** CONNECT_ERROR {@code {message, data?}}: socket.io-client raises {@code connect_error} with both. */
        private void refuse(String namespace, String message, JsonNode data) {
            ObjectNode error = json.createObjectNode().put("message", message);
            if (data != null) {
                error.set("data", data);
            }
            engine.sendMessage(new SocketIoPacket(SocketIoPacket.CONNECT_ERROR, namespace, null, error).encode());
        }

        /**
         * The server ended a socket's membership ({@link NamespaceSocket#disconnect}, its DISCONNECT packet already
         * sent). Socket.IO ends only that namespace; when it was the connection's last, the Engine.IO connection is
         * closed too, once the DISCONNECT has reached the client: socket.io-client would close it itself, and a
         * client that ignores the packet must not keep a connection that no namespace uses.
         */
        private synchronized void serverDisconnect(NamespaceSocket socket) {
            for (Map.Entry<String, NamespaceSocket> entry : joined.entrySet()) {
                if (entry.getValue() == socket && joined.remove(entry.getKey(), socket)) {
                    socket.ended();
                    namespaces.get(entry.getKey()).onDisconnect(socket, "server namespace disconnect");
                    if (joined.isEmpty()) {
                        engine.closeWhenFlushed();
                    }
                    return;
                }
            }
        }

        private void event(SocketIoPacket packet) {
            NamespaceSocket socket = joined.get(packet.namespace());
            JsonNode data = packet.data();
            if (socket == null || !(data instanceof ArrayNode args) || args.isEmpty() || !args.get(0).isTextual()) {
                return;
            }
            String name = args.get(0).asText();
            ArrayNode rest = json.createArrayNode();
            for (int i = 1; i < args.size(); i++) {
                rest.add(args.get(i));
            }
            namespaces.get(packet.namespace()).onEvent(socket, name, rest, packet.ackId());
        }

        @Override
        public synchronized void onClose(String reason) {
            joined.forEach((namespace, socket) -> {
                socket.ended();
                namespaces.get(namespace).onDisconnect(socket, reason);
            });
            joined.clear();
        }
    }

    private static String newSid() {
        byte[] bytes = new byte[15];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}

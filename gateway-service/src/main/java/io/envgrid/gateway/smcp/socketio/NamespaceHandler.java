package io.envgrid.gateway.smcp.socketio;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.Map;

/** What a Socket.IO namespace does with its clients; calls for one socket never overlap. */
public interface NamespaceHandler {

    /**
     * A client asks to join the namespace with its {@code auth} payload (null when it sent none) and the query of
     * the connection's first request; a non-null answer refuses it with that CONNECT_ERROR.
     */
    ConnectRefusal connect(NamespaceSocket socket, JsonNode auth, Map<String, String> handshakeQuery);

    /** An EVENT: its name and the arguments after the name; {@code ackId} null when the client wants no ack. */
    void onEvent(NamespaceSocket socket, String event, ArrayNode args, Long ackId);

    /** The client left the namespace or its connection ended. */
    void onDisconnect(NamespaceSocket socket, String reason);
}

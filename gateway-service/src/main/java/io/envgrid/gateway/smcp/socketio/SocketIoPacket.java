package io.envgrid.gateway.smcp.socketio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.gateway.json.StrictJson;

/**
 * One Socket.IO 5 packet: {@code <type>[<nsp>,][<ack id>][<JSON data>]}
 * (<a href="https://socket.io/docs/v4/socket-io-protocol/">Socket.IO protocol v5</a>). The binary types
 * ({@link #BINARY_EVENT}, {@link #BINARY_ACK}) are refused by {@link #parse}: A2C-SMCP carries only JSON, and a server
 * that accepted them would have to hold the announced attachments.
 *
 * @param namespace "/" when the packet names none
 * @param ackId     null when the packet asks for no acknowledgement
 * @param data      null when the packet carries none
 */
public record SocketIoPacket(int type, String namespace, Long ackId, JsonNode data) {

    public static final int CONNECT = 0;
    public static final int DISCONNECT = 1;
    public static final int EVENT = 2;
    public static final int ACK = 3;
    public static final int CONNECT_ERROR = 4;
    /** Not served (see above); named so that refusing them is explicit. */
    public static final int BINARY_EVENT = 5;
    public static final int BINARY_ACK = 6;

    /**
     * The packet a text message holds, or null when it is malformed or binary (types 5 and 6). Data with a key twice in
     * one object is malformed ({@link StrictJson}): which of the two a check read and which one was used would be
     * unclear. Why it is malformed is not told: the reference's decoder closes the connection and gives no reason.
     */
    public static SocketIoPacket parse(String text, ObjectMapper json) {
        if (text.isEmpty() || text.charAt(0) < '0' || text.charAt(0) >= '0' + BINARY_EVENT) {
            return null;
        }
        int type = text.charAt(0) - '0';
        int i = 1;
        String namespace = "/";
        if (i < text.length() && text.charAt(i) == '/') {
            int comma = text.indexOf(',', i);
            namespace = comma < 0 ? text.substring(i) : text.substring(i, comma);
            i = comma < 0 ? text.length() : comma + 1;
        }
        int digits = i;
        while (digits < text.length() && Character.isDigit(text.charAt(digits)) && digits - i < 18) {
            digits++;
        }
        Long ackId = digits > i ? Long.parseLong(text.substring(i, digits)) : null;
        JsonNode data = null;
        if (digits < text.length()) {
            try {
                data = StrictJson.reader(json).readTree(text.substring(digits));
            } catch (JsonProcessingException e) {
                return null;
            }
        }
        return new SocketIoPacket(type, namespace, ackId, data);
    }

    /** The packet's text form. */
    public String encode() {
        StringBuilder out = new StringBuilder().append(type);
        if (!"/".equals(namespace)) {
            out.append(namespace).append(',');
        }
        if (ackId != null) {
            out.append(ackId);
        }
        if (data != null) {
            out.append(data);
        }
        return out.toString();
    }
}

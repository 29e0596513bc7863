package io.envgrid.gateway.smcp.engineio;

/**
 * One Engine.IO 4 packet in its text form: a type digit, then the data
 * (<a href="https://socket.io/docs/v4/engine-io-protocol/">Engine.IO protocol v4</a>). Binary packets are not
 * served: A2C-SMCP carries only JSON, so a binary one is a parse error that ends the connection.
 */
public record EnginePacket(char type, String data) {

    public static final char OPEN = '0';
    public static final char CLOSE = '1';
    public static final char PING = '2';
    public static final char PONG = '3';
    public static final char MESSAGE = '4';
    public static final char UPGRADE = '5';
    public static final char NOOP = '6';

    /** Separator of packets in one HTTP long-polling body (record separator, U+001E). */
    public static final char SEPARATOR = '\u001e';

    /** Parses one packet; null for an empty string, an unknown type or a binary ("b…") packet. */
    public static EnginePacket parse(String text) {
        if (text.isEmpty() || text.charAt(0) < OPEN || text.charAt(0) > NOOP) {
            return null;
        }
        return new EnginePacket(text.charAt(0), text.substring(1));
    }

    public String encode() {
        return type + data;
    }

    public static EnginePacket message(String data) {
        return new EnginePacket(MESSAGE, data);
    }
}

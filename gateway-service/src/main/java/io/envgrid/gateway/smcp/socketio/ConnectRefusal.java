package io.envgrid.gateway.smcp.socketio;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Why a namespace CONNECT is refused: the CONNECT_ERROR packet's {@code message} and, when not null, its {@code data}
 * (socket.io-client hands both to {@code connect_error} as {@code err.message} and {@code err.data}).
 */
public record ConnectRefusal(String message, JsonNode data) {

    /** A refusal with a message only (the reference's {@code ConnectionRefusedError}). */
    public static ConnectRefusal of(String message) {
        return new ConnectRefusal(message, null);
    }
}

package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.envgrid.gateway.smcp.handshake.Generation;

/**
 * The acknowledgement shapes of the two generations (docs/contracts/smcp.md §5): 0.4 answers joins and leaves with two
 * arguments {@code (true, null)} / {@code (false, "<message>")}; 0.5 with an empty ack or one flat ErrorPayload
 * {@code {code, message, details?}}. An ack is sent only when the client asked for one.
 */
final class Acks {

    private final ObjectMapper json;

    Acks(ObjectMapper json) {
        this.json = json;
    }

    /** A join or leave that succeeded, in the member's generation. */
    void ok(Member member, Long ackId) {
        if (ackId == null) {
            return;
        }
        if (member.generation == Generation.V0_4) {
            member.socket.ack(ackId, BooleanNode.TRUE, NullNode.instance);
        } else {
            member.socket.ack(ackId);
        }
    }

    /** A 0.4 refusal: {@code (false, message)}. */
    void refused(Member member, Long ackId, String message) {
        if (ackId != null) {
            member.socket.ack(ackId, BooleanNode.FALSE, TextNode.valueOf(message));
        }
    }

    /** A flat ErrorPayload ({@code details} left out when null). */
    void error(Member member, Long ackId, int code, String message, ObjectNode details) {
        if (ackId != null) {
            member.socket.ack(ackId, error(code, message, details));
        }
    }

    ObjectNode error(int code, String message, ObjectNode details) {
        ObjectNode payload = json.createObjectNode().put("code", code).put("message", message);
        if (details != null) {
            payload.set("details", details);
        }
        return payload;
    }

    /** The empty acknowledgement python-socketio sends for a handler that returns nothing. */
    void empty(Member member, Long ackId) {
        if (ackId != null) {
            member.socket.ack(ackId);
        }
    }

    /** An acknowledgement with one value. */
    void value(Member member, Long ackId, JsonNode value) {
        if (ackId != null) {
            member.socket.ack(ackId, value);
        }
    }

    ObjectNode details() {
        return json.createObjectNode();
    }
}

package io.envgrid.gateway.smcp;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.SocketIoDriver;
import java.util.UUID;

/** The SMCP events the tests send, as the SDKs build them, over a {@link SocketIoDriver}. */
final class Offices {

    /** How long a test waits to be sure an ack does not come. */
    static final long NO_ACK_MS = 1200;
    static final long ACK_MS = 5000;

    private final SocketIoDriver driver;

    Offices(SocketIoDriver driver) {
        this.driver = driver;
    }

    static String office() {
        return "office-" + UUID.randomUUID();
    }

    /** Connects a client (unique name per test run) and answers its name. */
    String connect(String client, String url, String version) {
        driver.ok(SocketIoDriver.command("connect").put("client", client).put("url", url).put("version", version)
                .set("auth", SocketIoDriver.object().put("token", SmcpGateways.TOKEN)));
        return client;
    }

    static ObjectNode joinReq(String role, String name, String office) {
        return SocketIoDriver.object().put("role", role).put("name", name).put("office_id", office);
    }

    /** {@code server:join_office}: answers the ack's arguments. */
    ArrayNode join(String client, String role, String name, String office) {
        return acked(driver.emit(client, "server:join_office", ACK_MS, joinReq(role, name, office)));
    }

    ArrayNode leave(String client, String office) {
        return acked(driver.emit(client, "server:leave_office", ACK_MS, SocketIoDriver.object().put("office_id", office)));
    }

    ArrayNode listRoom(String client, String agent, String office) {
        return acked(driver.emit(client, "server:list_room", ACK_MS,
                SocketIoDriver.object().put("agent", agent).put("req_id", "list-1").put("office_id", office)));
    }

    static ObjectNode call(String agent, String computer) {
        return SocketIoDriver.object().put("agent", agent).put("req_id", UUID.randomUUID().toString()).put("computer", computer);
    }

    /** The ack's arguments; fails when no ack came. */
    static ArrayNode acked(JsonNode emitted) {
        if (!emitted.path("acked").asBoolean()) {
            throw new AssertionError("no acknowledgement");
        }
        return (ArrayNode) emitted.path("args");
    }

    /** True when no ack came within {@link #NO_ACK_MS}. */
    boolean unanswered(String client, String event, JsonNode... args) {
        return !driver.emit(client, event, NO_ACK_MS, args).path("acked").asBoolean();
    }

    /** The names of the unread events a client received (consumed). */
    String eventNames(String client) {
        StringBuilder names = new StringBuilder();
        driver.events(client).forEach(e -> names.append(e.path("event").asText()).append(' '));
        return names.toString().trim();
    }

    /** 0.4's successful join/leave ack {@code (true, null)}. */
    static ArrayNode ok04() {
        return SocketIoDriver.array().add(true).addNull();
    }

    static ArrayNode refused04(String message) {
        return SocketIoDriver.array().add(false).add(message);
    }

    /** A flat ErrorPayload as the single ack argument. */
    static ArrayNode error(int code, String message, ObjectNode details) {
        ObjectNode payload = SocketIoDriver.object().put("code", code).put("message", message);
        if (details != null) {
            payload.set("details", details);
        }
        return SocketIoDriver.array().add(payload);
    }

    /** A {@code GetToolsRet} with no tools, as a fake Computer answers {@code client:get_tools}. */
    static ObjectNode noTools() {
        ObjectNode ret = SocketIoDriver.object();
        ret.putArray("tools");
        return ret;
    }
}

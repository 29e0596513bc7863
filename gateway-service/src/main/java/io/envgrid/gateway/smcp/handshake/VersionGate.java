package io.envgrid.gateway.smcp.handshake;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The {@code a2c_version} check of every Socket.IO HTTP request (polling and the WebSocket handshake alike),
 * before Engine.IO sees it, answering as the reference middleware does ({@code a2c_smcp/server/middleware.py}):
 * 400 with {@code {"code":400,…}} for a missing or malformed version, 400 with {@code X-A2C-Error-Code: 4008} and
 * the supported range for an incompatible one.
 */
public final class VersionGate {

    /** The query parameter the SDKs append to the URL. */
    public static final String PARAM = "a2c_version";

    private final ObjectMapper json;

    public VersionGate(ObjectMapper json) {
        this.json = json;
    }

    /** True when the request may go on; otherwise it has been answered. */
    public boolean admit(HttpServerRequest request) {
        String value = request.getParam(PARAM);
        if (value == null) {
            reject(request.response(), json.createObjectNode().put("code", 400)
                    .put("message", "Missing a2c_version query parameter"), false);
            return false;
        }
        A2cVersion version;
        try {
            version = A2cVersion.parse(value);
        } catch (IllegalArgumentException e) {
            reject(request.response(), json.createObjectNode().put("code", 400)
                    .put("message", "Invalid a2c_version: " + e.getMessage()), false);
            return false;
        }
        if (Generation.serving(version).isEmpty()) {
            Generation oldest = Generation.values()[0];
            Generation newest = Generation.newest();
            reject(request.response(), json.createObjectNode().put("code", 4008).put("message", "Protocol version mismatch")
                    .put("server_version", newest.version().toString()).put("client_version", value)
                    .put("min_supported", oldest.version().toString())
                    .put("max_supported", newest.version().major() + "." + newest.version().minor() + ".999"), true);
            return false;
        }
        return true;
    }

    /** The generation of a connection whose handshake passed {@link #admit}. */
    public static Generation generationOf(String value) {
        return Generation.serving(A2cVersion.parse(value)).orElseThrow();
    }

    private static void reject(HttpServerResponse response, ObjectNode body, boolean mismatch) {
        byte[] bytes = body.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        response.setStatusCode(400).putHeader("Content-Type", "application/json")
                .putHeader("Content-Length", String.valueOf(bytes.length));
        if (mismatch) {
            response.putHeader("X-A2C-Error-Code", "4008");
        }
        response.end(io.vertx.core.buffer.Buffer.buffer(bytes));
    }
}

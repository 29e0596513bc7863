package io.envgrid.deviceagent.computer.hosting;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An A2C-SMCP refusal, answered as the flat {@code ErrorPayload {code, message, details?}} (never the REST
 * envelope): 4014 no MCP server of that bundle id, 4015 the server lacks the capability, 4016 no such skill,
 * 4018/4019 blobs, 400 a bad payload.
 */
public final class ProtocolError extends RuntimeException {

    private final int code;
    private final Map<String, Object> details;

    public ProtocolError(int code, String message, Map<String, Object> details) {
        super(message);
        this.code = code;
        this.details = details == null ? Map.of() : details;
    }

    public int code() {
        return code;
    }

    /** The wire form. */
    public Map<String, Object> toWire() {
        Map<String, Object> wire = new LinkedHashMap<>();
        wire.put("code", code);
        wire.put("message", getMessage());
        if (!details.isEmpty()) {
            wire.put("details", details);
        }
        return wire;
    }
}

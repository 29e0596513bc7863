package io.envgrid.deviceagent.osworld;

import java.util.Map;

/** A complete OSWorld-shaped answer with a non-200 status, thrown where the answer is decided. */
public class DesktopAnswer extends RuntimeException {

    private final int status;
    private final transient Map<String, Object> body;

    public DesktopAnswer(int status, Map<String, Object> body) {
        super(String.valueOf(body.get("status")), null, false, false);
        this.status = status;
        this.body = body;
    }

    public int status() {
        return status;
    }

    public Map<String, Object> body() {
        return body;
    }
}

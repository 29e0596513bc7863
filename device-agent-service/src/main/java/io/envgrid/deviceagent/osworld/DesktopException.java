package io.envgrid.deviceagent.osworld;

/** A desktop call that failed, answered in OSWorld's shape ({@code {"status": "error", "message"}}) with this status. */
public class DesktopException extends RuntimeException {

    private final int status;
    /** The envelope's code; null: derived from the status. */
    private final String code;

    public DesktopException(int status, String message) {
        this(status, null, message);
    }

    public DesktopException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    /** The envelope's code, or null to derive it from the status. */
    public String code() {
        return code;
    }

    public int status() {
        return status;
    }
}

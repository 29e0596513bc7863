package io.envgrid.deviceagent.osworld;

/** A desktop call that failed, answered in OSWorld's shape ({@code {"status": "error", "message"}}) with this status. */
public class DesktopException extends RuntimeException {

    private final int status;

    public DesktopException(int status, String message) {
        super(message);
        this.status = status;
    }

    public int status() {
        return status;
    }
}

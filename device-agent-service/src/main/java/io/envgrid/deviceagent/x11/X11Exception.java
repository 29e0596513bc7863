package io.envgrid.deviceagent.x11;

/**
 * The X display cannot serve a call: none is configured ({@link Reason#NO_DISPLAY}), or an X tool is missing,
 * failed, timed out or printed what cannot be read ({@link Reason#TOOL_FAILED}). The OSWorld server answers the
 * first with 503 and the second with 500.
 */
public class X11Exception extends RuntimeException {

    /** Why the display could not serve the call. */
    public enum Reason {
        NO_DISPLAY, TOOL_FAILED
    }

    private final Reason reason;

    public X11Exception(Reason reason, String message) {
        super(message);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}

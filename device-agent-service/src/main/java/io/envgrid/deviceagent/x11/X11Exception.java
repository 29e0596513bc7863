package io.envgrid.deviceagent.x11;

/**
 * The X display cannot serve a call: none is configured ({@link NoDisplay}), or an X tool is missing, failed,
 * timed out or printed what cannot be read ({@link ToolFailed}). The OSWorld server answers the first with 503 and
 * the second with 500.
 */
public abstract sealed class X11Exception extends RuntimeException
        permits X11Exception.NoDisplay, X11Exception.ToolFailed {

    X11Exception(String message) {
        super(message);
    }

    /** Neither {@code envgrid.device-agent.desktop.display} nor DISPLAY names a display, or the desktop is off. */
    public static final class NoDisplay extends X11Exception {
        NoDisplay(String message) {
            super(message);
        }
    }

    /** An X tool could not be run, failed, timed out, or printed what cannot be read. */
    public static final class ToolFailed extends X11Exception {
        ToolFailed(String message) {
            super(message);
        }
    }
}

package io.envgrid.deviceagent.x11;

/**
 * The X display cannot serve a call: none is configured ({@link NoDisplay}); the server cannot be reached, refused
 * the connection, went away or fell silent ({@link Unreachable}); it answered a request with an X error
 * ({@link Refused}); or the call asks what this client cannot do on it ({@link Unsupported}). The OSWorld server
 * answers the first two with 503 and the others with 500.
 */
public abstract sealed class X11Exception extends RuntimeException
        permits X11Exception.NoDisplay, X11Exception.Unreachable, X11Exception.Refused, X11Exception.Unsupported {

    X11Exception(String message) {
        super(message);
    }

    /** Neither {@code envgrid.device-agent.desktop.display} nor DISPLAY names a display, or the desktop is off. */
    public static final class NoDisplay extends X11Exception {
        public NoDisplay(String message) {
            super(message);
        }
    }

    /**
     * No connection: the display name is malformed, nothing listens, the server refused the handshake (reason
     * included), closed the connection, or did not answer within the timeout. The next call connects again.
     */
    public static final class Unreachable extends X11Exception {
        public Unreachable(String message) {
            super(message);
        }
    }

    /** The server answered a request with an error packet (Protocol section 4, "Errors"). */
    public static final class Refused extends X11Exception {
        private final int code;

        public Refused(int code, int majorOpcode, int minorOpcode, int badValue) {
            super("the X server refused request " + majorOpcode + "." + minorOpcode + " with error " + code
                    + " (bad value " + Integer.toUnsignedString(badValue) + ")");
            this.code = code;
        }

        /** The X error code: 2 Value, 8 Match, 11 Alloc, ... */
        public int code() {
            return code;
        }
    }

    /** What this client cannot do on this server: an unknown keysym name, a pixel format other than true colour. */
    public static final class Unsupported extends X11Exception {
        public Unsupported(String message) {
            super(message);
        }
    }
}

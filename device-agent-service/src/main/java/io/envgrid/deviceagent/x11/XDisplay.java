package io.envgrid.deviceagent.x11;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.x11.wire.X11Connection;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The host's X display and the agent's one connection to it (own X11 client in {@code x11.wire}), opened on first
 * use and kept. Calls are serialised by a lock: X input is one stream anyway, and a request with its reply must not
 * interleave with another caller's. A connection that breaks (the X server restarted or died) is dropped, and the call
 * runs once more on a fresh connection; if that fails too the caller gets the {@link X11Exception.Unreachable}.
 * Absent when the desktop endpoint is off or no display is known.
 */
@ApplicationScoped
public class XDisplay {

    /** An X server answers at once; longer means the display is wedged. */
    private static final Duration REPLY_TIMEOUT = Duration.ofSeconds(10);

    /** Asked at every use: a hosted desktop's X server picks its display number anew at every reset. */
    private final java.util.function.Supplier<Optional<String>> display;
    /** The display's own cookie file (a hosted desktop's); null: Xlib's rule ($XAUTHORITY, else ~/.Xauthority). */
    private final java.nio.file.Path xauthority;
    private final ReentrantLock lock = new ReentrantLock();
    private XSession session;

    @Inject
    public XDisplay(DeviceAgentConfig config) {
        this(config.desktop().enabled()
                ? config.desktop().display().or(() -> Optional.ofNullable(System.getenv("DISPLAY"))).filter(d -> !d.isBlank())
                : Optional.empty(), config.desktop().xauthority().filter(f -> !f.isBlank()).map(java.nio.file.Path::of)
                        .orElse(null));
    }

    /** A display by name, outside CDI (tests, the benchmark). */
    XDisplay(Optional<String> display) {
        this(display, null);
    }

    /** {@code xauthority}: the display's cookie file ({@code desktop.xauthority}); null: Xlib's rule. */
    private XDisplay(Optional<String> display, java.nio.file.Path xauthority) {
        this.display = () -> display;
        this.xauthority = xauthority;
    }

    /**
     * A hosted desktop's display, whichever its X server runs on now (empty while none runs), entered with the cookie
     * in {@code xauthority} (see {@code fleet/DisplayServer}).
     */
    public XDisplay(java.util.function.Supplier<Optional<String>> display, java.nio.file.Path xauthority) {
        this.display = display;
        this.xauthority = xauthority;
    }

    public Optional<String> name() {
        return display.get();
    }

    /** The display name; an {@link X11Exception.NoDisplay} when there is none. */
    public String require() {
        return display.get().orElseThrow(() -> new X11Exception.NoDisplay(
                "no X display: set envgrid.device-agent.desktop.display "
                + "or DISPLAY and enable envgrid.device-agent.desktop.enabled"));
    }

    /** Environment for programs that draw on or read the display. */
    public Map<String, String> environment() {
        return xauthority == null ? Map.of("DISPLAY", require())
                : Map.of("DISPLAY", require(), "XAUTHORITY", xauthority.toString());
    }

    /**
     * Runs {@code work} on the connection, alone. A connection that had been open and turns out broken is
     * replaced once and the work run again: the server it was sent to is gone, so none of it took effect.
     */
    <T> T with(Function<XSession, T> work) {
        String name = require();
        lock.lock();
        try {
            boolean fresh = session == null;
            try {
                return work.apply(open(name));
            } catch (X11Exception.Unreachable e) {
                drop();
                if (fresh) {
                    throw e;
                }
                return work.apply(open(name));
            } catch (RuntimeException e) {
                if (!(e instanceof X11Exception)) {
                    // the stream's state is unknown after an unexpected failure; start over next time
                    drop();
                }
                throw e;
            }
        } catch (X11Exception.Unreachable e) {
            drop();
            throw e;
        } finally {
            lock.unlock();
        }
    }

    /** Gives spare keycodes bound for typing back their NoSymbol and closes the connection. */
    @PreDestroy
    public void close() {
        lock.lock();
        try {
            if (session != null) {
                try {
                    session.keyboard.restore();
                } catch (X11Exception e) {
                    // the server is gone or refuses; nothing is left to restore on it
                }
                drop();
            }
        } finally {
            lock.unlock();
        }
    }

    private XSession open(String name) {
        if (session == null) {
            X11Connection connection = xauthority == null ? X11Connection.open(name, REPLY_TIMEOUT)
                    : X11Connection.open(name, REPLY_TIMEOUT, xauthority);
            try {
                session = new XSession(connection);
            } catch (RuntimeException e) {
                connection.close();
                throw e;
            }
        }
        return session;
    }

    private void drop() {
        if (session != null) {
            session.close();
            session = null;
        }
    }
}

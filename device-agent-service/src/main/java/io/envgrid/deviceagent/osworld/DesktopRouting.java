package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.exec.WorkerFiles;
import io.envgrid.deviceagent.fleet.DesktopFleet;
import io.envgrid.deviceagent.registration.AgentIdentity;
import io.envgrid.deviceagent.x11.ScreenCapture;
import io.envgrid.deviceagent.x11.XDisplay;
import io.envgrid.deviceagent.x11.XInput;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * Which desktop an OSWorld-protocol request is for. The one routing rule of every desktop route (also routes added
 * in other classes: call {@link #current()} and act only on what it returns):
 * <ul>
 * <li>Each hosted desktop ({@code envgrid.device-agent.desktops.count} ≥ 1) has its own port
 * ({@code desktops.first-port} + index), because OSWorld's clients and the vm-controller address a desktop by
 * {@code ip}:{@code port} alone. That port is a reverse proxy in this process ({@code fleet/DesktopPorts}) in front of
 * the agent's HTTP port which sets {@value #DESKTOP_HEADER} to the desktop's index, overwriting whatever the caller
 * sent. On the agent's own port the header names the desktop directly; a request without it, or naming a desktop the
 * agent does not host, is {@code 404}.</li>
 * <li>Without hosted desktops the agent serves the one attached display (the {@code desktop.display}/DISPLAY of
 * before) at the root of its port: no header, or {@code 0}.</li>
 * </ul>
 * The lock ({@link DesktopLock}) checks the lease of the desktop this returns, so a lease token of desktop A never
 * opens desktop B, whatever port or header it arrives with. A desktop being reset answers {@code 503}; a hosted desktop
 * whose reset began after the lock admitted the request answers {@code 409 LEASE_NOT_LIVE} (the lease checked ended
 * before that reset).
 */
@ApplicationScoped
public class DesktopRouting {

    /** The request header naming a hosted desktop by index. */
    public static final String DESKTOP_HEADER = "X-Envgrid-Desktop";

    private final DesktopFleet fleet;
    private final Desktop attached;
    @Inject
    HttpServerRequest request;
    @Inject
    RoutingContext exchange;

    /** Where the lock leaves the reset generation a request was admitted at. */
    private static final String ADMITTED_AT = "envgrid.desktop.admitted-generation";

    public DesktopRouting(DesktopFleet fleet, AgentIdentity identity, XDisplay display, XInput input,
            ScreenCapture screen, AccessibilityTree accessibility, DesktopCommands commands, ScreenRecorder recorder,
            WorkerFiles files, WorkerExec workers, DesktopWindows windows) {
        this.fleet = fleet;
        this.attached = new Desktop("0", identity.desktopResourceId(), display, input, screen, accessibility, commands,
                recorder, files, workers, windows);
    }

    /**
     * The current request's desktop; a {@link DesktopException} (404, 503) when there is none to act on, 409 when
     * it was reset since the lock admitted the request.
     */
    public Desktop current() {
        String name = request.getHeader(DESKTOP_HEADER);
        Desktop desktop = resolve(name);
        Long admittedAt = exchange.get(ADMITTED_AT);
        if (admittedAt != null && admittedAt != generation(name)) {
            throw new DesktopException(409, ErrorCode.LEASE_NOT_LIVE, "desktop " + desktop.name()
                    + " was reset after this call's lease was checked: that lease has ended");
        }
        return desktop;
    }

    /** The reset generation of the desktop {@code name} routes to (0 for the attached one, which is never reset). */
    long generation(String name) {
        return fleet.hosting() && name != null ? fleet.generation(name) : 0;
    }

    /** Records on the current request the generation (read before its lease check) it was admitted at. */
    void admitAt(long generation) {
        exchange.put(ADMITTED_AT, generation);
    }

    /** The desktop {@code name} (a header value, or null) routes to. */
    public Desktop resolve(String name) {
        if (!fleet.hosting()) {
            if (name == null || name.equals("0")) {
                return attached;
            }
            throw new DesktopException(404, ErrorCode.DESKTOP_NOT_FOUND, "this agent serves one attached desktop; there is no desktop '"
                    + abbreviated(name) + "'");
        }
        if (name == null) {
            throw new DesktopException(404, ErrorCode.DESKTOP_NOT_FOUND, "this agent hosts " + fleet.size() + " desktops: call a desktop's own port, "
                    + "or name it with the " + DESKTOP_HEADER + " header");
        }
        return fleet.serving(name).orElseThrow(() -> new DesktopException(404, ErrorCode.DESKTOP_NOT_FOUND, "no desktop '" + abbreviated(name)
                + "' on this agent (it hosts 0 to " + (fleet.size() - 1) + ")"));
    }

    private static String abbreviated(String name) {
        return name.length() > 40 ? name.substring(0, 40) + "…" : name;
    }
}

package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.envgrid.deviceagent.exec.WorkerFiles;
import io.envgrid.deviceagent.fleet.AttachedDesktop;
import io.envgrid.deviceagent.fleet.DesktopFleet;
import io.envgrid.deviceagent.fleet.HeadChecks;
import io.envgrid.deviceagent.x11.ScreenCapture;
import io.envgrid.deviceagent.x11.XDisplay;
import io.envgrid.deviceagent.x11.XInput;
import io.envgrid.deviceagent.access.Credentials;
import io.envgrid.deviceagent.access.LeaseAccess;
import io.vertx.core.http.HttpServerRequest;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.HttpHeaders;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Function;

/**
 * Which desktop an OSWorld-protocol request is for, and the one way a route acts on it ({@link #act}). The routing
 * rule of every desktop route (also routes added in other classes: act only through {@link #act}):
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
 * The lease checked ({@link DesktopLock}) is that of the desktop this resolves, so a lease token of desktop A never
 * opens desktop B, whatever port or header it arrives with.
 */
@ApplicationScoped
public class DesktopRouting {

    /** The request header naming a hosted desktop by index. */
    public static final String DESKTOP_HEADER = "X-Envgrid-Desktop";

    private final DesktopFleet fleet;
    private final Desktop attached;
    private final DesktopLock lock;
    private final LeaseRecheck recheck;
    private final HeadChecks headChecks;
    @Inject
    HttpServerRequest request;

    public DesktopRouting(DesktopFleet fleet, AttachedDesktop attachedDesktop, XDisplay display, XInput input,
            ScreenCapture screen, AccessibilityTree accessibility, DesktopCommands commands, ScreenRecorder recorder,
            WorkerFiles files, WorkerExec workers, DesktopWindows windows, DesktopLock lock, LeaseRecheck recheck,
            HeadChecks headChecks) {
        this.fleet = fleet;
        this.headChecks = headChecks;
        this.lock = lock;
        this.recheck = recheck;
        // the attached desktop's gate is its reset's (fleet/AttachedDesktop): a reset cuts off the ended lease's calls
        this.attached = new Desktop("0", attachedDesktop.resourceId(), display, input, screen, accessibility, commands,
                recorder, files, workers, windows, attachedDesktop.gate());
    }

    /**
     * Runs {@code action} on the current request's desktop, once the request has arrived whole (a route calls this
     * from its method, after its body has been read and bound) and with the desktop's gate held across the lease
     * check and the action: the reset generation is read, then the lease checked with the allocator, then the call
     * admitted only if no reset began meanwhile, and kept admitted until {@code action} returns. For a call with a body
     * through a desktop's port the lease check is the one that port made on the call's head ({@code fleet/HeadChecks};
     * the generation read before it), if it is recent enough; else this one asks the allocator itself. A reset that begins
     * while it runs interrupts it, ends its processes and waits for it; its answer is then {@code 409 LEASE_NOT_LIVE}.
     * A call let in by a lease token has that lease checked again while it runs ({@link LeaseRecheck}) and is cut off
     * the same way when it is over: {@code 409 LEASE_NOT_LIVE} (or {@code 503} when it stayed unconfirmed too long).
     *
     * @throws DesktopException 404 no such desktop, 503 being reset or down, 409 reset since the lease check
     * @throws io.envgrid.deviceagent.error.ApiException the lease refusals of {@link DesktopLock#requireLease}
     */
    public <T> T act(Function<Desktop, T> action) {
        Desktop desktop = resolve(request.getHeader(DESKTOP_HEADER));
        String authorization = request.getHeader(HttpHeaders.AUTHORIZATION);
        String leaseToken = request.getHeader(Credentials.LEASE_TOKEN_HEADER);
        // The check a desktop's port made on this call's head stands for this one, if it was of this desktop and these
        // very credentials, less than a recheck interval ago (as often as a running call's lease is confirmed), and
        // before the lease's end: the allocator is asked once per call. Its gate generation was read before it.
        Optional<HeadChecks.Checked> head = headChecks.take(request).filter(checked -> checked.coversCall(
                desktop.name(), authorization, leaseToken, recheck.interval().toNanos()) && unexpired(checked.grant()));
        long checkedAt; // read before the lease check: a reset from then on is seen at admit
        LeaseAccess.Grant grant;
        long confirmedAt;
        if (head.isPresent()) {
            checkedAt = head.get().generation();
            grant = head.get().grant();
            confirmedAt = head.get().checkedAt();
        } else {
            checkedAt = desktop.gate().generation();
            grant = lock.requireLease(desktop, authorization, leaseToken);
            confirmedAt = System.nanoTime();
        }
        try (DesktopGate.Admission admission = desktop.gate().admit(desktop.name(), checkedAt)) {
            T result;
            try (LeaseRecheck.Watch watch = grant instanceof LeaseAccess.Grant.AsLeaseHolder
                    ? recheck.watch(admission, () -> lock.requireLease(desktop, authorization, leaseToken), confirmedAt)
                    : () -> { }) {
                result = action.apply(desktop);
            } catch (RuntimeException e) {
                if (admission.fenced()) {
                    throw admission.refusal(); // cut off by the reset (interrupted, its process killed)
                }
                throw e;
            }
            if (admission.fenced()) {
                throw admission.refusal();
            }
            return result;
        }
    }

    /** Whether the lease {@code grant} let a call in under has not reached its {@code expires_at} yet. */
    private static boolean unexpired(LeaseAccess.Grant grant) {
        if (!(grant instanceof LeaseAccess.Grant.AsLeaseHolder holder)) {
            return true;
        }
        try {
            return Instant.now().isBefore(Instant.parse(holder.lease().expiresAt()));
        } catch (RuntimeException unreadable) {
            return false; // no end to go by: ask the allocator
        }
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

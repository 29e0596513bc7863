package io.envgrid.deviceagent.access;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Who may call which tool (docs/isolation.md, "Device agent"). Three kinds:
 * <ul>
 * <li>{@link Kind#READ} ({@code device.list}, {@code status}, {@code info}, {@code search}, {@code system.info}):
 * anyone;</li>
 * <li>{@link Kind#ON_DEVICE} ({@code device.connect}, {@code disconnect}, {@code execute}, {@code upload},
 * {@code download}, {@code update} of its record): the live lease token of that device's allocator resource (verified by {@link LeaseAccess}), or
 * the service token. A device nobody leases takes the service token only: "unleased" is not "open";</li>
 * <li>{@link Kind#MANAGEMENT} ({@code device.borrow}, {@code return}, {@code create}, {@code delete},
 * {@code system.restart}): the service token only (operators); they change what the allocator
 * offers or whose a device is, which no lease entitles anyone to.</li>
 * </ul>
 * With {@code envgrid.device-agent.tools.auth=open} (local demos; a warning at start) the former rules hold: a device
 * nobody leases and the management tools are open, a leased device still takes its lease token or the service token.
 * Refusals: {@code 401 UNAUTHORIZED}, or those of {@link LeaseAccess}; they come before anything changes.
 */
@ApplicationScoped
public class ToolAccess {

    private static final Logger LOG = Logger.getLogger(ToolAccess.class);

    /** What a tool does, and so which credential it needs. */
    public enum Kind {
        READ, ON_DEVICE, MANAGEMENT
    }

    private static final Set<String> ON_DEVICE = Set.of("device.connect", "device.disconnect", "device.execute",
            "device.upload", "device.download", "device.update");
    private static final Set<String> MANAGEMENT = Set.of("device.borrow", "device.return", "device.create",
            "device.delete", "system.restart");

    private final LeaseAccess leases;
    private final boolean open;

    public ToolAccess(LeaseAccess leases, DeviceAgentConfig config) {
        this.leases = leases;
        this.open = config.tools().auth() == DeviceAgentConfig.DesktopAuth.OPEN;
    }

    void announce(@Observes StartupEvent start) {
        if (open) {
            LOG.warn("*** envgrid.device-agent.tools.auth=open: device tools on a device nobody leases (shell, files) "
                    + "and the management tools (borrow, return, create, delete, restart) answer ANY caller "
                    + "without a credential. For local demos only. ***");
        } else {
            LOG.info("device tools locked: a device's live lease token or the service token; management tools "
                    + "the service token only");
        }
    }

    /** The kind of a tool by name; a name not listed as acting or managing is a read. */
    public static Kind kindOf(String tool) {
        if (ON_DEVICE.contains(tool)) {
            return Kind.ON_DEVICE;
        }
        return MANAGEMENT.contains(tool) ? Kind.MANAGEMENT : Kind.READ;
    }

    /**
     * @param tool the tool's name
     * @param resourceId the allocator resource of the device the call names ({@code <agent-id>:<device-id>}), or null
     *            when it names none or one the agent has no record of (the tool then answers 404 itself)
     * @param caller what the caller presented
     * @throws ApiException 401, 409 or 503 when the caller may not make this call
     */
    public void check(String tool, String resourceId, Credentials caller) {
        switch (kindOf(tool)) {
            case READ -> {
                // reads change nothing and show no secret
            }
            case ON_DEVICE -> {
                if (resourceId == null) {
                    return;
                }
                if (open) {
                    leases.requireForDevice(resourceId, caller);
                } else {
                    leases.requireLease(resourceId, caller);
                }
            }
            case MANAGEMENT -> {
                if (open) {
                    if (resourceId != null && tool.equals("device.delete")) {
                        leases.requireForDevice(resourceId, caller); // as before: a leased device stays its holder's
                    }
                    return;
                }
                if (!(caller instanceof Credentials.ServiceToken)) {
                    throw new ApiException(401, ErrorCode.UNAUTHORIZED, "'" + tool + "' is an operator's tool: send "
                            + "the service token (Authorization: Bearer), and no lease token", Map.of("tool", tool));
                }
            }
        }
    }
}

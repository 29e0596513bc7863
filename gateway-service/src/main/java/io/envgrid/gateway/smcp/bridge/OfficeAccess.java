package io.envgrid.gateway.smcp.bridge;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.security.Principal;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Who may bind an MCP session to an office, and under which agent name the bridge calls there. The rule is the
 * SMCP server's: today any principal the gateway's tokens admit may use any office (as any token may
 * {@code server:join_office}); when offices are bound to principals, that rule goes in {@link #check}, which
 * already gets the token's principal, and the bridge applies it at every bind and every call.
 */
@ApplicationScoped
public class OfficeAccess {

    /** The longest office id the bridge accepts (also its schema's bound). */
    public static final int MAX_OFFICE_ID = 256;

    /**
     * Refuses an office the principal may not use: 403 {@code WORKER_NOT_ENTITLED}; an id no SMCP client could
     * join (control characters) is 400 {@code INVALID_PARAMETERS}.
     */
    public void check(Principal principal, String officeId) {
        if (officeId.chars().anyMatch(Character::isISOControl)) {
            throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, "office_id must not hold control characters",
                    Map.of("argument", "office_id"));
        }
        if (!permits(principal, officeId)) {
            throw new ToolFailure(403, ErrorCode.WORKER_NOT_ENTITLED, "the token of '" + principal.name()
                    + "' may not use office '" + officeId + "'", Map.of("principal", principal.name()));
        }
    }

    /** The SMCP server's current rule: an admitted principal may use any office. */
    boolean permits(Principal principal, String officeId) {
        return principal != null;
    }

    /**
     * The {@code agent} of the bridge's {@code client:tool_call}s: the token's identity, so a Computer (and a future
     * per-principal rule) sees who calls. Request ids are unique per call, so sessions of one principal never clash.
     */
    public String agentName(Principal principal) {
        return "mcp:" + principal.name();
    }
}

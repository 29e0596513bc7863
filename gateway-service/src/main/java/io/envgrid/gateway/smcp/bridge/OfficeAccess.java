package io.envgrid.gateway.smcp.bridge;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.security.Principal;
import io.envgrid.gateway.smcp.office.OfficeCoverage;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;

/**
 * Who may bind an MCP session to an office, and under which agent name the bridge calls there. The rule is the SMCP
 * server's own ({@link OfficeCoverage}): the office id follows the id rule and the token's worker patterns cover it
 * (open mode: every office). The bridge applies it at every bind, every call and every listing, with the token of
 * that request: a session whose principal's token no longer covers its office (a narrower token of the same
 * principal) reaches none of the office's Computers.
 */
@ApplicationScoped
public class OfficeAccess {

    /**
     * Refuses an office the principal may not use: 400 {@code INVALID_ID} ({@code details.field = office_id}) for an
     * id outside the id rule, 403 {@code WORKER_NOT_ENTITLED} ({@code details.principal}, {@code office_id}) for one
     * its token does not cover.
     */
    public void check(Principal principal, String officeId) {
        IdRule.requireId("office_id", officeId);
        if (!permits(principal, officeId)) {
            throw new ToolFailure(403, ErrorCode.WORKER_NOT_ENTITLED, "the token of '" + principal.name()
                    + "' does not cover office '" + officeId + "'",
                    Map.of("principal", principal.name(), "office_id", officeId));
        }
    }

    /** True when {@code principal}'s token covers {@code officeId} (which follows the id rule). */
    public boolean permits(Principal principal, String officeId) {
        return OfficeCoverage.covers(principal, officeId);
    }

    /**
     * The {@code agent} of the bridge's {@code client:tool_call}s: the token's identity, so a Computer sees who calls.
     * Request ids are unique per call, so sessions of one principal never clash.
     */
    public String agentName(Principal principal) {
        return OfficeCoverage.BRIDGE_AGENT_PREFIX + principal.name();
    }
}

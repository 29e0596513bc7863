package io.envgrid.gateway.smcp.office;

import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.security.Principal;

/**
 * The one rule for who may use an office, for every door to it ({@link RoomEvents} joins, {@link ClientCalls} calls,
 * the MCP bridge's binds and calls): an office id follows the id rule and is covered by a token the way a worker id is
 * (a token for {@code job42/} uses offices {@code job42/…}, {@code *} any; open mode every office).
 */
public final class OfficeCoverage {

    /**
     * What the MCP bridge's agent names start with ({@code mcp:<token principal>}): reserved, no SMCP agent may join
     * under such a name, so a Computer told {@code agent: "mcp:alice"} hears alice's MCP session and no one else.
     */
    public static final String BRIDGE_AGENT_PREFIX = "mcp:";

    private OfficeCoverage() {
    }

    /** True when {@code officeId} is an id and {@code principal}'s token covers it. */
    public static boolean covers(Principal principal, String officeId) {
        return IdRule.isId(officeId) && principal.entitledTo(officeId);
    }
}

package io.envgrid.gateway.smcp.bridge;

import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.redis.GatewayKeys;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The Redis keys of the MCP bridge, under the gateway's prefix and {@code smcp:bridge:} (office ids encoded by
 * {@link KeyPart}). The binding itself is the field {@link #SESSION_FIELD} of the MCP session's hash, so it ends
 * with the session.
 * <ul>
 * <li>{@link #sessions} set: ids of the MCP sessions bound to the office (a session gone is pruned when the office
 * next changes)</li>
 * <li>{@link #toolsVersion} counter, raised whenever the office's tools may have changed</li>
 * <li>{@link #tools} string: {@code {"version": n, "tools": [ComputerTool…]}}, the last listing, valid while its
 * version is the counter's</li>
 * </ul>
 */
@ApplicationScoped
public class BridgeKeys {

    /** The MCP session hash's field naming the office the session is bound to. */
    public static final String SESSION_FIELD = "smcp_office";
    /** The MCP session hash's field with the expiry (epoch ms) of the latest token that used the binding. */
    public static final String UNTIL_FIELD = "smcp_office_until";
    /** The MCP session hash's field with the {@code jti} of that token (absent when it has none): revoking it ends the binding. */
    public static final String TOKEN_FIELD = "smcp_office_jti";

    private final String prefix;

    public BridgeKeys(GatewayKeys keys) {
        this.prefix = keys.prefix() + "smcp:bridge:office:";
    }

    public String sessions(String officeId) {
        return prefix + KeyPart.of(officeId) + ":sessions";
    }

    public String toolsVersion(String officeId) {
        return prefix + KeyPart.of(officeId) + ":tools-version";
    }

    public String tools(String officeId) {
        return prefix + KeyPart.of(officeId) + ":tools";
    }
}

package io.envgrid.deviceagent.computer.signalling;

import java.util.Set;

/**
 * The A2C-SMCP event names a Computer speaks (namespace {@code /smcp}; the wire contract in
 * {@code docs/contracts/smcp.md} §5), and the protocol version it announces.
 */
final class SmcpEvents {

    /** The protocol versions a Computer may announce ({@code computer.signalling.a2c-version}): 0.4 and 0.5. */
    static final Set<String> A2C_VERSIONS = Set.of("0.4.0", "0.5.0");
    static final String NAMESPACE = "/smcp";

    static final String JOIN_OFFICE = "server:join_office";
    static final String UPDATE_CONFIG = "server:update_config";
    static final String UPDATE_TOOL_LIST = "server:update_tool_list";
    static final String UPDATE_DESKTOP = "server:update_desktop";

    static final String TOOL_CALL = "client:tool_call";
    static final String GET_TOOLS = "client:get_tools";
    static final String GET_CONFIG = "client:get_config";
    /** The seed's name of {@link #GET_CONFIG}, still accepted. */
    static final String GET_MCP_CONFIG = "client:get_mcp_config";
    static final String GET_DESKTOP = "client:get_desktop";
    static final String GET_RESOURCES = "client:get_resources";
    static final String GET_SKILLS = "client:get_skills";
    static final String GET_SKILL = "client:get_skill";
    static final String GET_BLOB = "client:get_blob";
    static final String PUT_BLOB = "client:put_blob";
    static final String TOOL_CALL_CANCEL = "notify:tool_call_cancel";

    /**
     * envgrid's extension for MCP progress (the protocol has no progress event; gateway README, "Progress"): a
     * {@code client:tool_call} with this field {@code true} asks for progress, which the Computer then reports as
     * {@link #TOOL_CALL_PROGRESS}.
     */
    static final String PROGRESS_FLAG = "envgrid_progress";
    static final String TOOL_CALL_PROGRESS = "server:tool_call_progress";

    private SmcpEvents() {
    }
}

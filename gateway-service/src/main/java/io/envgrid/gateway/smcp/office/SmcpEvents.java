package io.envgrid.gateway.smcp.office;

import java.util.List;
import java.util.Map;

/**
 * Event names of namespace {@code /smcp} (docs/contracts/smcp.md §5), with the seed's older names as aliases.
 */
final class SmcpEvents {

    static final String NAMESPACE = "/smcp";

    static final String JOIN_OFFICE = "server:join_office";
    static final String LEAVE_OFFICE = "server:leave_office";
    static final String LIST_ROOM = "server:list_room";
    static final String TOOL_CALL_CANCEL = "server:tool_call_cancel";

    static final String ENTER_OFFICE_NOTICE = "notify:enter_office";
    static final String LEAVE_OFFICE_NOTICE = "notify:leave_office";
    static final String TOOL_CALL_CANCEL_NOTICE = "notify:tool_call_cancel";

    static final String TOOL_CALL = "client:tool_call";

    /*
     * envgrid's extension for MCP progress (the protocol has none; gateway README, "Progress"): a client:tool_call
     * with PROGRESS_FLAG true asks for it; the Computer reports with TOOL_CALL_PROGRESS {computer, agent, req_id,
     * progress, total?, message?}, which reaches only the calling agent as TOOL_CALL_PROGRESS_NOTICE {agent, req_id,
     * progress, total?, message?} (or the MCP bridge's caller as notifications/progress).
     */
    static final String PROGRESS_FLAG = "envgrid_progress";
    static final String TOOL_CALL_PROGRESS = "server:tool_call_progress";
    static final String TOOL_CALL_PROGRESS_NOTICE = "notify:tool_call_progress";

    /**
     * A Computer's {@code server:update_*} notice → the {@code notify:*} events broadcast for it. Config and desktop
     * notices are also broadcast under the seed's names, so an agent written to the seed hears them.
     */
    static final Map<String, List<String>> UPDATES = Map.of(
            "server:update_config", List.of("notify:update_config", "notify:update_mcp_config"),
            "server:update_mcp_config", List.of("notify:update_config", "notify:update_mcp_config"),
            "server:update_tool_list", List.of("notify:update_tool_list"),
            "server:update_desktop", List.of("notify:update_desktop", "notify:desktop_refresh"),
            "server:desktop_refresh", List.of("notify:update_desktop", "notify:desktop_refresh"),
            "server:update_skills", List.of("notify:update_skills"));

    /** An agent's {@code client:*} call → the event relayed to the Computer (the current name for an alias). */
    static final Map<String, String> CLIENT_CALLS = Map.ofEntries(
            Map.entry(TOOL_CALL, TOOL_CALL),
            Map.entry("client:get_tools", "client:get_tools"),
            Map.entry("client:get_config", "client:get_config"),
            Map.entry("client:get_mcp_config", "client:get_config"),
            Map.entry("client:get_desktop", "client:get_desktop"),
            Map.entry("client:get_resources", "client:get_resources"),
            Map.entry("client:get_skills", "client:get_skills"),
            Map.entry("client:get_skill", "client:get_skill"),
            Map.entry("client:get_blob", "client:get_blob"),
            Map.entry("client:put_blob", "client:put_blob"));

    private SmcpEvents() {
    }
}

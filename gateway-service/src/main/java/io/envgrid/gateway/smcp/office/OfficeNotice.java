package io.envgrid.gateway.smcp.office;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A {@code notify:*} event this replica broadcast to an office ({@code notify:update_tool_list {computer}},
 * {@code notify:enter_office {office_id, computer|agent}}, …), fired as a CDI event after the members were told.
 * Observers must not block: it is fired on the event loop.
 */
public record OfficeNotice(String officeId, String event, JsonNode payload) {

    /** Whether the office's set of Computer tools may have changed: a tool-list update, a Computer entering or leaving. */
    public boolean changesTools() {
        return "notify:update_tool_list".equals(event)
                || ((SmcpEvents.ENTER_OFFICE_NOTICE.equals(event) || SmcpEvents.LEAVE_OFFICE_NOTICE.equals(event))
                        && payload.has("computer"));
    }
}

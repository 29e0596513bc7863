package io.envgrid.gateway.smcp.office;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The caps on calls waiting on a replica: per caller (a socket, or an MCP session) and per office. */
class PendingCallsTest {

    @Test
    void aCallerAndAnOfficeAreCappedAndAReleaseFreesASlot() {
        PendingCalls pending = new PendingCalls(2, 3);
        assertTrue(pending.admit("mcp:s1", "session", "office-a").isEmpty());
        assertTrue(pending.admit("mcp:s1", "session", "office-a").isEmpty());
        assertEquals(Optional.of(new CallOutcome.Saturated("session", 2)), pending.admit("mcp:s1", "session", "office-a"));
        assertTrue(pending.admit("sid-2", "socket", "office-a").isEmpty());
        assertEquals(Optional.of(new CallOutcome.Saturated("office", 3)), pending.admit("sid-3", "socket", "office-a"));
        assertTrue(pending.admit("sid-3", "socket", "office-b").isEmpty(), "another office has its own count");

        pending.release("mcp:s1", "office-a");
        assertTrue(pending.admit("sid-3", "socket", "office-a").isEmpty(), "a released call frees its office slot");
        assertEquals(Optional.of(new CallOutcome.Saturated("office", 3)), pending.admit("mcp:s1", "session", "office-a"));
    }
}

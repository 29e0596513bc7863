package io.envgrid.gateway.mcp.logging;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.gateway.lease.Severity;
import java.util.List;
import org.junit.jupiter.api.Test;

class SessionLoggingTest {

    @Test
    void atOrAboveTheSessionsLevelOnly() {
        assertEquals(SessionLogging.LEVEL_FIELD, SessionLogging.audience(Severity.INFO).field());
        assertEquals(List.of("debug", "info"), SessionLogging.audience(Severity.INFO).values(),
                "a session at warning does not get an info message; no level set is no value, so no log messages");
        assertEquals(List.of("debug", "info", "notice", "warning"), SessionLogging.audience(Severity.WARNING).values());
        assertEquals(8, SessionLogging.audience(Severity.EMERGENCY).values().size());
    }
}

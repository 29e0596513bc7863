package io.envgrid.gateway.mcp.logging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.lease.Severity;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SessionLoggingTest {

    @Test
    void atOrAboveTheSessionsLevelOnly() {
        Map<String, String> warning = Map.of(SessionLogging.LEVEL_FIELD, "warning");
        assertFalse(SessionLogging.wants(warning, Severity.INFO));
        assertTrue(SessionLogging.wants(warning, Severity.WARNING));
        assertTrue(SessionLogging.wants(warning, Severity.EMERGENCY));
        assertFalse(SessionLogging.wants(Map.of(), Severity.EMERGENCY), "no level set: no log messages");
        assertFalse(SessionLogging.wants(Map.of(SessionLogging.LEVEL_FIELD, "WARNING"), Severity.ERROR));
    }
}

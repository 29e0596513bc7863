package io.envgrid.deviceagent.computer.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A {@code command} input runs a program on the host; it must see the worker's allow-listed environment, not the
 * agent's (the module's surefire configuration puts the service token and a decoy secret into this JVM's
 * environment, as the DaemonSet does). Found by a hostile review: the program printed the service token.
 */
class InputValuesTest {

    @Test
    void aCommandInputDoesNotSeeTheAgentsSecrets() {
        assertTrue(System.getenv().containsKey("ENVGRID_DEVICE_AGENT_SERVICE_TOKEN"), "surefire sets the token");
        McpServerInput probe = new McpServerInput.Command("probe", null, "/bin/sh", List.of("-c",
                "echo ${ENVGRID_DEVICE_AGENT_SERVICE_TOKEN:-none}:${ENVGRID_TEST_DECOY_SECRET:-none}:${PATH:+path}"));
        InputValues values = new InputValues(List.of(probe), Map.of());
        assertEquals("none:none:path", values.render("${input:probe}"));
    }
}

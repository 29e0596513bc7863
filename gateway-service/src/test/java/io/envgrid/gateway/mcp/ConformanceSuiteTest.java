package io.envgrid.gateway.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.gateway.support.NodePackages;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URL;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The official MCP conformance suite ({@code @modelcontextprotocol/conformance}, pinned in
 * tools/mcp-client/package.json) runs its server scenarios against this gateway. Listed are the
 * scenarios that apply to a server without the suite's own test tools, prompts and resources; the
 * README says why each other one does not apply.
 */
@QuarkusTest
@WithCluster
class ConformanceSuiteTest {

    private static final String SUITE = "@modelcontextprotocol/conformance/dist/index.js";

    @TestHTTPResource("/mcp")
    URL mcp;

    @ParameterizedTest
    @ValueSource(strings = {"server-initialize", "ping", "tools-list", "logging-set-level", "resources-list",
        "prompts-list", "completion-complete", "server-sse-multiple-streams", "dns-rebinding-protection"})
    void scenarioPasses(String scenario) {
        NodePackages.Run run = NodePackages.run(SUITE, List.of("server", "--url", mcp.toString(), "--scenario", scenario), 120);
        assertEquals(0, run.exitCode(), () -> scenario + " failed:\n" + run.output());
        // every check passed, and there was at least one
        assertTrue(java.util.regex.Pattern.compile("Passed: ([1-9]\\d*)/\\1, 0 failed").matcher(run.output()).find(), run.output());
    }

    /** The run above can fail: a scenario that needs the suite's own fixture resource fails here, and is seen to. */
    @Test
    void aFixtureScenarioIsSeenToFail() {
        NodePackages.Run run = NodePackages.run(SUITE, List.of("server", "--url", mcp.toString(), "--scenario",
                "resources-read-text"), 120);
        assertEquals(1, run.exitCode(), run.output());
        assertTrue(run.output().contains("Passed: 0/1, 1 failed"), run.output());
    }
}

package io.envgrid.gateway.desktop;

import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.SandboxHttp;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code envgrid.gateway.desktop.pyautogui-check=subset}: the {@code pyautogui} tool's code is compiled with the
 * device agent's subset up front, and code outside it is refused on both front ends with 400
 * {@code INVALID_PARAMETERS} naming {@code code}, line and column — before any lease, backend call or earlier batch
 * entry. Code inside the subset still reaches the desktop. (The default, {@code off}: {@link PyautoguiForwardedTest}.)
 */
@QuarkusTest
@WithCluster
@TestProfile(PyautoguiSubsetCheckTest.SubsetCheck.class)
class PyautoguiSubsetCheckTest {

    /** The gateway in front of desktops that all run the agent's subset. */
    public static class SubsetCheck implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.gateway.desktop.pyautogui-check", "subset");
        }
    }

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    private static String worker() {
        return "pycheck-" + UUID.randomUUID();
    }

    /** The worker's leases and every gateway key naming it: a refused call changes none of them. */
    private String state(String worker) {
        JsonNode leases = McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + worker, null).body());
        return leases + "\n" + redis.key().keys("{envgrid-gw}:*" + worker + "*");
    }

    private static int desktopCommands() {
        return TestCluster.get().desktops().stream().mapToInt(d -> d.executed().size()).sum();
    }

    private static String execute(String worker, String code) {
        return "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:pyautogui\", \"params\": {\"code\": "
                + JsonNodeFactory.instance.textNode(code) + "}}";
    }

    @Test
    void codeOutsideTheSubsetIsRefusedWithLineAndColumnBeforeAnythingRuns() {
        String worker = worker();
        String before = state(worker);
        int commands = desktopCommands();
        Map<String, String> refusals = Map.of(
                "pyautogui.click(10, 20)\nx = 1", "line 2, column 5: unsupported statement `x = 1`",
                "pyautogui.click(1, 2); os.system('id')", "line 1, column 24: unsupported statement `os.system('id')`",
                "pyautogui.click(1, 2)\n\ntime.sleep(-1)", "line 3, column 1: unsupported statement `time.sleep(-1)`: "
                        + "sleep length must be non-negative",
                "time.sleep(1e9)", "line 1, column 1: unsupported statement `time.sleep(1e9)`: a sleep of 1.0E9 s is longer",
                "pyautogui.click(1, 2)\n".repeat(PyautoguiTool.MAX_CHECKED_CODE / 20), "longer than "
                        + PyautoguiTool.MAX_CHECKED_CODE + " characters");
        refusals.forEach((code, message) -> {
            Response refused = SandboxHttp.post("/execute", execute(worker, code));
            assertEquals(400, refused.statusCode(), code + " -> " + refused.asString());
            JsonNode error = McpSteps.readTree(refused.asString()).path("error");
            assertEquals("INVALID_PARAMETERS", error.path("code").asText(), error.toString());
            assertEquals("code", error.path("details").path("argument").asText(), error.toString());
            assertTrue(error.path("message").asText().contains("'code': " + message), error.toString());
        });
        assertEquals(commands, desktopCommands(), "no code reached a desktop");
        assertEquals(before, state(worker), "no temporary session was leased");
    }

    @Test
    void aBatchWhoseSecondEntryLeavesTheSubsetRunsNothing() {
        String worker = worker();
        String before = state(worker);
        int commands = desktopCommands();
        Response refused = SandboxHttp.post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": ["
                + "{\"action\": \"vm:typing\", \"params\": {\"text\": \"first\"}}, "
                + "{\"action\": \"vm:pyautogui\", \"params\": {\"code\": \"pyautogui.write(f'{x}')\"}}]}");
        assertEquals(400, refused.statusCode(), refused.asString());
        JsonNode error = McpSteps.readTree(refused.asString()).path("error");
        assertEquals("INVALID_PARAMETERS", error.path("code").asText(), error.toString());
        assertTrue(error.path("message").asText().startsWith("actions[1]"), error.toString());
        assertTrue(error.path("message").asText().contains("line 1, column 17"), error.toString());
        assertEquals(commands, desktopCommands(), "the first entry did not run");
        assertEquals(before, state(worker));
    }

    @Test
    void overMcpTheRefusalIsAToolErrorAndTheSessionStaysUnbound() {
        String session = McpHttp.initialize(mcp());
        String worker = worker();
        String before = state(worker);
        JsonNode result = McpSteps.readTree(McpHttp.call(session, 5, "pyautogui", "{\"worker_id\": \"" + worker
                + "\", \"code\": \"import pyautogui\\nfor i in range(3): pyautogui.click()\"}").asString()).path("result");
        assertTrue(result.path("isError").asBoolean(), result.toString());
        JsonNode error = result.path("structuredContent").path("error");
        assertEquals("INVALID_PARAMETERS", error.path("code").asText(), error.toString());
        assertEquals("code", error.path("details").path("argument").asText(), error.toString());
        assertTrue(error.path("details").path("problems").get(0).asText().startsWith("'code': line 2, column 18: "),
                error.toString());
        assertEquals(before, state(worker));
        assertNull(redis.hash(String.class).hget(keys.mcpSession(session), "worker"), "the MCP session stays unbound");
    }

    @Test
    void codeInsideTheSubsetAndTheEpisodeWordsPassTheCheck() {
        String worker = worker();
        String code = "import pyautogui\npyautogui.click(71, 72); time.sleep(0.01)";
        SandboxHttp.post("/execute", execute(worker, code)).then().statusCode(200);
        assertTrue(TestCluster.get().desktops().stream().anyMatch(d -> d.executed().stream()
                .anyMatch(c -> c.contains("pyautogui.click(71, 72)"))), "the code reached the desktop");
        SandboxHttp.post("/execute", execute(worker, " DONE ")).then().statusCode(200);
    }
}

package io.envgrid.gateway.sandbox.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.FakeDesktop;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.SandboxHttp;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The Sandbox HTTP API (seeds 002/003) on the shipped profile, against the real allocator and
 * vm-controller (desktops are the OSWorld-protocol stand-ins): explicit sessions reused across
 * calls, temporary sessions around single calls and batches, and refusals that change nothing.
 */
@QuarkusTest
@WithCluster
class SandboxApiTest {

    private static RequestSpecification json() {
        return given().contentType("application/json");
    }

    private static Response post(String path, String body) {
        return SandboxHttp.post(path, body);
    }

    private static String worker() {
        return "sbx-" + UUID.randomUUID();
    }

    private static JsonNode leases(String worker) {
        return McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + worker, null).body());
    }

    private static FakeDesktop desktopOf(String resourceId) {
        return TestCluster.get().desktops().get(Integer.parseInt(resourceId.substring("desktop-".length())));
    }

    @Test
    void toolsAreListedWithPrefixedNamesAndSchemas() {
        given().get("/tools").then().statusCode(200)
                .body("tools.name", hasItems("vm:screenshot", "vm:click", "vm:typing", "vm:hotkey", "vm:pyautogui",
                        "vm:observation", "vm:execute", "rag:search", "device:execute", "device:status", "fetch"))
                .body("tools.find { it.name == 'vm:click' }.resource_type", equalTo("vm"))
                .body("tools.find { it.name == 'vm:click' }.input_schema.properties.button.enum", hasItems("left", "right"))
                .body("tools.find { it.name == 'fetch' }.kind", equalTo("api"));
        given().queryParam("resource_type", "rag").get("/tools").then().statusCode(200).body("count", equalTo(1));
        given().get("/health").then().statusCode(200).body("status", equalTo("healthy"))
                .body("backends", hasItems("vm", "rag", "device"));
    }

    @Test
    void warmUpReportsEachBackend() {
        post("/warmup", "{\"resources\": [\"vm\", \"device\"]}").then().statusCode(200)
                .body("backends.vm.warmed_up", equalTo(true))
                .body("backends.vm.details.vm_controller", equalTo("ready"))
                .body("backends.vm.details.allocator_type", equalTo("vm_pyautogui"))
                .body("backends.device.warmed_up", equalTo(true));
        // no rag-service runs in this cluster: its warm-up fails and says why, the others stay warm
        post("/warmup", "{}").then().statusCode(200)
                .body("backends.rag.warmed_up", equalTo(false))
                .body("backends.rag.error", containsString("unreachable"))
                .body("backends.vm.warmed_up", equalTo(true));
        given().get("/warmup/status").then().statusCode(200).body("backends.rag.stateless", equalTo(true))
                .body("backends.vm.stateless", equalTo(false)).body("backends.vm.loaded", equalTo(true));
        post("/warmup", "{\"resources\": [\"gpu\"]}").then().statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
    }

    @Test
    void explicitSessionIsReusedAcrossCallsUntilDestroyed() {
        String worker = worker();
        Response created = post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}");
        created.then().statusCode(200).body("created", equalTo(true)).body("state", equalTo("ready"))
                .body("resource.type", equalTo("vm_pyautogui"));
        String sessionId = created.path("session_id");
        String resourceId = created.path("resource.id");
        assertEquals(1, leases(worker).size());

        post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(200)
                .body("created", equalTo(false)).body("session_id", equalTo(sessionId));

        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:screenshot\", \"params\": {}}").then()
                .statusCode(200).body("success", equalTo(true)).body("tool", equalTo("screenshot"))
                .body("resource_type", equalTo("vm")).body("session_id", equalTo(sessionId))
                .body("temporary_session", equalTo(false)).body("data.screenshot", startsWith("iVBOR"))
                .body("execution_time_ms", org.hamcrest.Matchers.greaterThan(0f));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:click\", \"params\": {\"x\": 31, \"y\": 42}}")
                .then().statusCode(200).body("session_id", equalTo(sessionId));
        // a bare name resolves when one tool has it
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"typing\", \"params\": {\"text\": \"sandbox\"}}")
                .then().statusCode(200).body("session_id", equalTo(sessionId)).body("tool", equalTo("typing"));
        assertTrue(desktopOf(resourceId).executed().stream().anyMatch(c -> c.contains("pyautogui.click") && c.contains("31")
                && c.contains("42")), desktopOf(resourceId).executed().toString());
        assertTrue(desktopOf(resourceId).executed().stream().anyMatch(c -> c.contains("sandbox")));
        assertEquals(1, leases(worker).size(), "calls in a session take no further lease");

        post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().statusCode(200).body("count", equalTo(1))
                .body("sessions[0].session_id", equalTo(sessionId)).body("sessions[0].resource.id", equalTo(resourceId));
        post("/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(200)
                .body("destroyed", equalTo(true)).body("session_id", equalTo(sessionId));
        assertEquals(0, leases(worker).size());
        post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().statusCode(200).body("count", equalTo(0));
        post("/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(404)
                .body("error.code", equalTo("SESSION_NOT_FOUND"));
    }

    @Test
    void aSessionWhoseLeaseTheAllocatorRevokesIsGone() {
        String worker = worker();
        String resourceId = desktopSession(worker);
        int port = desktopOf(resourceId).port();
        // a forced removal revokes the lease and is published like an expiry
        assertEquals(200, TestCluster.get().allocatorCall("DELETE", "/resources/" + resourceId + "?force=true", null).statusCode());
        try {
            Conditions.await("the session dropped", java.time.Duration.ofSeconds(10), () -> post("/session/list",
                    "{\"worker_id\": \"" + worker + "\"}").<Integer>path("count") == 0);
        } finally {
            TestCluster.get().register(resourceId, "vm_pyautogui", "{\"ip\": \"127.0.0.1\", \"port\": " + port + "}");
        }
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:screenshot\"}").then().statusCode(200)
                .body("temporary_session", equalTo(true));
    }

    /** Opens the worker's desktop session: the id of its desktop. */
    private static String desktopSession(String worker) {
        return post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}")
                .path("resource.id");
    }

    @Test
    void aSessionWhoseResourceIsReleasedOverMcpIsGone() {
        String worker = worker();
        String resourceId = desktopSession(worker);
        String mcpSession = McpHttp.initialize(McpHttp.mcp());
        McpHttp.call(mcpSession, 1, "release_batch_resources", "{\"worker_id\": \"" + worker + "\", \"resource_ids\": [\""
                + resourceId + "\"]}").then().statusCode(200).body("result.isError", equalTo(false));
        post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().body("count", equalTo(0));
        assertEquals(0, leases(worker).size());
    }

    /**
     * A worker with a desktop session that allocates a second desktop of the same type through MCP keeps both: the
     * session's calls still run on its own desktop, and the release of that desktop over MCP still ends the session.
     * Was: the MCP grant overwrote the session's entry in the worker's record, so the session's next call was 404
     * {@code NO_SUCH_RESOURCE}, and the release removed and told nothing, leaving the session on a released desktop.
     */
    @Test
    void anMcpGrantOfTheSessionsTypeLeavesTheSessionItsDesktop() {
        String worker = worker();
        String sessionDesktop = desktopSession(worker);
        String mcpSession = McpHttp.initialize(McpHttp.mcp());
        try {
            String mcpDesktop = McpHttp.call(mcpSession, 1, "allocate_single_resource", "{\"worker_id\": \"" + worker
                    + "\", \"resource_type\": \"vm_pyautogui\"}").then().body("result.isError", equalTo(false))
                    .extract().path("result.structuredContent.vm_pyautogui.id");
            assertNotEquals(sessionDesktop, mcpDesktop);
            post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:screenshot\"}").then().statusCode(200)
                    .body("temporary_session", equalTo(false));

            McpHttp.call(mcpSession, 2, "release_batch_resources", "{\"worker_id\": \"" + worker + "\", \"resource_ids\": [\""
                    + sessionDesktop + "\"]}").then().statusCode(200).body("result.isError", equalTo(false));
            post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().body("count", equalTo(0));
        } finally {
            // the worker's last MCP session ending releases everything it holds
            McpHttp.mcp().header("Mcp-Session-Id", mcpSession).delete("/mcp").then().statusCode(204);
        }
        assertEquals(0, leases(worker).size());
    }

    @Test
    void callWithoutSessionRunsInATemporaryOneAndHoldsNothingAfter() {
        String worker = worker();
        Response first = post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:observation\"}");
        first.then().statusCode(200).body("temporary_session", equalTo(true)).body("session_id", startsWith("vm_tmp_"))
                .body("data.accessibility_tree", containsString("desktop-frame"));
        assertEquals(0, leases(worker).size(), "the temporary session's desktop went back");
        post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().body("count", equalTo(0));
        String second = post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:screenshot\"}").path("session_id");
        assertFalse(second.equals(first.path("session_id")), "each call gets its own temporary session");
    }

    @Test
    void batchSharesOneTemporarySessionPerBackend() {
        for (boolean parallel : new boolean[] {false, true}) {
            String worker = worker();
            Response batch = post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"parallel\": " + parallel
                    + ", \"actions\": [{\"action\": \"vm:screenshot\"}, {\"action\": \"vm:typing\", \"params\": {\"text\": \"b\"}},"
                    + " {\"action\": \"vm:press\", \"params\": {\"key\": \"enter\"}}]}");
            batch.then().statusCode(200).body("success", equalTo(true)).body("results.size()", equalTo(3))
                    .body("results.temporary_session", hasItems(true));
            List<String> ids = batch.path("results.session_id");
            assertEquals(1, ids.stream().distinct().count(), ids.toString());
            assertEquals(0, leases(worker).size());
        }
    }

    @Test
    void failingBatchCallIsReportedAndStopsTheRestWhenAsked() {
        String worker = worker();
        post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(200);
        // only the vm-controller knows the screen's size: a click beyond it passes the up-front check (a malformed one,
        // x "left", no longer gets this far: OneArgumentCheckTest) and fails when it runs
        Response batch = post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"stop_on_error\": true, \"actions\": ["
                + "{\"action\": \"vm:computer_13\", \"params\": {\"action_type\": \"CLICK\", \"parameters\": {\"x\": 50000, \"y\": 10}}}, "
                + "{\"action\": \"vm:screenshot\"}]}");
        batch.then().statusCode(200).body("success", equalTo(false))
                .body("results[0].success", equalTo(false)).body("results[0].error.code", equalTo("INVALID_ACTION"))
                .body("results[1].skipped", equalTo(true))
                // every entry names its tool as a successful one does
                .body("results.tool", equalTo(List.of("computer_13", "screenshot")))
                .body("results.resource_type", equalTo(List.of("vm", "vm")));
        post("/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(200);
    }

    @Test
    void concurrentCreatesOfOneSessionLeaseOneDesktop() throws Exception {
        String worker = worker();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Callable<Response>> creates = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                creates.add(() -> post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}"));
            }
            int createdTrue = 0;
            for (Future<Response> f : pool.invokeAll(creates)) {
                Response r = f.get();
                assertTrue(r.statusCode() == 200 || r.statusCode() == 409, r.asString());
                if (r.statusCode() == 200 && Boolean.TRUE.equals(r.path("created"))) {
                    createdTrue++;
                }
            }
            assertEquals(1, createdTrue);
            assertEquals(1, leases(worker).size());
        } finally {
            pool.shutdownNow();
        }
        post("/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}").then().statusCode(200);
        assertEquals(0, leases(worker).size());
    }

    @Test
    void badRequestsAreRefusedAndChangeNothing() {
        String worker = worker();
        post("/execute", "{not json").then().statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        given().get("/execute").then().statusCode(405).body("error.code", equalTo("METHOD_NOT_ALLOWED"));
        post("/execute", "[1]").then().statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        post("/execute", "{\"worker_id\": \"" + worker + "\"}").then().statusCode(400).body("error.message", containsString("action"));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:format_disk\"}").then().statusCode(404)
                .body("error.code", equalTo("UNKNOWN_TOOL"));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"gpu:train\"}").then().statusCode(404);
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"execute\"}").then().statusCode(400)
                .body("error.details.candidates", hasItems("vm:execute", "device:execute"));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:click\", \"params\": {\"x\": \"left\"}}")
                .then().statusCode(400).body("error.details.argument", equalTo("x"))
                .body("error.message", containsString("'x': string found, integer expected"));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:click\", \"params\": {\"z\": 1}}")
                .then().statusCode(400).body("error.details.argument", equalTo("z"))
                .body("error.message", containsString("'z' is not defined in the schema"));
        post("/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:move_to\", \"params\": {\"x\": 1}}")
                .then().statusCode(400).body("error.details.argument", equalTo("y"))
                .body("error.message", containsString("required property 'y' not found"));
        post("/execute", "{\"action\": \"vm:screenshot\"}").then().statusCode(400).body("error.message", containsString("worker_id"));
        post("/execute", "{\"worker_id\": \"a b\", \"action\": \"vm:screenshot\"}").then().statusCode(400);
        post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": [{\"action\": \"vm:screenshot\"}, "
                + "{\"action\": \"vm:nope\"}]}").then().statusCode(404).body("error.message", containsString("actions[1]"));
        post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": []}").then().statusCode(400);
        // a rag session's config is checked as a desktop's (the collection it leases is a name)
        post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"rag\", \"config\": "
                + "{\"collection\": 3}}").then().statusCode(400).body("error.message", containsString("config.collection"));
        post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"gpu\"}").then().statusCode(404)
                .body("error.code", equalTo("UNKNOWN_RESOURCE_TYPE"));
        post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\", \"config\": {\"pool\": 3}}")
                .then().statusCode(400).body("error.message", containsString("config.pool"));
        post("/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\", \"config\": "
                + "{\"allocator_type\": \"device_linux\"}}").then().statusCode(400);
        post("/session/list", "{}").then().statusCode(400);

        assertEquals(0, leases(worker).size(), "no refused request leased anything");
        post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().body("count", equalTo(0));
    }

    @Test
    void bodiesAreReadStrictlyAndTheFieldAtFaultIsNamed() {
        String worker = worker();
        String[][] refusals = {
            {"/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:screenshot\", \"timeout\": 5}", "timeout"},
            {"/execute", "{\"worker_id\": 42, \"action\": \"vm:screenshot\"}", "worker_id"},
            {"/execute", "{\"worker_id\": \"" + worker + "\", \"action\": [\"vm:screenshot\"]}", "action"},
            {"/execute", "{\"worker_id\": \"" + worker + "\", \"action\": \"vm:screenshot\", \"params\": [1]}", "params"},
            {"/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": [{\"action\": \"vm:screenshot\"}], "
                + "\"parallel\": \"true\"}", "parallel"},
            {"/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": [{\"action\": \"vm:screenshot\"}, 7]}",
                "actions[1]"},
            {"/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": [{\"action\": \"vm:screenshot\", "
                + "\"params\": \"x\"}]}", "actions[0].params"},
            {"/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": [{\"action\": \"vm:screenshot\", "
                + "\"id\": 1}]}", "actions[0].id"},
            {"/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": {\"action\": \"vm:screenshot\"}}", "actions"},
            {"/session/create", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\", \"config\": 3}", "config"},
            {"/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": 1}", "resource_type"},
            {"/session/list", "{\"worker_id\": \"" + worker + "\", \"all\": true}", "all"},
            {"/warmup", "{\"resources\": [\"vm\", 1]}", "resources[1]"},
            {"/warmup", "{\"resources\": \"vm\"}", "resources"},
        };
        for (String[] refusal : refusals) {
            post(refusal[0], refusal[1]).then().statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"))
                    .body("error.details.field", equalTo(refusal[2]))
                    .body("error.message", containsString("'" + refusal[2] + "'"));
        }
        post("/execute", "{\"action\": \"vm:screenshot\"} {}").then().statusCode(400).body("error.message",
                containsString("content after the JSON value"));
        post("/execute", "\"vm:screenshot\"").then().statusCode(400).body("error.message", containsString("JSON object"));
        post("/execute", "").then().statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        assertEquals(0, leases(worker).size(), "no refused request leased anything");
    }

    @Test
    void fetchRefusesPrivateAddressesUnderTheWildcard() {
        post("/execute", "{\"action\": \"fetch\", \"params\": {\"url\": \"http://127.0.0.1:" + TestCluster.get().desktops().get(0).port()
                + "/platform\"}}").then().statusCode(403).body("error.code", equalTo("FETCH_REFUSED"));
        post("/execute", "{\"action\": \"web:fetch\", \"params\": {\"url\": \"http://169.254.169.254/latest/meta-data\"}}")
                .then().statusCode(403).body("error.code", equalTo("FETCH_REFUSED"));
        post("/execute", "{\"action\": \"fetch\", \"params\": {\"url\": \"file:///etc/passwd\"}}").then().statusCode(400);
    }
}

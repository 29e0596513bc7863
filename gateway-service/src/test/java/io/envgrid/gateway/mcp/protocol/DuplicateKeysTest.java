package io.envgrid.gateway.mcp.protocol;

import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.gateway.support.SandboxHttp;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A request body holding a key twice in one object ({@code {"worker_id":"a","worker_id":"b"}}: a check may read one and
 * the call use the other) is refused as malformed on both front ends, and nothing of it runs: no lease is taken for
 * either worker id.
 */
@QuarkusTest
@WithCluster
class DuplicateKeysTest {

    /** MCP: a JSON-RPC parse error (-32700, HTTP 400), whichever object holds the key twice. Was: the last one won. */
    @Test
    void anMcpRequestWithADuplicateKeyIsAParseErrorAndRunsNothing() {
        String session = initialize(mcp());
        String a = "dup-mcp-a-" + System.nanoTime();
        String b = "dup-mcp-b-" + System.nanoTime();
        String[] bodies = {
            // in the arguments: which worker the allocation is for
            "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"tools/call\",\"params\":{\"name\":\"allocate_single_resource\","
                    + "\"arguments\":{\"worker_id\":\"" + a + "\",\"worker_id\":\"" + b + "\",\"resource_type\":\"vm_pyautogui\"}}}",
            // the tool's name
            "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"tools/call\",\"params\":{\"name\":\"test_simple_text\","
                    + "\"name\":\"allocate_single_resource\",\"arguments\":{\"worker_id\":\"" + a + "\","
                    + "\"resource_type\":\"vm_pyautogui\"}}}",
            // the method itself
            "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"ping\",\"method\":\"tools/call\",\"params\":{\"name\":"
                    + "\"allocate_single_resource\",\"arguments\":{\"worker_id\":\"" + b + "\",\"resource_type\":\"vm_pyautogui\"}}}"};
        for (String body : bodies) {
            mcp().header("Mcp-Session-Id", session).body(body).post("/mcp").then().statusCode(400)
                    .body("error.code", equalTo(JsonRpc.PARSE_ERROR))
                    .body("error.message", containsString("duplicate key \""))
                    .body("id", nullValue()).body("result", nullValue());
        }
        assertEquals(0, TestCluster.get().leasesOf(a).size(), "no lease for " + a);
        assertEquals(0, TestCluster.get().leasesOf(b).size(), "no lease for " + b);
    }

    /** Sandbox API: 400 {@code INVALID_PARAMETERS} in the error envelope; no session is created for either id. */
    @Test
    void aSandboxBodyWithADuplicateKeyIsRefusedAndRunsNothing() {
        String a = "dup-sbx-a-" + System.nanoTime();
        String b = "dup-sbx-b-" + System.nanoTime();
        SandboxHttp.post("/session/create", "{\"worker_id\": \"" + a + "\", \"worker_id\": \"" + b
                + "\", \"resource_type\": \"vm\"}").then().statusCode(400)
                .body("error.code", equalTo("INVALID_PARAMETERS")).body("error.message", containsString("duplicate key \""));
        SandboxHttp.post("/session/create", "{\"worker_id\": \"" + a + "\", \"resource_type\": \"rag\", "
                + "\"resource_type\": \"vm\"}").then().statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        for (String worker : new String[] {a, b}) {
            SandboxHttp.post("/session/list", "{\"worker_id\": \"" + worker + "\"}").then().statusCode(200)
                    .body("count", equalTo(0));
            assertEquals(0, TestCluster.get().leasesOf(worker).size(), "no lease for " + worker);
        }
    }
}

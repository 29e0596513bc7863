package io.envgrid.gateway.mcp.protocol;

import static io.envgrid.gateway.support.McpHttp.call;
import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;

import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Seed 000 registers its system tools hidden: configured so, they leave tools/list but stay callable. */
@QuarkusTest
@WithCluster
@TestProfile(HiddenSystemToolsTest.Hidden.class)
class HiddenSystemToolsTest {

    public static class Hidden implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.gateway.mcp.hide-system-tools", "true");
        }
    }

    @Test
    void systemToolsAreHiddenButCallable() {
        String session = initialize(mcp());
        mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").post("/mcp")
                .then().statusCode(200)
                .body("result.tools.name", not(hasItem("allocate_batch_resources")))
                .body("result.tools.name", not(hasItem("release_batch_resources")))
                .body("result.tools.name", hasItem("computer"));
        call(session, 2, "renew_resources", "{\"worker_id\": \"hidden-tools-worker\"}").then()
                .body("result.isError", equalTo(false));
    }
}

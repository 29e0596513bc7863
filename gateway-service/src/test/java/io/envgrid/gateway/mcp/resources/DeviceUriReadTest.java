package io.envgrid.gateway.mcp.resources;

import static io.envgrid.gateway.support.McpHttp.call;
import static io.envgrid.gateway.support.McpHttp.initialize;
import static io.envgrid.gateway.support.McpHttp.mcp;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.gateway.support.RecordingEndpoint;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * {@code resources/read} and {@code resources/subscribe} of hostile {@code mcp://test-devices/} URIs by a worker that
 * holds a device: each is {@code -32602} and its agent (a recorder registered as the device's {@code agent_url}) is
 * asked nothing, while the device's own URI reaches the agent at the path the gateway built.
 */
@QuarkusTest
@WithCluster
class DeviceUriReadTest {

    private static Response rpc(String session, String method, String uri) {
        return mcp().header("Mcp-Session-Id", session).body("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"" + method
                + "\",\"params\":{\"uri\":\"" + uri.replace("\\", "\\\\") + "\"}}").post("/mcp");
    }

    @Test
    void hostileDeviceUrisAreInvalidParamsAndReachNoAgent() {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        String type = "dotseg" + suffix;
        try (RecordingEndpoint agent = RecordingEndpoint.start(path -> "{\"uri\": \"x\", \"mimeType\": "
                + "\"application/json\", \"contents\": {\"device\": \"held\"}}")) {
            TestCluster.get().register("dotseg-" + suffix, "device_" + type, "{\"agent_url\": \"" + agent.url()
                    + "\", \"device_id\": \"held\"}");
            String session = initialize(mcp());
            call(session, 1, "allocate_single_resource", "{\"worker_id\": \"dotseg-worker-" + suffix
                    + "\", \"resource_type\": \"device_" + type + "\"}").then().body("result.isError", equalTo(false));
            String held = ResourceUris.DEVICES + "devices/" + type + "/held";
            rpc(session, "resources/read", held + "/device.json").then().log().ifValidationFails()
                    .body("result.contents[0].text", equalTo("{\"device\":\"held\"}"));
            assertEquals(List.of("/resources/devices/" + type + "/held/device.json"),
                    agent.seen().stream().map(RecordingEndpoint.Seen::rawPath).toList());

            for (String uri : List.of(held + "/../other/device.json", held + "/%2e%2e/other/device.json",
                    held + "/%2E%2E%2Fother%2Fdevice.json", held + "/./device.json", held + "/files/..%2F..%2Fx",
                    held + "%2F..%2Fother/device.json", held + "//device.json", held + "/files/a%5C..%5Cb",
                    held + "/files/a\\b", held + "/%C0%AE%C0%AE/x", held + "/%zz",
                    ResourceUris.DEVICES + "devices/" + type + "/../" + type + "/held/device.json",
                    ResourceUris.DEVICES + "devices/" + type + "/held%2F%2E%2E/device.json",
                    ResourceUris.DEVICES + "./devices/" + type + "/held/device.json")) {
                for (String method : List.of("resources/read", "resources/subscribe")) {
                    rpc(session, method, uri).then().log().ifValidationFails()
                            .body("error.code", equalTo(-32602)).body("error.data.uri", equalTo(uri));
                }
            }
            assertEquals(1, agent.seen().size(), agent.seen().toString());
            call(session, 2, "release_batch_resources", "{}").then().body("result.isError", equalTo(false));
        }
    }
}

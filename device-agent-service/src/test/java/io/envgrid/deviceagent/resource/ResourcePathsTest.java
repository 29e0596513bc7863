package io.envgrid.deviceagent.resource;

import io.envgrid.deviceagent.support.AgentCalls;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /resources/{uri}} (issue 11, review E): a dot segment, plain or percent-encoded, never walks up the tree
 * ({@code devices/linux/%2E%2E/device.json} was answered as {@code devices/device.json}), and the type segment follows
 * the type rule. Both are {@code 400 INVALID_ID}. With the service token only to be clear of the rate limit other
 * test classes of this profile use up.
 */
@QuarkusTest
class ResourcePathsTest {

    @Test
    void dotSegmentsAndBadTypesAreRefused() {
        for (String path : List.of("devices/linux/%2E%2E/device.json", "devices/linux/%2e%2e", "devices/%2E",
                "devices/linux/test-host/%2E%2E/%2E%2E/status", "devices/linux/.%2E/device.json",
                "devices/bad%20type", "devices/%2Fetc", "devices/-linux/test-host/device.json")) {
            AgentCalls.asService().urlEncodingEnabled(false).get("/resources/" + path).then().statusCode(400)
                    .body("error.code", equalTo("INVALID_ID"));
        }
    }

    @Test
    void wellFormedPathsStillAnswer() {
        AgentCalls.asService().urlEncodingEnabled(false).get("/resources/devices/linux/test-host/device.json").then().statusCode(200)
                .body("contents.device_id", equalTo("test-host"));
        AgentCalls.asService().urlEncodingEnabled(false).get("/resources/devices/linux").then().statusCode(200);
    }
}

package io.envgrid.deviceagent.tool;

import static io.envgrid.deviceagent.support.AgentCalls.asService;
import static io.envgrid.deviceagent.support.AgentCalls.call;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;

import io.envgrid.deviceagent.support.AgentCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The device tools' REST surface: health, the tool list with schemas, calls and shortcuts, resources, docs, metrics. */
@QuarkusTest
class ToolsApiTest {

    @Test
    void healthSaysHealthyWithVersion() {
        asService().get("/health").then().statusCode(200)
                .body("status", equalTo("healthy")).body("version", equalTo("1.0.0")).body("timestamp", notNullValue());
    }

    @Test
    void listsEveryToolWithItsInputSchema() {
        asService().get("/tools").then().statusCode(200)
                .body("name", hasItems("device.list", "device.connect", "device.disconnect", "device.execute",
                        "device.upload", "device.download", "device.status", "device.borrow", "device.return",
                        "device.info", "device.create", "device.update", "device.delete", "device.search",
                        "system.info", "system.restart"))
                .body("$", hasSize(16))
                .body("find { it.name == 'device.borrow' }.inputSchema.type", equalTo("object"))
                .body("find { it.name == 'device.borrow' }.inputSchema.required",
                        equalTo(List.of("device_id", "borrower", "purpose", "expected_return_date")))
                .body("find { it.name == 'device.create' }.inputSchema.properties.specs.type", equalTo("object"))
                .body("find { it.name == 'device.list' }.inputSchema.required", hasSize(0));
    }

    @Test
    void shortcutsCallTheSameTools() {
        String id = AgentCalls.createDevice("android");
        asService().get("/tools/device.list").then().statusCode(200).body("devices.id", hasItem(id));
        asService().get("/tools/device.info?device_id=" + id).then().statusCode(200).body("device_id", equalTo(id));
        asService().contentType(ContentType.JSON).body(Map.of("device_id", id)).post("/tools/device.status")
                .then().statusCode(200).body("status", equalTo("available")).body("sku", equalTo("SKU-" + id));
    }

    @Test
    void badCallsGetTheEnvelopeWithTheContractsCodes() {
        call("device.nope", Map.of()).statusCode(404).body("error.code", equalTo("TOOL_NOT_FOUND"));
        call("device.info", Map.of()).statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"))
                .body("error.message", containsString("device_id")).body("error.timestamp", notNullValue());
        call("device.info", Map.of("device_id", 42)).statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
        call("device.info", Map.of("device_id", "../etc")).statusCode(400).body("error.code", equalTo("INVALID_ID"));
        call("device.info", Map.of("device_id", "no-such-device")).statusCode(404)
                .body("error.code", equalTo("DEVICE_NOT_FOUND")).body("error.details.device_id", equalTo("no-such-device"));
        asService().contentType(ContentType.JSON).body("{not json").post("/tools/device.info/call").then()
                .statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"))
                .body("error.message", equalTo("request body is not a JSON object of tool arguments"))
                .body("error.details.reason", notNullValue());
        asService().contentType(ContentType.JSON).body("[1,2]").post("/tools/device.info/call").then()
                .statusCode(400).body("error.code", equalTo("INVALID_PARAMETERS"));
    }

    @Test
    void resourceTreeFollowsTheDeviceDirectories() {
        String id = AgentCalls.createDevice("android");
        asService().get("/resources").then().statusCode(200)
                .body("[0].uri", equalTo("mcp://test-devices/"))
                .body("[0].contents.children", hasItems("mcp://test-devices/devices", "mcp://test-devices/tools",
                        "mcp://test-devices/status"));
        asService().get("/resources/mcp://test-devices/devices").then().statusCode(200)
                .body("contents.children", hasItem("mcp://test-devices/devices/android"));
        asService().get("/resources/devices/android").then().statusCode(200)
                .body("contents.children", hasItem("mcp://test-devices/devices/android/" + id));
        asService().get("/resources/mcp://test-devices/devices/android/" + id).then().statusCode(200)
                .body("contents.children", hasItems("mcp://test-devices/devices/android/" + id + "/device.json",
                        "mcp://test-devices/devices/android/" + id + "/files"));
        asService().get("/resources/devices/android/" + id + "/device.json").then().statusCode(200)
                .body("contents.device_id", equalTo(id)).body("contents.type", equalTo("android"));
        asService().get("/resources/tools").then().statusCode(200).body("contents", hasItem("device.search"));
        asService().get("/resources/status").then().statusCode(200).body("contents.system.version", equalTo("1.0.0"));
        asService().get("/resources/devices/ios/" + id).then().statusCode(404);
        asService().get("/resources/elsewhere").then().statusCode(404).body("error.code", equalTo("DEVICE_NOT_FOUND"));
    }

    @Test
    void servesMetricsDocsAndOpenApiAtTheContractsPaths() {
        call("device.list", Map.of()).statusCode(200);
        asService().get("/metrics").then().statusCode(200)
                .body(containsString("envgrid_device_tool_calls_total{outcome=\"success\",tool=\"device.list\""));
        asService().get("/openapi.json").then().statusCode(200).body("paths", notNullValue())
                .body(containsString("/tools/{name}/call"));
        asService().get("/docs").then().statusCode(200).body(containsString("swagger"));
    }
}

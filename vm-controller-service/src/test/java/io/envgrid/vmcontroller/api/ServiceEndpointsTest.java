package io.envgrid.vmcontroller.api;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.testsupport.openapi.ErrorResponsesCheck;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithRedis;

/** Health, Prometheus metrics and OpenAPI, as every envgrid service serves them. */
@QuarkusTest
@WithRedis
class ServiceEndpointsTest {

    @Test
    void servesHealthMetricsAndOpenApi() {
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/metrics").then().statusCode(200).body(containsString("# TYPE jvm_"));
        get("/q/openapi").then().statusCode(200);
    }

    /** JsonNode-typed fields and bodies are any JSON value, not a bean with "valueNode", "pojo", ... (found by FuzzTest). */
    @Test
    void openApiDescribesJsonNodeAsAnyValue() {
        String doc = get("/q/openapi?format=json").then().statusCode(200).extract().asString();
        org.junit.jupiter.api.Assertions.assertFalse(doc.contains("valueNode"), "JsonNode described as a bean");
        org.junit.jupiter.api.Assertions.assertTrue(doc.contains("any JSON value"));
    }

    /** Every operation documents its refusals in the envelope, each example with one of the controller's codes. */
    @Test
    void openApiDocumentsTheErrors() throws Exception {
        var document = new ObjectMapper().readTree(get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        Assertions.assertEquals(List.of(), ErrorResponsesCheck.problems(document, ErrorResponsesCheck.codesOf(ErrorCode.class)));
        // a desktop route: the session's checks and the desktop's failures, passed on
        String click = "/paths/~1sessions~1{worker_id}~1{resource_id}~1actions~1pyautogui/post/responses/";
        for (String[] expected : new String[][] {{"400", "INVALID_ACTION"}, {"404", "SESSION_NOT_FOUND"},
                {"409", "LEASE_NOT_LIVE"}, {"502", "VM_UNREACHABLE"}, {"503", "DESKTOP_UNAVAILABLE"}, {"504", "VM_TIMEOUT"}}) {
            Assertions.assertEquals(expected[1], document.at(click + expected[0] + "/content/application~1json/examples/"
                    + expected[1] + "/value/error/code").asText(), expected[0]);
        }
    }
}

package io.envgrid.deviceagent.api;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.error.ErrorCode;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.testsupport.openapi.ErrorResponsesCheck;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Test;

/** Health, Prometheus metrics and OpenAPI, as every envgrid service serves them. */
@QuarkusTest
class ServiceEndpointsTest {

    @Test
    void servesHealthMetricsAndOpenApi() {
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        get("/q/metrics").then().statusCode(200).body(containsString("# TYPE jvm_"));
        get("/q/openapi").then().statusCode(200);
    }

    @Test
    void withoutADisplayTheDesktopRoutesSayWhy() {
        AgentCalls.asService().get("/screenshot").then().statusCode(503).body("status", equalTo("error"))
                .body("message", containsString("no X display"));
        AgentCalls.asService().get("/cursor_position").then().statusCode(503);
        AgentCalls.asService().get("/platform").then().statusCode(200).body(equalTo("Linux"));
        // locked all the same: the credential is checked before anything else
        get("/screenshot").then().statusCode(401).body("error.code", equalTo("UNAUTHORIZED"));
    }

    /**
     * Every operation documents its refusals in the envelope, each example with one of the agent's codes; the
     * envelope's schema has the OSWorld fields the desktop routes answer next to it (the 503 above).
     */
    @Test
    void openApiDocumentsTheErrors() throws Exception {
        var document = new ObjectMapper().readTree(get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        Assertions.assertEquals(List.of(), ErrorResponsesCheck.problems(document, ErrorResponsesCheck.codesOf(ErrorCode.class)));
        for (String osworld : List.of("status", "message", "output", "returncode")) {
            Assertions.assertTrue(document.at("/components/schemas/ErrorEnvelope/properties/" + osworld).isObject(), osworld);
        }
        String screenshot = "/paths/~1screenshot/get/responses/";
        String call = "/paths/~1tools~1{name}~1call/post/responses/";
        for (String[] expected : new String[][] {{screenshot, "401", "UNAUTHORIZED"}, {screenshot, "404", "DESKTOP_NOT_FOUND"},
                {screenshot, "503", "DESKTOP_UNAVAILABLE"}, {call, "404", "DEVICE_NOT_FOUND"},
                {call, "409", "DEVICE_ALREADY_BORROWED"}, {call, "429", "RATE_LIMIT_EXCEEDED"}}) {
            Assertions.assertEquals(expected[2], document.at(expected[0] + expected[1]
                    + "/content/application~1json/examples/" + expected[2] + "/value/error/code").asText(),
                    expected[0] + expected[1]);
        }
    }
}

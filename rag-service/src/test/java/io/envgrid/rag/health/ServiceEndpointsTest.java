package io.envgrid.rag.health;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.rag.error.ErrorCode;
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

    /** Every operation documents its refusals in the envelope, each example with one of rag-service's codes. */
    @Test
    void openApiDocumentsTheErrors() throws Exception {
        var document = new ObjectMapper().readTree(get("/q/openapi?format=json").then().statusCode(200).extract().asString());
        Assertions.assertEquals(List.of(), ErrorResponsesCheck.problems(document, ErrorResponsesCheck.codesOf(ErrorCode.class)));
        String search = "/paths/~1search/post/responses/";
        for (String[] expected : new String[][] {{"400", "MALFORMED_JSON"}, {"404", "COLLECTION_NOT_FOUND"},
                {"409", "LEASE_NOT_LIVE"}, {"413", "PAYLOAD_TOO_LARGE"}, {"503", "WARMING_UP"}}) {
            Assertions.assertEquals(expected[1], document.at(search + expected[0] + "/content/application~1json/examples/"
                    + expected[1] + "/value/error/code").asText(), expected[0]);
        }
    }
}

package io.envgrid.rag.access;

import io.envgrid.testsupport.process.PackagedApp;
import static io.envgrid.rag.api.Api.operator;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.rag.support.PackagedRagService;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An allocator that cannot be reached: whatever depends on a lease is refused with {@code 503 ALLOCATOR_UNAVAILABLE}
 * (fail closed) and changes nothing; the service token, which needs no allocator, still works. The packaged service
 * in its own JVM (failsafe), since a second in-process application start with other settings cannot load the
 * embedder's native tokenizer again.
 */
class AllocatorDownIT {

    private static final String LEASE_TOKEN = "elt_AAAAAAAAAAAAAAAAAAAAAA";

    @RegisterExtension
    final PackagedRagService rag = new PackagedRagService("allocator-down-it-rag.log");

    @Test
    void everyCallThatNeedsTheAllocatorIs503AndChangesNothing() {
        // the allocator URL points at a port nothing listens on
        rag.start(Map.of("envgrid.rag.instance-id", "down",
                "envgrid.allocator.url", "http://127.0.0.1:" + PackagedApp.freePort()));

        operator().contentType("application/x-ndjson").body("{\"id\":\"d1\",\"text\":\"reference text\"}\n".getBytes(StandardCharsets.UTF_8))
                .post("/collections/down/documents").then().statusCode(200);

        unavailable(search(given()));
        unavailable(search(given().header(Credentials.LEASE_TOKEN_HEADER, LEASE_TOKEN)));
        unavailable(given().header(Credentials.LEASE_TOKEN_HEADER, LEASE_TOKEN).contentType(ContentType.JSON)
                .body(Map.of("text", "written while nobody could check")).put("/collections/down/documents/d2"));
        unavailable(given().header(Credentials.LEASE_TOKEN_HEADER, LEASE_TOKEN).delete("/collections/down/documents/d1"));
        int documents = operator().get("/collections").then().extract().path("find { it.name == 'down' }.documents");
        assertEquals(1, documents, "refused calls changed nothing");

        search(operator()).then().statusCode(200).body("results[0].id", equalTo("d1"));
    }

    private static Response search(RequestSpecification request) {
        return request.contentType(ContentType.JSON).body(Map.of("query", "reference", "collection", "down")).post("/search");
    }

    private static void unavailable(Response response) {
        response.then().statusCode(503).body("error.code", equalTo("ALLOCATOR_UNAVAILABLE"));
    }
}

package io.envgrid.rag.registration;

import static io.envgrid.rag.api.Api.operator;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Collections become {@code rag} resources in the real allocator, and an allocation of
 * {@code ["rag"]} hands out this service's endpoint and collection.
 */
@QuarkusTest
@WithRealAllocator
class RegistrationTest {

    private static final String DOCUMENT = "{\"id\":\"d1\",\"text\":\"fencing tokens stop double grants\"}\n";

    private static int status(String path) {
        return RealAllocator.given().get(path).statusCode();
    }

    @Test
    void collectionsAreLeasableAsRagResources() {
        operator().contentType("application/x-ndjson").body(DOCUMENT.getBytes(StandardCharsets.UTF_8))
                .post("/collections/leased/documents").then().statusCode(200);
        RealAllocator.await("rag:test:leased registered", () -> status("/resources/rag:test:leased") == 200);

        RealAllocator.given().get("/resources/rag:test:leased").then().statusCode(200)
                .body("type", equalTo("rag")).body("endpoint.collection", equalTo("leased"))
                .body("endpoint.base_url", not(emptyString()));
        // other test classes' collections share the index directory: the grant is one of this instance's
        Map<String, Object> grant = RealAllocator.given().contentType(ContentType.JSON)
                .body(Map.of("worker_id", "w-rag", "resource_types", List.of("rag")))
                .post("/allocate").then().statusCode(200)
                .body("rag.id", startsWith("rag:test:")).body("rag.base_url", not(emptyString()))
                .extract().path("rag");
        // the holder searches its collection with the lease token it was given
        given().header("X-Envgrid-Lease-Token", grant.get("lease_token")).contentType(ContentType.JSON)
                .body(Map.of("query", "double grants", "collection", grant.get("collection"), "mode", "bm25"))
                .post("/search").then().statusCode(200);
        operator().contentType(ContentType.JSON).body(Map.of("query", "double grants", "collection", "leased", "mode", "bm25"))
                .post("/search").then().statusCode(200).body("results[0].id", equalTo("d1"));
        RealAllocator.given().contentType(ContentType.JSON).body(Map.of("worker_id", "w-rag"))
                .post("/release/worker").then().statusCode(200);
    }
}

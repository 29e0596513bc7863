package io.envgrid.rag.registration;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.emptyString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.startsWith;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
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
        return given().baseUri(RealAllocator.url).get(path).statusCode();
    }

    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }

    @Test
    void collectionsAreLeasableAsRagResources() {
        given().contentType("application/x-ndjson").body(DOCUMENT.getBytes(StandardCharsets.UTF_8))
                .post("/collections/leased/documents").then().statusCode(200);
        await("rag:test:leased registered", () -> status("/resources/rag:test:leased") == 200);

        given().baseUri(RealAllocator.url).get("/resources/rag:test:leased").then().statusCode(200)
                .body("type", equalTo("rag")).body("endpoint.collection", equalTo("leased"))
                .body("endpoint.base_url", not(emptyString()));
        // other test classes' collections share the index directory: the grant is one of this instance's
        String granted = given().baseUri(RealAllocator.url).contentType(ContentType.JSON)
                .body(Map.of("worker_id", "w-rag", "resource_types", List.of("rag")))
                .post("/allocate").then().statusCode(200)
                .body("rag.id", startsWith("rag:test:")).body("rag.base_url", not(emptyString()))
                .extract().path("rag.collection");
        given().contentType(ContentType.JSON).body(Map.of("query", "double grants", "collection", granted, "mode", "bm25"))
                .post("/search").then().statusCode(200);
        given().contentType(ContentType.JSON).body(Map.of("query", "double grants", "collection", "leased", "mode", "bm25"))
                .post("/search").then().statusCode(200).body("results[0].id", equalTo("d1"));
        given().baseUri(RealAllocator.url).contentType(ContentType.JSON).body(Map.of("worker_id", "w-rag"))
                .post("/release/worker").then().statusCode(200);
    }
}

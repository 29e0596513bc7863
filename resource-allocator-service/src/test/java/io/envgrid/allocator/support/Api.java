package io.envgrid.allocator.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;

/** The allocator's HTTP API as the tests call it. */
public final class Api {

    private Api() {
    }

    public static ValidatableResponse post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    public static ValidatableResponse register(String id, String type) {
        return post("/resources", Map.of("id", id, "type", type,
                "endpoint", Map.of("ip", "10.0.0." + Math.abs(id.hashCode() % 250), "port", 5000, "token", "t-" + id),
                "labels", Map.of("zone", "a")));
    }

    /** Registers {@code count} resources of a type named {@code type-1 .. type-count}. */
    public static void registerPool(String type, int count) {
        for (int i = 1; i <= count; i++) {
            register(type + "-" + i, type).statusCode(201);
        }
    }

    public static ValidatableResponse allocate(String worker, List<String> types, int timeout) {
        return post("/allocate", Map.of("worker_id", worker, "resource_types", types, "timeout", timeout));
    }

    public static ValidatableResponse release(String worker, String resourceId) {
        return post("/release", Map.of("worker_id", worker, "resource_id", resourceId));
    }

    /** The body of a successful GET, as text. */
    public static String get(String path) {
        return given().when().get(path).then().statusCode(200).extract().asString();
    }

    public static ValidatableResponse stats() {
        return given().when().get("/stats").then().statusCode(200);
    }

    /** Asserts the error envelope (docs/contracts/errors.md) with the given status and code. */
    public static ValidatableResponse expectError(ValidatableResponse response, int status, String code) {
        return response.statusCode(status)
                .body("error.code", org.hamcrest.Matchers.equalTo(code))
                .body("error.message", org.hamcrest.Matchers.notNullValue())
                .body("error.timestamp", org.hamcrest.Matchers.notNullValue());
    }
}

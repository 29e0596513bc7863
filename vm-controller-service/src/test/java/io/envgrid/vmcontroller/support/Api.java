package io.envgrid.vmcontroller;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The controller's HTTP API as the tests (and the gateway) call it: ids percent-encoded as path
 * segments, the lease token in {@code X-Envgrid-Lease-Token} on every session call.
 */
final class Api {

    static final String LEASE_TOKEN = "X-Envgrid-Lease-Token";

    private Api() {
    }

    static ValidatableResponse open(String worker, Map<String, Object> entry) {
        return post("/sessions", Map.of("worker_id", worker, "resource", entry));
    }

    static ValidatableResponse post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    /** A request carrying {@code token} (none when null), with paths sent exactly as built here. */
    static RequestSpecification as(String token) {
        RequestSpecification spec = given().urlEncodingEnabled(false);
        return token == null ? spec : spec.header(LEASE_TOKEN, token);
    }

    /** {@code /sessions/<worker>/<resource>}, each id one percent-encoded segment. */
    static String session(String worker, String resource) {
        return "/sessions/" + segment(worker) + "/" + segment(resource);
    }

    static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    static ValidatableResponse get(String token, String worker, String resource) {
        return as(token).get(session(worker, resource)).then();
    }

    static ValidatableResponse delete(String token, String worker, String resource) {
        return as(token).delete(session(worker, resource)).then();
    }

    static ValidatableResponse act(String token, String worker, String resource, String operation, Object body) {
        return as(token).contentType(ContentType.JSON).body(body)
                .post(session(worker, resource) + "/" + operation).then();
    }

    static ValidatableResponse read(String token, String worker, String resource, String operation) {
        return as(token).get(session(worker, resource) + "/" + operation).then();
    }

    /** Asserts the error envelope of DESIGN.md with the given status and code. */
    static ValidatableResponse expectError(ValidatableResponse response, int status, String code) {
        return response.statusCode(status)
                .body("error.code", equalTo(code))
                .body("error.message", notNullValue())
                .body("error.timestamp", notNullValue());
    }
}

package io.envgrid.vmcontroller.support;

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
public final class Api {

    public static final String LEASE_TOKEN = "X-Envgrid-Lease-Token";

    private Api() {
    }

    public static ValidatableResponse open(String worker, Map<String, Object> entry) {
        return post("/sessions", Map.of("worker_id", worker, "resource", entry));
    }

    public static ValidatableResponse post(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).when().post(path).then();
    }

    /** A request carrying {@code token} (none when null), with paths sent exactly as built here. */
    public static RequestSpecification as(String token) {
        RequestSpecification spec = given().urlEncodingEnabled(false);
        return token == null ? spec : spec.header(LEASE_TOKEN, token);
    }

    /** {@code /sessions/<worker>/<resource>}, each id one percent-encoded segment. */
    public static String session(String worker, String resource) {
        return "/sessions/" + segment(worker) + "/" + segment(resource);
    }

    public static String segment(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }

    public static ValidatableResponse get(String token, String worker, String resource) {
        return as(token).get(session(worker, resource)).then();
    }

    public static ValidatableResponse delete(String token, String worker, String resource) {
        return as(token).delete(session(worker, resource)).then();
    }

    public static ValidatableResponse act(String token, String worker, String resource, String operation, Object body) {
        return as(token).contentType(ContentType.JSON).body(body)
                .post(session(worker, resource) + "/" + operation).then();
    }

    public static ValidatableResponse read(String token, String worker, String resource, String operation) {
        return as(token).get(session(worker, resource) + "/" + operation).then();
    }

    /** Asserts the error envelope {@code {"error":{code,message,details,timestamp}}} with the given status and code. */
    public static ValidatableResponse expectError(ValidatableResponse response, int status, String code) {
        return response.statusCode(status)
                .body("error.code", equalTo(code))
                .body("error.message", notNullValue())
                .body("error.timestamp", notNullValue());
    }
}

package io.envgrid.deviceagent.support;

import static io.restassured.RestAssured.given;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import io.restassured.specification.RequestSpecification;
import java.util.Map;
import java.util.UUID;

/** Tool calls as a client of the agent makes them; with the service token, so tests are not rate limited. */
public final class AgentCalls {

    public static final String SERVICE_TOKEN = "test-service-token";
    /** What the agent holds of it (the %test profile and surefire's environment): its SHA-256, as the DaemonSet gives it. */
    public static final String SERVICE_TOKEN_SHA256 = "a954fc0f2f00bb3a8a29a4556649ac783d8f79c67c421e4b6b75975d2f715c22";

    private AgentCalls() {
    }

    public static RequestSpecification asService() {
        return given().header("Authorization", "Bearer " + SERVICE_TOKEN);
    }

    public static ValidatableResponse call(String tool, Map<String, ?> arguments) {
        return asService().contentType(ContentType.JSON).body(arguments).post("/tools/" + tool + "/call").then();
    }

    /** Waits until the agent has a record of {@code deviceId}, e.g. once discovery (every second in tests) found it. */
    public static void awaitRecord(String deviceId, String what) {
        Conditions.await(() -> call("device.info", Map.of("device_id", deviceId)).extract().statusCode() == 200, what);
    }

    /**
     * Waits until the host device ({@code test-host}) is prepared: its network namespace and disk are made on a thread of
     * their own after the agent's start, and its calls are refused ({@code 409}, "being prepared") until then.
     */
    public static void awaitHostDevicePrepared() {
        Conditions.await(() -> !call("device.info", Map.of("device_id", "test-host")).extract().asString()
                .contains("being prepared"), "the host device prepared after the agent's start");
    }

    /** A fresh device id per test, so tests sharing the data directory never see each other's devices. */
    public static String uniqueId(String prefix) {
        return prefix + "-" + UUID.randomUUID().toString().substring(0, 8);
    }

    public static String createDevice(String type) {
        String id = uniqueId(type);
        call("device.create", Map.of("device_id", id, "name", "Test " + type, "type", type, "sku", "SKU-" + id,
                "cpu_type", "arm64", "specs", Map.of("model", "Model " + type, "memory", "4GB")))
                .statusCode(200);
        return id;
    }
}

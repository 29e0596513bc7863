package io.envgrid.allocator.inventory;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.post;
import static io.envgrid.allocator.support.Api.register;
import static io.envgrid.allocator.support.Api.registerPool;
import static io.restassured.RestAssured.delete;
import static io.restassured.RestAssured.get;
import static io.restassured.RestAssured.given;
import static io.restassured.RestAssured.put;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

@QuarkusTest
@WithRedis
class InventoryTest extends CleanRedis {

    @Test
    void registerCreatesThenUpdates() {
        register("vm-1", "vm_pyautogui").statusCode(201).body("state", equalTo("free")).body("endpoint.port", equalTo(5000));
        post("/resources", Map.of("id", "vm-1", "type", "vm_pyautogui", "endpoint", Map.of("ip", "10.1.1.1", "port", 5001)))
                .statusCode(200).body("endpoint.port", equalTo(5001));
        get("/resources").then().statusCode(200).body("$", hasSize(1));
    }

    @Test
    void listFiltersByTypeStateAndLabel() {
        registerPool("vm", 2);
        registerPool("rag", 1);
        post("/resources", Map.of("id", "dev-1", "type", "device_android", "labels", Map.of("zone", "b", "os", "14")))
                .statusCode(201);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        given().queryParam("type", "vm").get("/resources").then().body("$", hasSize(2));
        given().queryParam("state", "leased").get("/resources").then().body("$", hasSize(1)).body("[0].lease.worker_id", equalTo("w1"));
        given().queryParam("label", "zone=b").get("/resources").then().body("$", hasSize(1)).body("[0].id", equalTo("dev-1"));
        given().queryParam("label", "zone=a").queryParam("type", "rag").get("/resources").then().body("$", hasSize(1));
        expectError(given().queryParam("state", "sleeping").get("/resources").then(), 400, "INVALID_PARAMETERS");
        expectError(given().queryParam("label", "novalue").get("/resources").then(), 400, "INVALID_ID");
    }

    @Test
    void heartbeatTtlTurnsAResourceDownAndTheNextHeartbeatBringsItBack() {
        post("/resources", Map.of("id", "agent-1", "type", "device_linux", "heartbeat_ttl", 1)).statusCode(201)
                .body("heartbeat_ttl", equalTo(1));
        Conditions.await(() -> "down".equals(get("/resources/agent-1").then().extract().path("state")), "resource down");
        expectError(allocate("w1", List.of("device_linux"), 60), 409, "INSUFFICIENT_RESOURCES");
        put("/resources/agent-1/heartbeat").then().statusCode(200).body("previous_health", equalTo("down"));
        get("/resources/agent-1").then().body("state", equalTo("free"));
        allocate("w1", List.of("device_linux"), 60).statusCode(200);
        expectError(put("/resources/ghost/heartbeat").then(), 404, "RESOURCE_NOT_FOUND");
    }

    @Test
    void drainedResourceGetsNoNewLeaseAndKeepsItsCurrentOne() {
        registerPool("vm", 1);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        post("/resources/vm-1/drain", Map.of()).statusCode(200).body("admin", equalTo("draining")).body("state", equalTo("leased"));
        Api.release("w1", "vm-1").statusCode(200);
        get("/resources/vm-1").then().body("state", equalTo("draining"));
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");
        post("/resources/vm-1/undrain", Map.of()).statusCode(200).body("state", equalTo("free"));
        allocate("w2", List.of("vm"), 60).statusCode(200);
    }

    @Test
    void deletingALeasedResourceNeedsForceAndRevokesTheLease() {
        registerPool("vm", 1);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        expectError(delete("/resources/vm-1").then(), 409, "RESOURCE_LEASED");
        delete("/resources/vm-1?force=true").then().statusCode(200).body("status", equalTo("deleted"));
        expectError(get("/resources/vm-1").then(), 404, "RESOURCE_NOT_FOUND");
        get("/leases").then().body("$", hasSize(0));
        expectError(allocate("w2", List.of("vm"), 60), 400, "UNKNOWN_RESOURCE_TYPE");
        expectError(delete("/resources/vm-1").then(), 404, "RESOURCE_NOT_FOUND");
    }

    @Test
    void typeOfALeasedResourceCannotChange() {
        registerPool("vm", 1);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        expectError(register("vm-1", "rag"), 409, "RESOURCE_LEASED");
        Api.release("w1", "vm-1").statusCode(200);
        register("vm-1", "rag").statusCode(200).body("type", equalTo("rag"));
        Api.stats().body("types.rag.total", equalTo(1)).body("types.vm", equalTo(null));
    }

    @Test
    void statsCountEveryState() {
        registerPool("vm", 4);
        allocate("w1", List.of("vm"), 60).statusCode(200);
        post("/resources/vm-2/drain", Map.of()).statusCode(200);
        Api.stats().body("types.vm.total", equalTo(4)).body("types.vm.leased", equalTo(1))
                .body("types.vm.draining", equalTo(1)).body("types.vm.free", equalTo(2))
                .body("total.total", equalTo(4));
    }
}

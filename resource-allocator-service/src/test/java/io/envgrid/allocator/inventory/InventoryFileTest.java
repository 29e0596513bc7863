package io.envgrid.allocator.inventory;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.SettingsProfile;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The start-up inventory file is registered, and readiness waits for it. */
@QuarkusTest
@WithRedis
@TestProfile(InventoryFileTest.WithInventoryFile.class)
class InventoryFileTest {

    public static class WithInventoryFile extends SettingsProfile {
        public WithInventoryFile() {
            super(Map.of("envgrid.allocator.inventory-file", "src/test/resources/inventory-test.json"));
        }
    }

    @Test
    void resourcesFromTheFileAreRegisteredBeforeReadiness() {
        Conditions.await(() -> get("/q/health/ready").statusCode() == 200, "ready");
        get("/q/health/ready").then().body("checks.name", hasItem("inventory-file"));
        get("/resources/file-vm-1").then().statusCode(200)
                .body("type", equalTo("vm_pyautogui")).body("endpoint.ip", equalTo("10.9.0.1"))
                .body("labels.source", equalTo("file")).body("state", equalTo("free"));
        get("/resources/file-rag-1").then().statusCode(200).body("heartbeat_ttl", equalTo(3600));
    }
}

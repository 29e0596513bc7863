package io.envgrid.vmcontroller.session;

import io.envgrid.testsupport.process.PackagedApp;
import io.envgrid.vmcontroller.support.PackagedApps;
import static io.envgrid.vmcontroller.support.Api.expectError;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/**
 * The controller with the packaged allocator on the same Redis: grants, releases and revocations
 * made by the real allocator, read by the controller from the allocator's own records. The VM is a
 * {@link FakeVm} (the OSWorld protocol stand-in).
 */
@QuarkusTest
@WithRedis
class RealAllocatorTest {

    private static PackagedApp allocator;

    @BeforeAll
    static void startAllocator() {
        allocator = PackagedApps.allocator(ConfigProvider.getConfig().getValue("quarkus.redis.hosts", String.class));
    }

    @AfterAll
    static void stopAllocator() {
        if (allocator != null) {
            allocator.close();
        }
    }

    @Test
    void theAllocatorsLeaseIsTheOnlyKeyFromGrantToRevocation() {
        String u = UUID.randomUUID().toString().substring(0, 8);
        String type = "vm_real_" + u;
        String id = "desk/" + u + "@lab:1";
        String a = "team/a:" + u;
        String b = "team/b@" + u;
        try (FakeVm vm = new FakeVm()) {
            allocatorCall("/resources", Map.of("id", id, "type", type,
                    "endpoint", Map.of("ip", "127.0.0.1", "port", vm.port(), "token", "desk-secret"))).statusCode(201);

            Map<String, Object> aEntry = allocate(a, type);
            String aToken = (String) aEntry.get("lease_token");
            Api.open(a, aEntry).statusCode(201).body("port", equalTo(vm.port()))
                    .body("fencing_token", equalTo(aEntry.get("fencing_token")));
            Api.read(aToken, a, id, "platform").statusCode(200);

            allocatorCall("/release", Map.of("worker_id", a, "resource_id", id)).statusCode(200);
            expectError(Api.read(aToken, a, id, "platform"), 409, "LEASE_NOT_LIVE");

            Map<String, Object> bEntry = allocate(b, type);
            assertEquals(((Number) aEntry.get("fencing_token")).longValue() + 1,
                    ((Number) bEntry.get("fencing_token")).longValue());
            expectError(Api.open(a, aEntry), 409, "LEASE_NOT_LIVE");
            String bToken = (String) bEntry.get("lease_token");
            Api.open(b, bEntry).statusCode(201);
            Api.act(bToken, b, id, "commands", Map.of("command", List.of("true"))).statusCode(200);

            given().urlEncodingEnabled(false).delete(allocator.url() + "/resources/" + Api.segment(id) + "?force=true")
                    .then().statusCode(200);
            expectError(Api.act(bToken, b, id, "commands", Map.of("command", List.of("true"))), 409,
                    "LEASE_NOT_LIVE");

            assertEquals(List.of(aToken, bToken),
                    vm.received().stream().map(FakeVm.Received::leaseToken).toList(),
                    "the VM got one call per live lease, each with its holder's token");
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> allocate(String worker, String type) {
        Map<String, Object> answer = allocatorCall("/allocate", Map.of("worker_id", worker, "resource_types", List.of(type)))
                .statusCode(200).extract().as(Map.class);
        return (Map<String, Object>) answer.get(type);
    }

    private static io.restassured.response.ValidatableResponse allocatorCall(String path, Object body) {
        return given().contentType(ContentType.JSON).body(body).post(allocator.url() + path).then();
    }
}

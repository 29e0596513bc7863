package io.envgrid.vmcontroller.vm;

import io.envgrid.testsupport.process.PackagedApp;
import static io.envgrid.vmcontroller.support.Api.expectError;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/**
 * A slow, broken or dead VM: every request ends with the envelope within its deadline; reads are
 * retried, actions never; one VM's breaker does not affect another VM. The test profile sets 1 s
 * deadlines, 2 read retries and a breaker that opens after 4 calls with half of them failed.
 */
@QuarkusTest
@WithRedis
class VmFailureTest extends WithFakeVm {

    @Test
    void aSlowScreenshotTimesOutAfterItsRetries() {
        vm.slow(5_000);
        long start = System.nanoTime();
        expectError(Api.read(token, worker, resource, "screenshot"), 504, "VM_TIMEOUT")
                .body("error.details.endpoint", equalTo("/screenshot"))
                .body("error.details.vm", equalTo("127.0.0.1:" + vm.port()));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertEquals(3, vm.received("/screenshot").size(), "one call and two retries");
        assertTrue(took.compareTo(Duration.ofSeconds(5)) < 0, "answered before the VM would have: " + took);
        given().get("/q/metrics").then().body(org.hamcrest.Matchers.containsString(
                "envgrid_vm_calls_seconds_count{endpoint=\"/screenshot\",outcome=\"timeout\"}"));
    }

    @Test
    void aSlowExecuteTimesOutOnceAndIsNeverRetried() {
        vm.slow(5_000);
        expectError(Api.act(token, worker, resource, "actions/pyautogui", Map.of("code", "pyautogui.click()")), 504,
                "VM_TIMEOUT");
        expectError(Api.act(token, worker, resource, "actions/computer_13", Map.of("action_type", "CLICK")), 504,
                "VM_TIMEOUT");
        assertEquals(2, vm.received("/execute").size(), "each action reached the VM exactly once");
    }

    @Test
    void aBrokenVmOpensItsBreakerAndLaterCallsFailFastWithoutReachingIt() {
        vm.mode(FakeVm.Mode.BROKEN);
        for (int i = 0; i < 4; i++) {
            expectError(Api.act(token, worker, resource, "commands", Map.of("command", "true", "shell", true)), 502,
                    "VM_UNREACHABLE");
        }
        assertEquals(4, vm.received("/execute").size());
        vm.mode(FakeVm.Mode.HEALTHY);
        expectError(Api.act(token, worker, resource, "commands", Map.of("command", "true", "shell", true)), 502,
                "VM_CIRCUIT_OPEN");
        expectError(Api.read(token, worker, resource, "screenshot"), 502, "VM_CIRCUIT_OPEN");
        assertEquals(4, vm.received().size(), "an open breaker keeps calls from the VM");

        try (FakeVm other = new FakeVm()) {
            String otherResource = "vm-" + other.port();
            leases.registerVm(otherResource, other.port());
            LeaseRecords.Grant otherGrant = leases.grant(otherResource, worker);
            Api.open(worker, otherGrant.entry()).statusCode(201);
            Api.read(otherGrant.leaseToken(), worker, otherResource, "screenshot").statusCode(200);
        }
    }

    @Test
    void aVmErrorIsPassedOnAndDoesNotOpenTheBreaker() {
        vm.mode(FakeVm.Mode.FAILING);
        for (int i = 0; i < 5; i++) {
            expectError(Api.act(token, worker, resource, "commands", Map.of("command", "true", "shell", true)), 502,
                    "VM_ERROR")
                    .body("error.details.vm_status", equalTo(500))
                    .body("error.details.vm_body", org.hamcrest.Matchers.containsString("boom"));
        }
        vm.mode(FakeVm.Mode.HEALTHY);
        Api.act(token, worker, resource, "commands", Map.of("command", "true", "shell", true)).statusCode(200);
    }

    @Test
    void answersOfTheWrongKindAreVmErrors() {
        vm.mode(FakeVm.Mode.GARBLED);
        expectError(Api.read(token, worker, resource, "screenshot"), 502, "VM_ERROR");
        expectError(Api.read(token, worker, resource, "screen_size"), 502, "VM_ERROR");
        expectError(Api.act(token, worker, resource, "commands", Map.of("command", "true", "shell", true)), 502, "VM_ERROR");
    }

    @Test
    void aVmThatIsGoneIsUnreachable() {
        int port = PackagedApp.freePort();
        String gone = "vm-gone-" + port;
        leases.registerVm(gone, port);
        LeaseRecords.Grant goneGrant = leases.grant(gone, worker);
        Api.open(worker, goneGrant.entry()).statusCode(201);
        expectError(Api.read(goneGrant.leaseToken(), worker, gone, "platform"), 502, "VM_UNREACHABLE")
                .body("error.details.vm", equalTo("127.0.0.1:" + port));
    }
}

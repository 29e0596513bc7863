package io.envgrid.allocator.inventory;

import static io.envgrid.allocator.support.Api.allocate;
import static io.envgrid.allocator.support.Api.expectError;
import static io.envgrid.allocator.support.Api.release;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.allocator.support.Api;
import io.envgrid.allocator.support.CleanRedis;
import io.envgrid.allocator.support.Conditions;
import io.envgrid.allocator.support.SettingsProfile;
import io.envgrid.allocator.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A reset that is never reported: the reaper takes the resource down once the deadline passes. */
@QuarkusTest
@WithRedis
@TestProfile(ResetDeadlineTest.ShortDeadline.class)
class ResetDeadlineTest extends CleanRedis {

    public static class ShortDeadline extends SettingsProfile {
        public ShortDeadline() {
            super(Map.of("envgrid.allocator.reset-deadline", "1s"));
        }
    }

    @Test
    void aResetPastTheDeadlineGoesDownAndALateReportIsRefused() {
        ResetTest.registerResetting("vm-1", "vm").statusCode(201);
        long token = allocate("w1", List.of("vm"), 60).statusCode(200).extract().<Number>path("vm.fencing_token").longValue();
        release("w1", "vm-1").statusCode(200);
        given().get("/resources/vm-1").then().body("state", equalTo("resetting"));

        Conditions.await(() -> "down".equals(given().get("/resources/vm-1").then().extract().path("state")),
                "the overdue reset taken down", Duration.ofSeconds(10));

        given().get("/resources/vm-1").then().body("down_reason", equalTo("reset timed out"));
        expectError(ResetTest.report("vm-1", token, "done", null), 409, "NOT_RESETTING");
        expectError(allocate("w2", List.of("vm"), 60), 409, "INSUFFICIENT_RESOURCES");
        Api.stats().body("types.vm.down", equalTo(1)).body("types.vm.resetting", equalTo(0));
    }
}

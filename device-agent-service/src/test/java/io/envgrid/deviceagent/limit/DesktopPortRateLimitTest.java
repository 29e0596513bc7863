package io.envgrid.deviceagent.limit;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import io.envgrid.deviceagent.fleet.DesktopPorts;
import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The rate limit on an agent hosting desktops: every call through a desktop's port comes from the in-process proxy on
 * loopback, so it is counted per desktop too; a caller of the agent's own port cannot get a fresh bucket by naming
 * desktops (or forging the proxy's mark) itself.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
class DesktopPortRateLimitTest {

    @Test
    void floodingOneDesktopsPortLeavesTheOtherDesktopsAndTheAgentsPortTheirQuota() {
        for (int i = 0; i < FleetDesktops.COUNT; i++) {
            int port = FleetDesktops.port(i);
            // the desktops' ports open once the agent's own listens, asynchronously
            Conditions.await(() -> answers(port), "desktop port " + port + " answers", Duration.ofSeconds(60));
        }
        for (int i = 0; i < 100; i++) {
            given().port(FleetDesktops.port(0)).get("/health").then().statusCode(200);
        }
        given().port(FleetDesktops.port(0)).get("/health").then().statusCode(429)
                .body("error.code", equalTo("RATE_LIMIT_EXCEEDED"));
        // desktop 1's callers and the agent's own port have their own quota (before: all shared 127.0.0.1's)
        given().port(FleetDesktops.port(1)).get("/health").then().statusCode(200);
        given().get("/health").then().statusCode(200);

        // on the agent's own port the desktop header is any caller's to choose: a new value is no new bucket, nor is a
        // made-up proxy mark (one call used above; 99 more reach the limit)
        for (int i = 1; i < 100; i++) {
            given().header(DesktopRouting.DESKTOP_HEADER, Integer.toString(i % FleetDesktops.COUNT))
                    .header(DesktopPorts.PROXY_MARK_HEADER, "forged-" + i).get("/health").then().statusCode(200);
        }
        given().header(DesktopRouting.DESKTOP_HEADER, "1").header(DesktopPorts.PROXY_MARK_HEADER, "forged")
                .get("/health").then().statusCode(429).body("error.code", equalTo("RATE_LIMIT_EXCEEDED"));
        given().header(DesktopRouting.DESKTOP_HEADER, "made-up").get("/health").then().statusCode(429);
        // and desktop 1's port still answers
        given().port(FleetDesktops.port(1)).get("/health").then().statusCode(200);
    }

    /** Whether the agent answers through {@code port}: on a desktop route, which is not rate limited. */
    private static boolean answers(int port) {
        try {
            int status = given().port(port).get("/platform").statusCode(); // the lock's 401 or a reset's 503: any answer
            return status != 502 && status != 504; // the proxy's own answers when the agent is out of reach
        } catch (RuntimeException notYetListening) {
            return false;
        }
    }
}

package io.envgrid.deviceagent.fleet;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.envgrid.deviceagent.osworld.DesktopRouting;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * One allocator lease check per call through a desktop's port: a call with a body is checked on its head by the port
 * ({@link DesktopCallGate}), and the route takes that check over in-process ({@link HeadChecks}) instead of asking
 * the allocator again; counted at the real allocator ({@code POST /leases/verify} in its HTTP server metrics). And no
 * caller can make a route skip its check by sending the markers itself: not on the agent's own port (with a made-up
 * proxy mark), not through a desktop's port (which adds the real mark) on a call the port does not check.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
@TestProfile(DesktopPortLeaseCheckTest.NoRecheckWhileACallRuns.class)
class DesktopPortLeaseCheckTest {

    /** A well-formed lease token that the allocator never issued. */
    private static final String MADE_UP = "elt_AAAAAAAAAAAAAAAAAAAAAA";
    private static final String CLICK = "{\"command\":[\"python\",\"-c\",\"import pyautogui; pyautogui.click(10, 10)\"]}";
    private static final Pattern VERIFY_COUNT = Pattern.compile(
            "(?m)^http_server_requests_seconds_count\\{[^}]*uri=\"/leases/verify\"[^}]*} ([0-9.eE+]+)$");

    /**
     * A running call's lease is checked again after 60 s, not 1 s: on a loaded machine a click may take longer than
     * a second, and that recheck (which is not what is counted here) would add an allocator call.
     */
    public static class NoRecheckWhileACallRuns implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.device-agent.desktop.lease-recheck-interval", "60s");
        }
    }

    @Test
    void aCallThroughADesktopsPortAsksTheAllocatorOnce() {
        FleetLeases.awaitAllFree();
        FleetLeases.Lease lease = FleetLeases.allocate("one-check-worker");
        try {
            // the first call opens the connections (to the agent, to the allocator) and loads pyautogui
            click(lease).then().statusCode(200);
            int clicks = 5;
            double before = verifies();
            for (int i = 0; i < clicks; i++) {
                click(lease).then().statusCode(200).body("returncode", equalTo(0));
            }
            // the allocator records a request once its answer is out: the last may be counted a moment later
            Conditions.await(() -> verifies() >= before + clicks, clicks + " lease checks counted",
                    Duration.ofSeconds(10));
            assertEquals(clicks, verifies() - before, 0.0, "allocator lease checks for " + clicks
                    + " calls with a body (before: 2 each, the port's head check and the route's)");

            double beforeScreenshots = verifies();
            for (int i = 0; i < 3; i++) {
                lease.call().get("/screenshot").then().statusCode(200);
            }
            Conditions.await(() -> verifies() >= beforeScreenshots + 3, "3 lease checks counted",
                    Duration.ofSeconds(10));
            assertEquals(3, verifies() - beforeScreenshots, 0.0, "a call without a body is checked by the route alone");
        } finally {
            FleetLeases.release(lease);
        }
    }

    @Test
    void markersACallerSendsDoNotSkipTheLeaseCheck() {
        FleetLeases.awaitAllFree();
        FleetLeases.Lease lease = FleetLeases.allocate("forging-worker");
        try {
            String desktop = lease.resourceId().substring(lease.resourceId().lastIndexOf('-') + 1);
            // the agent's own port, naming the leased desktop, with a made-up proxy mark and head check
            given().header(DesktopRouting.DESKTOP_HEADER, desktop)
                    .header(DesktopPorts.PROXY_MARK_HEADER, "forged")
                    .header(HeadChecks.HEADER, "00112233445566778899aabbccddeeff")
                    .header("X-Envgrid-Lease-Token", MADE_UP)
                    .contentType(ContentType.JSON).body(CLICK).post("/execute")
                    .then().statusCode(409).body("error.code", equalTo("LEASE_NOT_LIVE"));
            // through the desktop's port, which adds its real mark: a call without a body (not checked on its head)
            // carrying a head check name of its own
            given().port(lease.port()).header(HeadChecks.HEADER, "00112233445566778899aabbccddeeff")
                    .header("X-Envgrid-Lease-Token", MADE_UP).get("/screenshot")
                    .then().statusCode(409).body("error.code", equalTo("LEASE_NOT_LIVE"));
            // and a call with a body, whose made-up token the port's head check refuses before the route
            given().port(lease.port()).header(HeadChecks.HEADER, "00112233445566778899aabbccddeeff")
                    .header("X-Envgrid-Lease-Token", MADE_UP).contentType(ContentType.JSON).body(CLICK)
                    .post("/execute").then().statusCode(409).body("error.code", equalTo("LEASE_NOT_LIVE"));
            // the holder is served all along
            click(lease).then().statusCode(200);
        } finally {
            FleetLeases.release(lease);
        }
    }

    private static io.restassured.response.Response click(FleetLeases.Lease lease) {
        return lease.call().contentType(ContentType.JSON).body(CLICK).post("/execute");
    }

    /** {@code POST /leases/verify} calls the allocator has answered so far (every status). */
    private static double verifies() {
        String metrics = FleetLeases.allocator().get("/q/metrics").then().statusCode(200).extract().asString();
        Matcher counts = VERIFY_COUNT.matcher(metrics);
        double total = 0;
        while (counts.find()) {
            total += Double.parseDouble(counts.group(1));
        }
        return total;
    }
}

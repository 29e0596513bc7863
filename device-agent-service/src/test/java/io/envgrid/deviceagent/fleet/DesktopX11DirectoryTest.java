package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A desktop's worker that keeps every name of {@code /tmp/.X11-unix} taken (a directory at each {@code X<n>}, made
 * again as soon as one is free) does not keep another desktop from resetting (review13 F0). Its own network namespace
 * does not stop it: the path socket is in the file system every desktop shares, and Xvfb gives up a number whose path
 * holds a directory. The other desktop's X server comes back on the number it had, whose socket the agent kept.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
class DesktopX11DirectoryTest {

    /** Makes {@code /tmp/.X11-unix/X<n>} a directory for every free n, over and over; writes {@code ~/squatted}. */
    private static final String SQUAT = """
            import os
            made = 0
            while True:
                for n in range(65536):
                    try:
                        os.mkdir("/tmp/.X11-unix/X%d" % n)
                        made += 1
                    except OSError:
                        pass
                open(os.path.expanduser("~/squatted"), "w").write(str(made))
            """;

    @Test
    void directoriesAtEveryXSocketNameStopNoOtherDesktopsReset() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the desktops' users and namespaces are made by the agent");
        FleetLeases.awaitAllFree();
        Lease squatter = FleetLeases.allocate("worker-x11-squatting");
        Lease other = FleetLeases.allocate("worker-x11-resetting");
        try {
            squatter.call().contentType(ContentType.JSON).body(Map.of("command", List.of("python3", "-c", SQUAT)))
                    .post("/setup/launch").then().statusCode(200);
            Conditions.await(() -> squatter.shell("cat ~/squatted").then().extract().path("returncode").equals(0),
                    "the squatter's first pass over the names", Duration.ofSeconds(60));
            FleetLeases.release(other);
            String resetting = other.resourceId();
            Conditions.await(() -> "free".equals(FleetLeases.state(resetting)), resetting + " reset and free while "
                    + "every free X socket name is a directory", Duration.ofSeconds(45));
            other = FleetLeases.allocate("worker-x11-after-reset");
            byte[] png = other.call().get("/screenshot").then().statusCode(200).extract().asByteArray();
            assertEquals((byte) 0x89, png[0], "a PNG from the reset desktop");
            assertEquals("ok", FleetLeases.output(other.shell("timeout 10 xdpyinfo >/dev/null && echo ok")).strip(),
                    "the reset desktop's worker reaches its display");
        } finally {
            FleetLeases.release(squatter); // its reset kills the loop and deletes its directories
            FleetLeases.release(other);
            // before the agent may stop: left behind, the names would stop every X server on this machine
            Conditions.await(() -> "free".equals(FleetLeases.state(squatter.resourceId())),
                    squatter.resourceId() + " reset (its directories deleted)", Duration.ofSeconds(60));
        }
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/**
 * A hosted desktop's Xauthority file is the agent's, readable by the desktop's user and not writable by it (review13
 * F1): the root agent reads that file whenever it opens its own X connection to the desktop, so a worker owning it
 * could grow it (a sparse 2 GB file costs no disk) into the agent's heap, or change the cookie and lock the agent out
 * of the display (every screenshot a 5xx). The worker tries all of it; its own X clients still reach the display and
 * the agent still takes screenshots.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
class DesktopCookieFileTest {

    @Test
    void theWorkerReadsItsCookieButCannotChangeIt() {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: without a user switch the worker is the agent");
        FleetLeases.awaitAllFree();
        Lease lease = FleetLeases.allocate("worker-cookie");
        try {
            String before = FleetLeases.output(lease.shell("stat -c %s \"$XAUTHORITY\"")).strip();
            // every way its owner could change it: nothing must take
            String tried = FleetLeases.output(lease.shell("chmod u+w \"$XAUTHORITY\" 2>/dev/null; "
                    + "truncate -s 2100M \"$XAUTHORITY\" 2>/dev/null; printf x >> \"$XAUTHORITY\" 2>/dev/null; "
                    + "chmod 644 \"$XAUTHORITY\" 2>/dev/null; stat -c '%u %s %a' \"$XAUTHORITY\"")).strip();
            String[] owner = tried.split(" ");
            assertEquals("0", owner[0], "the desktop's Xauthority belongs to uid " + owner[0] + ", not the agent");
            assertEquals(before, owner[1], "the worker changed the size of its desktop's Xauthority file");
            assertEquals("440", owner[2], "the worker changed the mode of its desktop's Xauthority file");
            // the agent's first X connection of this lease reads the file: it still has the cookie
            byte[] png = lease.call().get("/screenshot").then().statusCode(200).extract().asByteArray();
            assertEquals((byte) 0x89, png[0], "a PNG");
            // the worker's own X clients still read the cookie
            assertTrue(FleetLeases.output(lease.shell("timeout 10 xdpyinfo >/dev/null && echo ok")).contains("ok"),
                    "the worker's X client reaches its display");
        } finally {
            FleetLeases.release(lease);
        }
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A hosted desktop whose reset failed is {@code down} in the allocator with its reset owed. If the allocator then
 * forgets it (its Redis emptied: here its record and its owed reset deleted, the fencing counters kept for the other
 * tests), the agent's heartbeat is answered 404; the agent must not register it again until a reset of it succeeds,
 * or the allocator takes it back {@code free} though nothing reset it (audit issue 13 item 4; before the fix it was
 * {@code free} again at the next heartbeat, the former holder's leftovers still there). Once the fault is gone the
 * retry resets it clean, registers it, and it is {@code free}.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
class ForgottenDownDesktopTest {

    @Inject
    MeterRegistry meters;

    @Test
    void aDownDesktopTheAllocatorForgotIsNotRegisteredAgainUntilAResetSucceeds() throws Exception {
        FleetLeases.awaitAllFree();
        Lease lease = FleetLeases.allocate("worker-forgotten");
        Lease held = FleetLeases.allocate("worker-holding-the-other");
        String other = held.resourceId();
        // planted failure: the template is no directory any more, so the home cannot be restored
        Path aside = FleetDesktops.ROOT.resolve("template-aside");
        Files.move(FleetDesktops.TEMPLATE, aside);
        Files.writeString(FleetDesktops.TEMPLATE, "not a directory");
        try {
            FleetLeases.release(lease);
            Conditions.await(() -> "down".equals(FleetLeases.state(lease.resourceId())), lease.resourceId() + " down",
                    Duration.ofSeconds(30));

            // the allocator forgets both desktops, as after its Redis was emptied
            forget(lease.resourceId());
            forget(other);
            assertNull(FleetLeases.state(lease.resourceId()), "forgotten");
            // the other desktop's heartbeat (1 s) registers it again: that pass of the heartbeats is over
            Conditions.await(() -> FleetLeases.state(other) != null, other + " registered again",
                    Duration.ofSeconds(10));
            Conditions.await(() -> "free".equals(FleetLeases.state(other)), other + " free", Duration.ofSeconds(10));
            held = FleetLeases.allocate("worker-holding-the-other-again"); // so that the next grant can only be the first
            assertEquals(other, held.resourceId());
            // and the next passes too: the failed desktop stays unregistered through another failed retry of its reset
            double failedRetries = failedResetRetries();
            Conditions.await(() -> {
                assertNull(FleetLeases.state(lease.resourceId()), lease.resourceId() + " registered again unreset");
                return failedResetRetries() > failedRetries;
            }, "another failed reset retry of " + lease.resourceId(), Duration.ofSeconds(60));
            assertNull(FleetLeases.state(lease.resourceId()), lease.resourceId() + " registered again unreset");
        } finally {
            Files.delete(FleetDesktops.TEMPLATE);
            Files.move(aside, FleetDesktops.TEMPLATE);
        }
        // the fault is gone: a retry resets it clean and registers it
        Conditions.await(() -> "free".equals(FleetLeases.state(lease.resourceId())), lease.resourceId()
                + " free after a successful retry", Duration.ofSeconds(60));
        Lease next = FleetLeases.allocate("worker-after-recovery");
        try {
            assertEquals(lease.resourceId(), next.resourceId());
            assertEquals("from the template\n", FleetLeases.output(next.shell("cat ~/template.txt")));
        } finally {
            FleetLeases.release(next);
            FleetLeases.release(held);
        }
    }

    /**
     * Deletes what an emptied Redis no longer has of {@code id}: its record, its owed reset, its place in the heartbeat
     * deadlines (else the reaper marks the deleted record down again, a record without a type) and in the set of all.
     */
    private static void forget(String id) {
        RealAllocator.redis("DEL", "{envgrid}:r:" + id);
        RealAllocator.redis("HDEL", "{envgrid}:owed", id);
        RealAllocator.redis("ZREM", "{envgrid}:hb", id);
        RealAllocator.redis("SREM", "{envgrid}:all", id);
    }

    /** The agent's failed reset retries so far ({@code envgrid.desktop.reset.retries{outcome=failed}}). */
    private double failedResetRetries() {
        Counter counter = meters.find("envgrid.desktop.reset.retries").tag("outcome", "failed").counter();
        return counter == null ? 0 : counter.count();
    }
}

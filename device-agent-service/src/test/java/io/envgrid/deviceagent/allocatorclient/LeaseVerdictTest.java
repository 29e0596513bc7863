package io.envgrid.deviceagent.allocatorclient;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The one reading of the allocator's answer to {@code POST /leases/verify} that both lease checks use: each class of
 * status, and the body read on a 200 only.
 */
class LeaseVerdictTest {

    private static final VerifiedLease LEASE = new VerifiedLease("agent-1:desktop", "vm_pyautogui", "worker-1",
            "lease-1", 7, "2026-12-03T10:00:00Z");

    private final AtomicInteger reads = new AtomicInteger();
    private final Supplier<VerifiedLease> body = () -> {
        reads.incrementAndGet();
        return LEASE;
    };

    @Test
    void a200IsTheLiveLeaseItsBodyNames() {
        LeaseVerdict.Live live = assertInstanceOf(LeaseVerdict.Live.class, LeaseVerdict.of(200, body));
        assertEquals(LEASE, live.lease());
        assertEquals(1, reads.get());
    }

    @Test
    void a404IsAnUnknownResource() {
        assertInstanceOf(LeaseVerdict.UnknownResource.class, LeaseVerdict.of(404, body));
        assertEquals(0, reads.get(), "only a 200 has a lease to read");
    }

    @Test
    void everyOther4xxIsNoLiveLease() {
        for (int status : new int[] {409, 400, 410, 422, 429}) {
            assertInstanceOf(LeaseVerdict.NotLive.class, LeaseVerdict.of(status, body), "status " + status);
        }
        assertEquals(0, reads.get());
    }

    @Test
    void aRefusedServiceTokenIsAnUnavailableAllocatorNotARefusedLease() {
        for (int status : new int[] {401, 403}) {
            assertThrows(AllocatorUnavailableException.class, () -> LeaseVerdict.of(status, body), "status " + status);
        }
        assertEquals(0, reads.get());
    }

    @Test
    void aServerFaultIsAnUnavailableAllocator() {
        for (int status : new int[] {500, 502, 503, 504, 599}) {
            assertThrows(AllocatorUnavailableException.class, () -> LeaseVerdict.of(status, body), "status " + status);
        }
        assertEquals(0, reads.get());
    }

    @Test
    void anUnreadableBodyOfA200StaysTheReadersFault() {
        AllocatorUnavailableException unreadable = new AllocatorUnavailableException("cannot be read", null);
        assertEquals(unreadable, assertThrows(AllocatorUnavailableException.class,
                () -> LeaseVerdict.of(200, () -> {
                    throw unreadable;
                })));
    }
}

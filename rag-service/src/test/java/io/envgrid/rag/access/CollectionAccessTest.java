package io.envgrid.rag.access;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.envgrid.rag.config.RagConfig;
import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.registration.ResourceIds;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The rule of {@link CollectionAccess} case by case, with the allocator's answers scripted: what the real allocator
 * cannot be made to say on demand (a lower fencing token than one seen, no answer at all) and the open mode.
 */
class CollectionAccessTest {

    private static final String TOKEN = "elt_AAAAAAAAAAAAAAAAAAAAAA";
    private static final String SERVICE = "Bearer s3cret";

    /** Leases whose answers the test sets: per resource the live lease (by token) and whether it is leased. */
    private static final class ScriptedLeases implements Leases {
        final Map<String, VerifiedLease> live = new HashMap<>();
        boolean reachable = true;
        int calls;

        @Override
        public boolean enabled() {
            return true;
        }

        @Override
        public Verdict verify(String resourceId, String leaseToken) {
            ask();
            VerifiedLease lease = live.get(resourceId + " " + leaseToken);
            return lease == null ? new Verdict.NotLive() : new Verdict.Live(lease);
        }

        @Override
        public boolean leased(String resourceId) {
            ask();
            return live.keySet().stream().anyMatch(key -> key.startsWith(resourceId + " "));
        }

        private void ask() {
            calls++;
            if (!reachable) {
                throw new AllocatorUnavailableException("connection refused", null);
            }
        }

        void lease(String collection, String token, long fence) {
            live.clear();
            live.put("rag:i:" + collection + " " + token, new VerifiedLease("rag:i:" + collection, "rag", "w", "l", fence, "2100-01-01T00:00:00Z"));
        }
    }

    private final ScriptedLeases leases = new ScriptedLeases();
    private final CollectionAccess access = new CollectionAccess(RagConfig.Auth.LEASE, Optional.of("s3cret"), leases, new FencingTokens(),
            new ResourceIds("i"));

    private static void refused(int status, String code, Executable call) {
        ApiException refusal = assertThrows(ApiException.class, call);
        assertEquals(status, refusal.status(), refusal.getMessage());
        assertEquals(code, refusal.code());
        assertEquals("rag:i:" + refusal.details().get("collection"), refusal.details().get("resource_id"));
    }

    @Test
    void aLowerFencingTokenThanOneSeenIsRefused() {
        leases.lease("docs", TOKEN, 7);
        assertDoesNotThrow(() -> access.read("docs", null, TOKEN));
        // an allocator that lost its state grants the collection again with a lower token: not trusted
        leases.lease("docs", TOKEN, 3);
        refused(409, "STALE_FENCING_TOKEN", () -> access.read("docs", null, TOKEN));
        refused(409, "STALE_FENCING_TOKEN", () -> access.write("docs", true, null, TOKEN));
        leases.lease("docs", TOKEN, 8);
        assertDoesNotThrow(() -> access.write("docs", true, null, TOKEN));
        // per collection: another collection's mark is its own
        leases.lease("other", TOKEN, 1);
        assertDoesNotThrow(() -> access.read("other", null, TOKEN));
    }

    @Test
    void anAllocatorThatCannotBeAskedFailsClosed() {
        leases.reachable = false;
        refused(503, "ALLOCATOR_UNAVAILABLE", () -> access.read("docs", null, null));
        refused(503, "ALLOCATOR_UNAVAILABLE", () -> access.read("docs", null, TOKEN));
        refused(503, "ALLOCATOR_UNAVAILABLE", () -> access.write("docs", true, null, TOKEN));
        // the service token needs no allocator
        assertDoesNotThrow(() -> access.read("docs", SERVICE, null));
        assertDoesNotThrow(() -> access.write("docs", false, SERVICE, null));
    }

    @Test
    void aLeaseTokenTakesPrecedenceOverTheServiceTokenAndIsCheckedForTheNamedCollection() {
        leases.lease("docs", TOKEN, 1);
        refused(409, "LEASE_NOT_LIVE", () -> access.write("other", true, SERVICE, TOKEN));
        refused(409, "LEASE_NOT_LIVE", () -> access.read("other", SERVICE, TOKEN));
        refused(401, "UNAUTHORIZED", () -> access.read("docs", SERVICE, "not-a-lease-token"));
        refused(401, "UNAUTHORIZED", () -> access.write("new", false, null, TOKEN));
    }

    @Test
    void unleasedCollectionsAreSearchedByAnyoneAndWrittenOnlyWithTheServiceToken() {
        assertDoesNotThrow(() -> access.read("docs", null, null));
        assertDoesNotThrow(() -> access.read("docs", "Bearer wrong", null));
        refused(401, "UNAUTHORIZED", () -> access.write("docs", true, null, null));
        refused(401, "UNAUTHORIZED", () -> access.write("docs", true, "Bearer wrong", null));
        refused(401, "UNAUTHORIZED", () -> access.write("docs", true, "Bearer s3cret ", null));
        refused(409, "LEASE_NOT_LIVE", () -> access.write("docs", true, null, TOKEN));
        leases.lease("docs", TOKEN, 1);
        refused(401, "UNAUTHORIZED", () -> access.read("docs", null, null));
    }

    @Test
    void openModeAsksNothingAndWithoutAServiceTokenNothingWrites() {
        CollectionAccess open = new CollectionAccess(RagConfig.Auth.OPEN, Optional.empty(), leases, new FencingTokens(), new ResourceIds("i"));
        leases.lease("docs", TOKEN, 1);
        leases.reachable = false;
        assertDoesNotThrow(() -> open.read("docs", null, null));
        assertDoesNotThrow(() -> open.write("new", false, null, null));
        assertEquals(0, leases.calls);

        CollectionAccess tokenless = new CollectionAccess(RagConfig.Auth.LEASE, Optional.of(" "), leases, new FencingTokens(),
                new ResourceIds("i"));
        refused(401, "UNAUTHORIZED", () -> tokenless.write("new", false, "Bearer  ", null));
        refused(401, "UNAUTHORIZED", () -> tokenless.write("new", false, "Bearer ", null));
    }
}

package io.envgrid.vmcontroller.session;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.QuarkusTest;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/**
 * Worker B, with a lease of its own, tries to act on A's VM through the controller, and A tries to
 * act after its lease ended — against real Redis and the lease records the allocator writes
 * ({@link LeaseRecords}); the VMs are {@link FakeVm}s, which speak the OSWorld protocol and record
 * every request. Every refusal must leave A's VM untouched.
 *
 * <p>A = {@code worker} holding {@code resource} (VM {@code vm}); B = {@code bWorker} holding
 * {@code bResource} (VM {@code bVm}).
 */
@QuarkusTest
@WithRedis
class HostileWorkerTest extends WithFakeVm {

    private static final String GUESSED = "elt_AAAAAAAAAAAAAAAAAAAAAA";

    private FakeVm bVm;
    private String bWorker;
    private String bResource;
    private LeaseRecords.Grant bGrant;

    @BeforeEach
    void workerB() {
        bVm = new FakeVm();
        bWorker = "worker-b-" + UUID.randomUUID();
        bResource = "vm-b-" + bVm.port();
        leases.registerVm(bResource, bVm.port());
        bGrant = leases.grant(bResource, bWorker);
        Api.open(bWorker, bGrant.entry()).statusCode(201);
    }

    @AfterEach
    void closeB() {
        bVm.close();
    }

    @Test
    void bCannotOpenASessionOnAsVm() {
        Map<String, Object> withoutToken = new HashMap<>(grant.entry());
        withoutToken.remove("lease_token");
        expectError(Api.open(bWorker, withoutToken), 401, "UNAUTHORIZED");
        expectError(Api.open(worker, withoutToken), 401, "UNAUTHORIZED");

        Map<String, Object> guessed = new HashMap<>(grant.entry());
        guessed.put("lease_token", GUESSED);
        expectError(Api.open(bWorker, guessed), 409, "LEASE_NOT_LIVE");
        expectError(Api.open(worker, guessed), 409, "LEASE_NOT_LIVE");

        Map<String, Object> bsToken = new HashMap<>(grant.entry());
        bsToken.put("lease_token", bGrant.leaseToken());
        expectError(Api.open(bWorker, bsToken), 409, "LEASE_NOT_LIVE");
        expectError(Api.open(worker, bsToken), 409, "LEASE_NOT_LIVE");

        // A's own entry, posted under B's name: only a caller holding the live lease's token learns whose it is.
        expectError(Api.open(bWorker, grant.entry()), 403, "NOT_LEASE_HOLDER");

        assertFalse(redis.key().exists("{envgrid}:vmc:session:" + bWorker + ":" + resource), "no session stored");
        assertEquals(0, vm.received().size());
        Api.read(token, worker, resource, "platform").statusCode(200);
    }

    @Test
    void bCannotActThroughAsSession() {
        expectError(Api.read(null, worker, resource, "screenshot"), 401, "UNAUTHORIZED");
        expectError(Api.act(null, worker, resource, "commands", Map.of("command", "id", "shell", true)),
                401, "UNAUTHORIZED");
        expectError(Api.act(GUESSED, worker, resource, "commands", Map.of("command", "id", "shell", true)),
                409, "LEASE_NOT_LIVE");
        expectError(Api.act(bGrant.leaseToken(), worker, resource, "files/write",
                Map.of("path", "/tmp/x", "content", "eA==")), 409, "LEASE_NOT_LIVE");
        expectError(Api.read(bGrant.leaseToken(), worker, resource, "observation"), 409, "LEASE_NOT_LIVE");
        expectError(Api.get(bGrant.leaseToken(), worker, resource), 409, "LEASE_NOT_LIVE");
        expectError(Api.delete(bGrant.leaseToken(), worker, resource), 409, "LEASE_NOT_LIVE");
        // Nor through its own session path with A's resource, nor A's token on B's session.
        expectError(Api.read(bGrant.leaseToken(), bWorker, resource, "platform"), 409, "LEASE_NOT_LIVE");
        expectError(Api.read(token, bWorker, bResource, "platform"), 409, "LEASE_NOT_LIVE");

        assertEquals(0, vm.received().size());
        assertEquals(0, bVm.received().size());
        // None of that changed anything: A's session still works, and only with A's token.
        Api.read(token, worker, resource, "platform").statusCode(200);
        assertEquals(List.of(token), tokensSeenBy(vm));
    }

    @Test
    void aIsRefusedOnTheNextCallAfterRelease() {
        Api.read(token, worker, resource, "platform").statusCode(200);
        leases.release(resource);
        refusedFromNowOn();
    }

    @Test
    void aIsRefusedOnTheNextCallAfterExpiryEvenWithoutAReaper() {
        Api.read(token, worker, resource, "platform").statusCode(200);
        leases.expireWithoutReaper(resource);
        assertEquals(worker, leases.field(resource, "worker"), "the record still names A: no reaper ran");
        assertNotNull(redis.sortedSet(String.class).zscore("{envgrid}:leases", resource));
        refusedFromNowOn();
    }

    @Test
    void aIsRefusedOnTheNextCallAfterRevocation() {
        Api.read(token, worker, resource, "platform").statusCode(200);
        leases.revoke(resource);
        refusedFromNowOn();
    }

    @Test
    void aIsRefusedAfterBWasGrantedTheResource() {
        // The case: A holds the VM with fencing token 5, B is granted it with 6.
        String id = "vm1-" + UUID.randomUUID();
        leases.registerVm(id, vm.port());
        redis.hash(Long.class).hset("{envgrid}:fence", id, 4L);
        LeaseRecords.Grant a = leases.grant(id, worker);
        assertEquals(5, a.fence());
        Api.open(worker, a.entry()).statusCode(201);
        Api.read(a.leaseToken(), worker, id, "platform").statusCode(200);

        leases.release(id);
        LeaseRecords.Grant b = leases.grant(id, bWorker);
        assertEquals(6, b.fence());
        assertEquals(b.leaseToken(), leases.field(id, "lease_token"));
        int before = vm.received().size();

        expectError(Api.read(a.leaseToken(), worker, id, "platform"), 409, "LEASE_NOT_LIVE");
        // A's ended token learns nothing about the new holder.
        expectError(Api.open(worker, a.entry()), 409, "LEASE_NOT_LIVE");
        // B's valid token does not make A's old session B's (B holds the lease, so it may learn that much).
        expectError(Api.read(b.leaseToken(), worker, id, "platform"), 403, "NOT_LEASE_HOLDER");
        assertEquals(before, vm.received().size(), "no refused request reached the VM");

        Api.open(bWorker, b.entry()).statusCode(201).body("fencing_token", equalTo(6));
        Api.read(b.leaseToken(), bWorker, id, "platform").statusCode(200);
        assertEquals(b.leaseToken(), vm.received().get(vm.received().size() - 1).leaseToken());
    }

    @Test
    void bActingThroughAsSessionWithTheNewLeasesTokenIsNotTheHolder() {
        leases.release(resource);
        LeaseRecords.Grant b = leases.grant(resource, bWorker);
        expectError(Api.read(b.leaseToken(), worker, resource, "platform"), 403, "NOT_LEASE_HOLDER");
        expectError(Api.read(token, worker, resource, "platform"), 409, "LEASE_NOT_LIVE");
        assertEquals(0, vm.received().size());
    }

    @Test
    void aMadeUpEntryCannotPointTheControllerAnywhere() {
        try (FakeVm elsewhere = new FakeVm()) {
            // An id the allocator never granted, pointing at another address.
            Map<String, Object> madeUp = Map.of("id", "vm-made-up-" + elsewhere.port(), "type", "vm_pyautogui",
                    "ip", "127.0.0.1", "port", elsewhere.port(), "lease_id", "x:1", "lease_token", GUESSED,
                    "fencing_token", 99);
            expectError(Api.open(bWorker, madeUp), 409, "LEASE_NOT_LIVE");

            // B's real lease, with the address (and fencing token) changed: the record's endpoint wins.
            Map<String, Object> redirected = new HashMap<>(bGrant.entry());
            redirected.put("ip", "127.0.0.1");
            redirected.put("port", elsewhere.port());
            redirected.put("fencing_token", 1000);
            Api.open(bWorker, redirected).statusCode(200).body("port", equalTo(bVm.port()))
                    .body("fencing_token", equalTo((int) bGrant.fence()));
            Api.read(bGrant.leaseToken(), bWorker, bResource, "platform").statusCode(200);
            assertEquals(0, elsewhere.received().size());
            assertEquals(1, bVm.received().size());
        }
    }

    @Test
    void idsWithSpecialCharactersWorkAndNeverCollide() {
        String u = UUID.randomUUID().toString().substring(0, 8);
        // Joined naively with ':' both pairs would be "<u>a:b:c<u>".
        String w1 = u + "a:b";
        String r1 = "c" + u;
        String w2 = u + "a";
        String r2 = "b:c" + u;
        String w3 = "team/" + u + "@host.example.org";
        String r3 = "pool/vm.1@zone:a" + u;
        try (FakeVm vm1 = new FakeVm(); FakeVm vm2 = new FakeVm(); FakeVm vm3 = new FakeVm()) {
            leases.registerVm(r1, vm1.port());
            leases.registerVm(r2, vm2.port());
            leases.registerVm(r3, vm3.port());
            LeaseRecords.Grant g1 = leases.grant(r1, w1);
            LeaseRecords.Grant g2 = leases.grant(r2, w2);
            LeaseRecords.Grant g3 = leases.grant(r3, w3);
            Api.open(w1, g1.entry()).statusCode(201).body("worker_id", equalTo(w1)).body("resource_id", equalTo(r1));
            Api.open(w2, g2.entry()).statusCode(201).body("worker_id", equalTo(w2)).body("resource_id", equalTo(r2));
            Api.open(w3, g3.entry()).statusCode(201).body("worker_id", equalTo(w3)).body("resource_id", equalTo(r3));

            Api.get(g1.leaseToken(), w1, r1).statusCode(200).body("lease_id", equalTo(g1.leaseId()));
            Api.get(g2.leaseToken(), w2, r2).statusCode(200).body("lease_id", equalTo(g2.leaseId()));
            Api.get(g3.leaseToken(), w3, r3).statusCode(200).body("worker_id", equalTo(w3))
                    .body("resource_id", equalTo(r3));
            Api.read(g1.leaseToken(), w1, r1, "platform").statusCode(200);
            Api.read(g2.leaseToken(), w2, r2, "platform").statusCode(200);
            Api.act(g3.leaseToken(), w3, r3, "commands", Map.of("command", List.of("true"))).statusCode(200);
            expectError(Api.read(g2.leaseToken(), w1, r1, "platform"), 409, "LEASE_NOT_LIVE");
            assertEquals(List.of(g1.leaseToken()), tokensSeenBy(vm1));
            assertEquals(List.of(g2.leaseToken()), tokensSeenBy(vm2));
            assertEquals(List.of(g3.leaseToken()), tokensSeenBy(vm3));

            Set<String> keys = redis.key().keys("{envgrid}:vmc:session:*" + u + "*").stream().collect(Collectors.toSet());
            assertEquals(Set.of("{envgrid}:vmc:session:" + u + "a%3Ab:c" + u, "{envgrid}:vmc:session:" + u + "a:b%3Ac" + u,
                    "{envgrid}:vmc:session:team/" + u + "@host.example.org:pool/vm.1@zone%3Aa" + u), keys);
            assertNotEquals(Api.session(w1, r1), Api.session(w2, r2));
        }
    }

    @Test
    void idsOutsideTheRuleAreRefusedBeforeAnything() {
        for (String bad : List.of("-x", ".hidden", "a b", "x".repeat(201), "ü", "a%b", "a\tb")) {
            expectError(Api.open(bad, grant.entry()), 400, "INVALID_ID");
            Map<String, Object> entry = new HashMap<>(grant.entry());
            entry.put("id", bad);
            expectError(Api.open(worker, entry), 400, "INVALID_ID");
            expectError(Api.read(token, bad, resource, "platform"), 400, "INVALID_ID");
            expectError(Api.read(token, worker, bad, "platform"), 400, "INVALID_ID");
            expectError(Api.read(null, worker, bad, "platform"), 400, "INVALID_ID");
        }
        assertEquals(0, vm.received().size());
    }

    /** A's session, after its lease ended: refused now and on every later call, never reaching the VM. */
    private void refusedFromNowOn() {
        int before = vm.received().size();
        expectError(Api.act(token, worker, resource, "actions/pyautogui", Map.of("code", "pyautogui.click()")),
                409, "LEASE_NOT_LIVE");
        assertEquals("lease_not_live", redis.hash(String.class)
                .hget("{envgrid}:vmc:session:" + worker + ":" + resource, "ended_reason"), "the session was dropped");
        expectError(Api.read(token, worker, resource, "platform"), 409, "LEASE_NOT_LIVE");
        expectError(Api.get(token, worker, resource), 409, "LEASE_NOT_LIVE");
        expectError(Api.delete(token, worker, resource), 409, "LEASE_NOT_LIVE");
        expectError(Api.open(worker, grant.entry()), 409, "LEASE_NOT_LIVE");
        assertEquals(before, vm.received().size(), "no refused request reached the VM");
        assertTrue(vm.received().stream().allMatch(r -> token.equals(r.leaseToken())));
    }

    private static List<String> tokensSeenBy(FakeVm fake) {
        return fake.received().stream().map(FakeVm.Received::leaseToken).distinct().toList();
    }
}

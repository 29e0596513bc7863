package io.envgrid.gateway.sandbox.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.EndedLease;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.sandbox.backend.SessionBackend;
import io.envgrid.gateway.sandbox.execution.SandboxCatalog;
import io.envgrid.gateway.sandbox.execution.WarmUps;
import io.envgrid.gateway.sandbox.profile.BackendKind;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.sortedset.ReactiveSortedSetCommands;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.inject.Inject;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The writes of a Sandbox session's record against what ends it: a lease that ends while the session is created (its
 * backend initialized, its record not yet stored) leaves no session behind, and a removal leaves no last use without
 * a record. Driven through {@link SessionRouter} with a backend stand-in whose {@code initialize} the test controls.
 */
@QuarkusTest
@WithCluster
class SessionStoreRaceTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TYPE = "race";

    @Inject
    SandboxCatalog catalog;

    @Inject
    SandboxSessions sessions;

    @Inject
    WorkerResources resources;

    @Inject
    ReactiveRedisDataSource redis;

    @Inject
    GatewayKeys keys;

    /** The resources the stand-in backend was asked to give back. */
    private final List<JsonNode> cleanedUp = new CopyOnWriteArrayList<>();
    private final String worker = "store-race-" + System.nanoTime();

    /**
     * The lease ends between the backend's {@code initialize} and the store: its entry is forgotten and the listeners
     * told, as every lease end does, before the session's record is stored. The create answers 409 {@code
     * LEASE_NOT_LIVE}, stores nothing and gives the resource back. Was: the telling found no record to remove, the
     * record was stored afterwards, and the next call used a session of an ended lease.
     */
    @Test
    void aLeaseEndingBeforeTheStoreLeavesNoSession() {
        ObjectNode granted = grant("race-desktop-1", 7);
        // the lease-end path's order: the entry forgotten first, then each listener told of what was removed
        ToolFailure refused = assertThrows(ToolFailure.class, () -> create(granted, () -> resources
                .forgetLeases(worker, List.of("race-desktop-1:7"))
                .chain(removed -> Multi.createFrom().iterable(removed)
                        .onItem().transformToUniAndConcatenate(e -> sessions.leaseEnded(worker, EndedLease.of(e)))
                        .collect().last())));
        assertEquals(409, refused.status());
        assertEquals(ErrorCode.LEASE_NOT_LIVE, refused.code());
        assertTrue(sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).isEmpty(), "no session record");
        assertNull(lastUse(), "no last use");
        assertEquals(List.of(granted), cleanedUp, "what initialize took was given back");
    }

    /**
     * The lease is renewed with a newer fencing token while the backend initializes: the record holds a later token of
     * the resource, so the session is stored, and the end of that later grant ends it.
     */
    @Test
    void aNewerGrantOfTheResourceRecordedKeepsTheSession() {
        ObjectNode granted = grant("race-desktop-2", 7);
        ObjectNode answer = create(granted, () -> resources.record(worker,
                JSON.createObjectNode().set("vm_race", grant("race-desktop-2", 8))));
        assertTrue(answer.path("created").asBoolean(), answer.toString());
        assertTrue(sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).isPresent());
        assertNotNull(lastUse());

        sessions.leaseEnded(worker, new EndedLease("race-desktop-2", 8L)).await().atMost(Duration.ofSeconds(5));
        assertTrue(sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).isEmpty());
        assertNull(lastUse());
        assertEquals(List.of(), cleanedUp);
    }

    /**
     * The idle sweep ends the create's claim while the backend initializes (a create slower than {@code session_ttl})
     * and another create claims the type: the first create's store neither overwrites that claim nor succeeds; it answers
     * 409 {@code SESSION_ENDED} and gives back what it took. Was: stored over the later create's record, whose resource
     * then stayed leased with no session (and the first create's clean-up removed whatever record was there).
     */
    @Test
    void aStoreAfterItsClaimWasSweptLeavesTheLaterClaimAlone() {
        ObjectNode granted = grant("race-desktop-3", 7);
        ObjectNode later = SandboxSessions.creating(worker, TYPE);
        ToolFailure refused = assertThrows(ToolFailure.class, () -> create(granted, () -> sweptAndClaimed(later)));
        assertEquals(409, refused.status());
        assertEquals(ErrorCode.SESSION_ENDED, refused.code());
        assertEquals(later, sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).orElseThrow(),
                "the later create's claim stays");
        assertEquals(List.of(granted), cleanedUp, "what initialize took was given back");
    }

    /** A create failing after its claim was swept and the type claimed again removes no claim but its own. */
    @Test
    void aFailingCreateRemovesOnlyItsOwnClaim() {
        ObjectNode later = SandboxSessions.creating(worker, TYPE);
        assertThrows(IllegalStateException.class, () -> create(grant("race-desktop-4", 7), () -> sweptAndClaimed(later)
                .chain(() -> Uni.createFrom().failure(new IllegalStateException("init_commands failed")))));
        assertEquals(later, sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).orElseThrow(),
                "the later create's claim stays");
    }

    /**
     * A destroy or idle sweep that read a session which then ended (its lease ended) while another create claimed the
     * type removes nothing and cleans nothing up: the later claim stays. Was: whatever record the type had was removed.
     */
    @Test
    void endingASessionReadBeforeItWasReplacedLeavesTheNewRecord() {
        ObjectNode read = SandboxSessions.creating(worker, TYPE).put("state", SandboxSessions.READY);
        read.set("resource", grant("race-desktop-5", 7));
        ObjectNode later = SandboxSessions.creating(worker, TYPE);
        sessions.claim(later).await().atMost(Duration.ofSeconds(5));

        assertFalse(router().end(backend(grant("race-desktop-5", 7), () -> Uni.createFrom().voidItem()), read)
                .await().atMost(Duration.ofSeconds(5)));
        assertEquals(later, sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).orElseThrow());
        assertNotNull(lastUse(), "the later claim's last use stays");
        assertEquals(List.of(), cleanedUp);
    }

    /**
     * The idle sweep found no record for a last use (a stray), then a create claimed the type: clearing the stray
     * removes neither that claim nor its last use. Was: the sweep removed whatever record the type had by then.
     */
    @Test
    void clearingAStrayLastUseLeavesAClaimMadeSince() {
        ObjectNode later = SandboxSessions.creating(worker, TYPE);
        sessions.claim(later).await().atMost(Duration.ofSeconds(5));
        assertFalse(sessions.removeStrayLastUse(worker, TYPE).await().atMost(Duration.ofSeconds(5)));
        assertEquals(later, sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).orElseThrow());
        assertNotNull(lastUse());

        // a last use without a record: the stray the sweep clears
        sessions.remove(worker, TYPE).await().atMost(Duration.ofSeconds(5));
        redis.sortedSet(String.class).zadd(keys.sandboxUsed(), 1, SandboxSessions.member(worker, TYPE))
                .await().atMost(Duration.ofSeconds(5));
        assertTrue(sessions.removeStrayLastUse(worker, TYPE).await().atMost(Duration.ofSeconds(5)), "a true stray goes");
        assertNull(lastUse());
    }

    /** The idle sweep ends the claim (as {@link SessionRouter#end} removes it), then another create claims the type. */
    private Uni<Boolean> sweptAndClaimed(ObjectNode later) {
        return sessions.remove(worker, TYPE).chain(() -> sessions.claim(later));
    }

    /**
     * Redis fails for the removal's client after the record's delete (its {@code ZREM} would fail): the record and its
     * last use still go together, and only the first removal answers true. Was: {@code HDEL}, then {@code ZREM} as a
     * second command, so the record was gone and its last use stayed.
     */
    @Test
    void aRemovalIsOneStep() {
        ObjectNode record = SandboxSessions.creating(worker, TYPE).put("state", SandboxSessions.READY);
        record.set("resource", NullNode.getInstance());
        sessions.claim(record).await().atMost(Duration.ofSeconds(5));
        sessions.store(record).await().atMost(Duration.ofSeconds(5));
        SandboxSessions failingAfterDelete = new SandboxSessions(withFailing(redis, "zrem"), JSON, keys);

        assertTrue(failingAfterDelete.remove(worker, TYPE).await().atMost(Duration.ofSeconds(5)));
        assertTrue(sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).isEmpty());
        assertNull(lastUse(), "no last use without its record");
        assertFalse(sessions.remove(worker, TYPE).await().atMost(Duration.ofSeconds(5)), "removed once only");
    }

    /**
     * Redis fails for the claim's client after the record is claimed (its {@code ZADD} of the last use would fail): a
     * claim writes its record and its last use together or not at all. Was: {@code HSETNX}, then {@code ZADD} as a
     * second command, so a replica dying between them left a {@code creating} record the idle sweep never saw, and the
     * worker could not create that session type again.
     */
    @Test
    void aClaimIsOneStep() {
        SandboxSessions failingAfterClaim = new SandboxSessions(withFailing(redis, "zadd"), JSON, keys);
        boolean claimed;
        try {
            claimed = failingAfterClaim.claim(SandboxSessions.creating(worker, TYPE)).await().atMost(Duration.ofSeconds(5));
        } catch (IllegalStateException failed) {
            claimed = false;
        }
        boolean recorded = sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).isPresent();
        assertEquals(recorded, claimed, "claimed exactly when recorded");
        assertEquals(recorded, lastUse() != null, "a claimed record has its last use, so the idle sweep sees it");
    }

    /**
     * The create's caller goes away while its claim's script is in flight: once the script has answered, the claim it
     * made is removed, with its last use, and the next create is not answered 409 {@code SESSION_BUSY}. Was: the
     * cancellation dropped the answer and the claim stayed {@code creating} until the idle sweep ({@code session_ttl},
     * 300 s by default). The script's answer is held back by the test until after the cancellation.
     */
    @Test
    void aCreateAbandonedWhileItsClaimIsInFlightLeavesNoClaim() {
        CompletableFuture<Void> answer = new CompletableFuture<>();
        AtomicBoolean claimRan = new AtomicBoolean();
        SandboxSessions answeringLate = new SandboxSessions(redis, JSON, keys) {
            @Override
            public Uni<Boolean> claim(ObjectNode session) {
                return super.claim(session).invoke(() -> claimRan.set(true))
                        .call(() -> Uni.createFrom().completionStage(answer));
            }
        };
        Cancellable create = new SessionRouter(catalog, answeringLate, new WarmUps(catalog))
                .create(worker, backend(grant("race-desktop-5", 7), () -> Uni.createFrom().voidItem()),
                        JSON.createObjectNode())
                .subscribe().with(created -> { }, e -> { });
        Conditions.await("the claim written", Duration.ofSeconds(10), claimRan::get);
        assertTrue(sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).isPresent(), "claimed");
        create.cancel();
        answer.complete(null);
        Conditions.await("the abandoned claim removed", Duration.ofSeconds(10),
                () -> sessions.find(worker, TYPE).await().atMost(Duration.ofSeconds(5)).isEmpty());
        assertNull(lastUse(), "its last use went with it");
        assertEquals(List.of(), cleanedUp, "nothing was initialized");
    }

    @AfterEach
    void forgetTheWorker() {
        sessions.remove(worker, TYPE).await().atMost(Duration.ofSeconds(5));
        resources.forgetAll(worker).await().atMost(Duration.ofSeconds(5));
    }

    /** An allocator entry of {@code id} at grant {@code token}. */
    private static ObjectNode grant(String id, long token) {
        return JSON.createObjectNode().put("id", id).put("type", "vm_race").put("fencing_token", token);
    }

    /** The worker's session created through the router with {@link #backend}{@code (granted, beforeStore)}. */
    private ObjectNode create(ObjectNode granted, Supplier<Uni<?>> beforeStore) {
        return router().create(worker, backend(granted, beforeStore), JSON.createObjectNode())
                .await().atMost(Duration.ofSeconds(10));
    }

    private SessionRouter router() {
        return new SessionRouter(catalog, sessions, new WarmUps(catalog));
    }

    /**
     * A stand-in backend whose {@code initialize} records {@code granted} for the worker, as an allocation does, then
     * runs {@code beforeStore} (what happens between the grant and the store) and answers {@code granted}; its {@code
     * cleanup} is recorded.
     */
    private SessionBackend backend(ObjectNode granted, Supplier<Uni<?>> beforeStore) {
        return new SessionBackend() {
            private final ResourceProfile profile = new ResourceProfile(TYPE, BackendKind.DESKTOP, "stand-in",
                    JSON.createObjectNode());

            @Override
            public ResourceProfile profile() {
                return profile;
            }

            @Override
            public Uni<JsonNode> warmup() {
                return Uni.createFrom().item(JSON.createObjectNode());
            }

            @Override
            public void checkConfig(ObjectNode config) {
            }

            @Override
            public Uni<JsonNode> initialize(String workerId, ObjectNode config) {
                return resources.record(workerId, JSON.createObjectNode().set("vm_race", granted))
                        .chain(beforeStore).replaceWith(granted);
            }

            @Override
            public Uni<Void> cleanup(String workerId, JsonNode resource) {
                cleanedUp.add(resource);
                return Uni.createFrom().voidItem();
            }
        };
    }

    private Double lastUse() {
        return redis.sortedSet(String.class).zscore(keys.sandboxUsed(), SandboxSessions.member(worker, TYPE))
                .await().atMost(Duration.ofSeconds(5));
    }

    /** The data source with every {@code command} of its sorted-set commands failing, as if Redis went away then. */
    private static ReactiveRedisDataSource withFailing(ReactiveRedisDataSource real, String failing) {
        ClassLoader loader = SessionStoreRaceTest.class.getClassLoader();
        return (ReactiveRedisDataSource) Proxy.newProxyInstance(loader, new Class<?>[] {ReactiveRedisDataSource.class},
                (proxy, method, args) -> {
                    Object answer = method.invoke(real, args);
                    return !method.getName().equals("sortedSet") ? answer : Proxy.newProxyInstance(loader,
                            new Class<?>[] {ReactiveSortedSetCommands.class}, (sortedSet, command, commandArgs) ->
                                    command.getName().equals(failing)
                                            ? Uni.createFrom().failure(new IllegalStateException("Redis went away"))
                                            : command.invoke(answer, commandArgs));
                });
    }
}

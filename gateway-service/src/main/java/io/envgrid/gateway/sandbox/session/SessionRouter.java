package io.envgrid.gateway.sandbox.session;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.backend.SandboxBackend;
import io.envgrid.gateway.sandbox.backend.SessionBackend;
import io.envgrid.gateway.sandbox.execution.SandboxCatalog;
import io.envgrid.gateway.sandbox.execution.WarmUps;
import io.envgrid.gateway.sandbox.profile.ConfigRule;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.Cancellable;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Seed 002's ResourceRouter: explicit sessions of stateful backends. Creating one merges the
 * call's config over the profile's (the call wins), initializes the backend (a leased resource)
 * and records the session over its own claim if its lease is still the worker's (else gives the resource back and
 * answers 409 {@code LEASE_NOT_LIVE}, or {@code SESSION_ENDED} when the claim was swept meanwhile); ending one
 * (destroy, idle sweep) removes the record of the session read first, so exactly one replica cleans up, then gives
 * the resource back.
 */
@ApplicationScoped
public class SessionRouter {

    private static final Logger LOG = Logger.getLogger(SessionRouter.class);

    private final SandboxCatalog catalog;
    private final SandboxSessions sessions;
    private final WarmUps warmUps;

    public SessionRouter(SandboxCatalog catalog, SandboxSessions sessions, WarmUps warmUps) {
        this.catalog = catalog;
        this.sessions = sessions;
        this.warmUps = warmUps;
    }

    /** The stateful backend for a type; 404 for an unknown type, 400 for a stateless one (it has no sessions). */
    public SessionBackend stateful(String resourceType) {
        SandboxBackend backend = catalog.backend(resourceType).orElseThrow(() -> new ToolFailure(404,
                ErrorCode.UNKNOWN_RESOURCE_TYPE, "no backend '" + resourceType + "'; configured: " + catalog.backends().keySet(),
                Map.of()));
        if (!(backend instanceof SessionBackend stateful)) {
            throw ToolFailure.invalid("'" + resourceType + "' is stateless: it is shared by every worker and has no sessions");
        }
        return stateful;
    }

    /** The session config: the profile's, overridden by the call's; the call's keys and types, then the merged whole, are checked. */
    public ObjectNode mergedConfig(SessionBackend backend, ObjectNode override) {
        ObjectNode merged = backend.profile().config().deepCopy();
        if (override != null) {
            List<String> problems = ConfigRule.overrideProblems(override, backend.profile().backend().config(), "config");
            if (!problems.isEmpty()) {
                throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, String.join("; ", problems),
                        Map.of("field", ConfigRule.fieldOf(problems.get(0)), "problems", problems));
            }
            merged.setAll(override);
        }
        backend.checkConfig(merged);
        return merged;
    }

    /** Opens the worker's session of this type, or answers the one it has ({@code created: false}). */
    public Uni<ObjectNode> create(String workerId, SessionBackend backend, ObjectNode config) {
        String type = backend.profile().resourceType();
        ObjectNode record = SandboxSessions.creating(workerId, type);
        // this create removes the record only while it is still its own claim
        String claim = record.path("session_id").asText();
        // The claim's answer while no one owns it: taken by the create when it goes on with the answer, or by the
        // cancellation when the caller has gone first; whichever takes it acts on it (claim owned exactly once).
        AtomicReference<Uni<Boolean>> unowned = new AtomicReference<>();
        return warmUps.ensure(backend).chain(() -> {
            // memoized: a cancelled subscriber does not cancel the script's own subscription, so its answer still comes
            Uni<Boolean> claiming = sessions.claim(record).memoize().indefinitely();
            unowned.set(claiming);
            return claiming;
        }).chain(claimed -> {
            if (unowned.getAndSet(null) == null) {
                // the caller went away as the answer came: the cancellation owns the claim and removes it
                return Uni.createFrom().failure(new CancellationException("the create's caller went away"));
            }
            if (!claimed) {
                return sessions.find(workerId, type).map(found -> {
                    ObjectNode existing = found.orElseThrow(() -> busy(workerId, type));
                    if (!SandboxSessions.READY.equals(existing.path("state").asText())) {
                        throw busy(workerId, type);
                    }
                    return shown(existing).put("created", false);
                });
            }
            AtomicReference<JsonNode> got = new AtomicReference<>();
            Cancellable keeper = keepClaimed(workerId, type);
            return Uni.createFrom().deferred(() -> backend.initialize(workerId, config))
                    .eventually(keeper::cancel)
                    .onFailure().call(() -> sessions.removeSession(workerId, type, claim))
                    .invoke(got::set)
                    .chain(resource -> {
                        record.put("state", SandboxSessions.READY);
                        record.set("resource", resource);
                        record.set("config", config);
                        return sessions.store(record).chain(stored -> switch (stored) {
                            case STORED -> Uni.createFrom().item(shown(record).put("created", true));
                            // the lease ended, or the claim was swept, while the backend initialized: nothing may stay
                            case LEASE_ENDED -> givenUp(backend, workerId, type, resource, claim,
                                    "its lease ended before it was stored").chain(() -> Uni.createFrom()
                                            .<ObjectNode>failure(leaseEnded(workerId, type)));
                            case CLAIM_LOST -> givenUp(backend, workerId, type, resource, claim,
                                    "its claim was ended before it was stored").chain(() -> Uni.createFrom()
                                            .<ObjectNode>failure(claimLost(workerId, type)));
                        });
                    })
                    // a cancellation (the client went away) is neither failure nor success: without
                    // this the record would stay 'creating' and the resource leased
                    .onCancellation().call(() -> givenUp(backend, workerId, type, got.get(), claim,
                            "abandoned by its client"));
        }).onCancellation().invoke(() -> abandonedClaim(unowned.getAndSet(null), workerId, type, claim));
    }

    /**
     * A caller that went away while its claim's script was in flight, or as its answer came, leaves no claim behind:
     * the answer ({@code claiming}; null when the create took it, or never claimed) is awaited and a claim it made is
     * removed, only while still this create's ({@code claim}). Was: the cancellation dropped the answer, and the claim
     * stayed {@code creating} until the idle sweep, every create of the type in the meantime answered 409
     * {@code SESSION_BUSY}.
     */
    private void abandonedClaim(Uni<Boolean> claiming, String workerId, String type, String claim) {
        if (claiming == null) {
            return;
        }
        claiming.chain(made -> made ? sessions.removeSession(workerId, type, claim) : Uni.createFrom().item(false))
                .subscribe().with(removed -> LOG.debugf("claim of the %s session of %s abandoned in flight, removed: %s",
                        type, workerId, removed), e -> LOG.warnf("the %s session of %s abandoned while claimed: %s",
                        type, workerId, e.getMessage()));
    }

    /**
     * Marks the claim used every third of {@code session_ttl} while its session is created, until cancelled: the idle
     * sweep ends a claim whose creator stopped (its replica died mid-way), never one still being created, however long
     * its wait for a resource ({@code wait_ms}, up to 10 minutes) or its set-up takes. Was: the claim was marked used
     * once, the sweep removed it after {@code session_ttl}, and a second create of the same worker and type then ran
     * beside the first, two resources leased for one session.
     */
    private Cancellable keepClaimed(String workerId, String type) {
        Duration every = Duration.ofMillis(Math.max(1, catalog.profile().sessionTtlSeconds() * 1000L / 3));
        return marking(every, () -> sessions.touch(workerId, type), "the " + type + " session of " + workerId);
    }

    /**
     * Runs {@code touch} every {@code every} until cancelled, one at a time; a failed touch is logged and the next tick
     * tries again. A touch slower than {@code every} skips the ticks it overlaps (was: ticks nobody requested failed
     * the stream, and the marks stopped silently while the create went on). Bounded by its caller: the create cancels
     * it when its initialization ends, whose allocation wait ({@code wait_ms}) and set-up calls have deadlines.
     */
    static Cancellable marking(Duration every, Supplier<Uni<?>> touch, String what) {
        return Multi.createFrom().ticks().every(every)
                .onOverflow().drop()
                .onItem().transformToUniAndConcatenate(tick -> touch.get()
                        .onFailure().invoke(e -> LOG.debugf("marking %s in creation used: %s", what, e.getMessage()))
                        .onFailure().recoverWithNull())
                .subscribe().with(tick -> { }, e -> LOG.warnf(e, "marks of %s in creation stopped", what));
    }

    /**
     * A create that cannot finish ({@code why}: its caller went away, or its lease ended or its claim was swept before
     * its record was stored): its claim goes (only while still its own: {@code claim}, the session id it claimed), and a
     * resource already initialized goes back (one still being initialized is given back by the backend's own
     * cancellation). Never fails: what cannot be given back is logged (a lease still expires).
     */
    private Uni<Void> givenUp(SessionBackend backend, String workerId, String type, JsonNode resource, String claim,
            String why) {
        LOG.infof("creation of the %s session of worker %s given up: %s", type, workerId, why);
        Uni<Void> release = resource == null ? Uni.createFrom().voidItem() : backend.cleanup(workerId, resource);
        return release.onFailure().invoke(e -> LOG.warnf("release after the given-up %s session of %s failed: %s", type,
                        workerId, e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> sessions.removeSession(workerId, type, claim)).replaceWithVoid()
                .onFailure().recoverWithNull();
    }

    /** Ends the worker's session of this type: 404 when there is none, 409 while it is being created. */
    public Uni<ObjectNode> destroy(String workerId, SessionBackend backend) {
        String type = backend.profile().resourceType();
        return sessions.find(workerId, type).chain(found -> {
            ObjectNode session = found.orElseThrow(() -> new ToolFailure(404, ErrorCode.SESSION_NOT_FOUND,
                    "worker '" + workerId + "' has no " + type + " session", Map.of("resource_type", type)));
            if (!SandboxSessions.READY.equals(session.path("state").asText())) {
                throw busy(workerId, type);
            }
            return end(backend, session).map(ended -> {
                if (!ended) {
                    throw new ToolFailure(404, ErrorCode.SESSION_NOT_FOUND, "the " + type + " session of worker '"
                            + workerId + "' has just ended", Map.of("resource_type", type));
                }
                return JsonNodeFactory.instance.objectNode().put("success", true).put("destroyed", true)
                        .put("session_id", session.path("session_id").asText()).put("resource_type", type)
                        .put("worker_id", workerId);
            });
        });
    }

    /**
     * Removes the record of {@code session} (as read: only while the hash still holds that session, not one created
     * since) and, for the one caller that removed it, cleans up; false when another got there first or the session was
     * replaced. Was: whatever record the type had was removed, so a destroy or idle sweep that read a session ended
     * meanwhile removed the next create's record and left its resource leased.
     */
    Uni<Boolean> end(SessionBackend backend, ObjectNode session) {
        String worker = session.path("worker_id").asText();
        String type = session.path("resource_type").asText();
        String id = session.path("session_id").asText();
        return sessions.removeSession(worker, type, id).call(removed -> removed && session.hasNonNull("resource")
                ? backend.cleanup(worker, session.get("resource"))
                        .onFailure().invoke(e -> LOG.warnf("cleanup of %s failed: %s", id, e.getMessage()))
                        .onFailure().recoverWithNull()
                : Uni.createFrom().voidItem());
    }

    public Uni<ObjectNode> list(String workerId) {
        return sessions.list(workerId).map(all -> {
            ObjectNode answer = JsonNodeFactory.instance.objectNode().put("worker_id", workerId).put("count", all.size());
            ArrayNode sessionsShown = answer.putArray("sessions");
            all.forEach(session -> sessionsShown.add(shown(session)));
            return answer;
        });
    }

    /**
     * A session record as its worker is shown it: without its lease's token. The gateway makes every call of the session
     * itself, so the worker never needs it, and docs/isolation.md keeps a token to the allocation answer (a session
     * list may end up in a log or a transcript; hostile review 21).
     */
    private static ObjectNode shown(ObjectNode session) {
        ObjectNode copy = session.deepCopy();
        if (copy.get("resource") instanceof ObjectNode resource) {
            resource.remove(List.of("lease_token", "token"));
        }
        return copy;
    }

    /** 409 {@code LEASE_NOT_LIVE}, the answer for a lease that ended: the session's ended while it was created. */
    private static ToolFailure leaseEnded(String workerId, String type) {
        return new ToolFailure(409, ErrorCode.LEASE_NOT_LIVE, "the lease of the " + type + " session of worker '"
                + workerId + "' ended while the session was created; create it again", Map.of("resource_type", type));
    }

    /**
     * 409 {@code SESSION_ENDED}: the create's claim was ended (the idle sweep, once no one had marked it used for
     * {@code session_ttl}) before its record was stored; what it took is given back.
     */
    private static ToolFailure claimLost(String workerId, String type) {
        return new ToolFailure(409, ErrorCode.SESSION_ENDED, "the " + type + " session of worker '" + workerId
                + "' was ended while it was created (its claim was swept or ended elsewhere); create it again",
                Map.of("resource_type", type));
    }

    private static ToolFailure busy(String workerId, String type) {
        return new ToolFailure(409, ErrorCode.SESSION_BUSY, "the " + type + " session of worker '" + workerId
                + "' is being created", Map.of("resource_type", type));
    }
}

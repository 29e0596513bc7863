package io.envgrid.gateway.allocation;

import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.Reply;
import io.envgrid.gateway.cluster.Replica;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.lease.UnsettledRequests;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.redis.GatewayKeys;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * Settling an allocation whose outcome is unknown, by its request id ({@code POST /release/request}: the allocator
 * releases what the request granted, or withdraws the id so a copy still on its way grants nothing), driven by the
 * request's marks in Redis ({@link UnsettledRequests}) so that any replica finishes what another began.
 *
 * <p>The replica that saw the allocation fail marks the request and claims it, and asks {@link #SETTLE_ATTEMPTS} times
 * (about 8 s) before the failure is answered. Without a definite answer by then it hands the claim back, the request
 * due again {@link #RETRY_PAUSE} later; from then on the sweeper of every replica (each
 * {@code envgrid.gateway.leases.settle-sweep-interval}) reads the requests due from the index, claims one (a claim has
 * an owner and lapses after {@code leases.settle-claim}; only one replica holds it), asks once, and clears the mark on a
 * definite answer or hands the claim back for the next round. While a call is queued in the allocator client's bulkhead
 * or in flight, the claim is lengthened every third of {@code settle-claim} ({@link #holdingClaim}), so however long
 * the call waits, no other replica takes the request meanwhile. A replica that dies or hangs while settling leaves its
 * claim to lapse (a graceful stop hands back those it is not asking on at the moment, and the others when their call
 * ends), and another replica takes the request over. A request whose mark lapses leaves the index (given up: whatever it granted ends at its expiry,
 * unrenewed). Each replica's sweeper settles at most {@code leases.background-settles} requests at once, so a long
 * outage with many failed allocations makes a bounded number of calls on the allocator.
 *
 * <p>A mark Redis refused (the gateway's Redis failing with the allocator's, one Sentinel Redis in a failover) is kept
 * in this replica's memory ({@code leases.unwritten-marks} at most), which the keep-alive on this replica reads too; the
 * replica asks before answering as above, unclaimed, and then its sweeper writes the mark, unclaimed and due, as soon as
 * Redis takes writes again, until the mark would have lapsed. From then on the sweepers settle it as any other: the
 * memory only gets the mark written.
 *
 * <p>Meters: {@code envgrid.gateway.settles{outcome=settled|gave_up}} (a request released or withdrawn by the
 * allocator; a request refused by it, whose mark lapsed, or whose mark could not be written in time or kept) and
 * {@code envgrid.gateway.settles.taken.over} (a claim of another replica found lapsed and taken).
 */
@ApplicationScoped
public class RequestSettling {

    private static final Logger LOG = Logger.getLogger(RequestSettling.class);
    /**
     * Attempts before the worker's failure is answered, the pause doubling from {@link #FIRST_PAUSE} up to
     * {@link #RETRY_PAUSE}: about 8 s, so the failure is not held back for long.
     */
    static final int SETTLE_ATTEMPTS = 6;
    private static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    /**
     * The pause before the next attempt once the failure is answered: a Redis failover, with the allocator's circuit
     * breaker open after it, outlasted the 8 s in the soak.
     */
    static final Duration RETRY_PAUSE = Duration.ofSeconds(4);
    /** A settling mark outlives the longest a lease of the request can live unrenewed by this much. */
    private static final Duration UNSETTLED_MARGIN = Duration.ofMinutes(1);

    private final AllocatorApi allocator;
    private final WorkerResources resources;
    private final UnsettledRequests unsettled;
    private final Vertx vertx;
    private final String owner;
    private final int renewTimeoutSeconds;
    private final int bound;
    private final Duration claim;
    private final Duration sweepInterval;
    private final Counter settled;
    private final Counter gaveUp;
    private final Counter takenOver;
    /** Requests this replica's sweeper is settling now (claimed, asked or about to be): at most {@link #bound}. */
    private final AtomicInteger sweeping = new AtomicInteger();
    /** A read of the index still going: the next tick skips it. */
    private final AtomicBoolean reading = new AtomicBoolean();
    /** Members of the requests whose claim this replica holds while it only waits for its next attempt before answering. */
    private final Set<String> pausing = ConcurrentHashMap.newKeySet();
    /** A pass writing the kept marks still going: the next tick skips it. */
    private final AtomicBoolean writing = new AtomicBoolean();
    private volatile boolean stopping;
    private long timer = -1;

    public RequestSettling(AllocatorApi allocator, WorkerResources resources, UnsettledRequests unsettled, Vertx vertx,
            Replica replica, GatewayConfig config, MeterRegistry meters) {
        this.allocator = allocator;
        this.resources = resources;
        this.unsettled = unsettled;
        this.vertx = vertx;
        this.owner = replica.id();
        this.renewTimeoutSeconds = config.leases().renewTimeoutSeconds();
        this.bound = Math.max(0, config.leases().backgroundSettles());
        this.claim = config.leases().settleClaim();
        this.sweepInterval = config.leases().settleSweepInterval();
        this.settled = meters.counter("envgrid.gateway.settles", "outcome", "settled");
        this.gaveUp = meters.counter("envgrid.gateway.settles", "outcome", "gave_up");
        this.takenOver = meters.counter("envgrid.gateway.settles.taken.over");
    }

    void start(@Observes StartupEvent event) {
        if (bound == 0) {
            // allowed (a replica kept off the allocator's bulkhead), but if every replica is so, nothing is settled
            // after the answer, and the index keeps its entries until a replica with places reads them
            LOG.warn("envgrid.gateway.leases.background-settles=0: this replica settles failed allocations only before "
                    + "answering; those left unsettled wait for a replica with background-settles above 0");
        }
        timer = vertx.setPeriodic(sweepInterval.toMillis(), t -> sweep());
    }

    /**
     * Takes no more requests, and hands back at once the claims of the requests this replica only waits on (due now:
     * another replica's sweeper takes them on its next tick, not after the claim's lapse). A claim whose call is in flight
     * is handed back when the call ends, or lapses if the replica is gone by then.
     */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        vertx.cancelTimer(timer);
        List<Uni<Boolean>> handed = new ArrayList<>();
        for (String member : List.copyOf(pausing)) {
            String[] ids = GatewayKeys.unsettledRequestOf(member);
            handed.add(unsettled.handOver(ids[0], ids[1], owner, Duration.ZERO).onFailure().recoverWithItem(false));
        }
        if (!handed.isEmpty()) {
            Uni.join().all(handed).andCollectFailures().await().atMost(Duration.ofSeconds(5));
            LOG.infof("stopping: handed back %d unsettled allocations to the other replicas", handed.size());
        }
        writeKeptAtStop();
    }

    /**
     * The marks kept in memory are written now if Redis takes them (those still asked on before answering too: a second
     * ask while this replica stops is harmless, {@code /release/request} is idempotent); the rest go with this replica.
     */
    private void writeKeptAtStop() {
        List<UnsettledRequests.Unwritten> kept = unsettled.unwritten();
        if (kept.isEmpty()) {
            return;
        }
        kept.stream().filter(mark -> !mark.ready())
                .forEach(mark -> unsettled.unwrittenReady(mark.workerId(), mark.requestId(), Duration.ZERO));
        try {
            writeKept().await().atMost(Duration.ofSeconds(5));
        } catch (RuntimeException e) {
            LOG.debugf("stopping: writing the kept marks failed: %s", e.getMessage());
        }
        int left = unsettled.unwritten().size();
        if (left > 0) {
            LOG.warnf("stopping: %d unsettled allocations whose mark Redis refused are not settled by any replica; "
                    + "whatever they granted ends at its expiry unless a keep-alive renews it", left);
        }
    }

    /**
     * Settles the request before its failure is answered (see the class): marks and claims it (a mark Redis refuses is
     * kept in memory and written later), asks up to {@link #SETTLE_ATTEMPTS} times, then leaves it to the sweepers.
     * While the mark lasts, the keep-alive renews only what the worker was told of; a mark that lapses unsettled leaves
     * any lease of the request to end at its expiry. Never fails. Cancelled while it asks, a kept mark is made ready to
     * be written, due at once.
     */
    public Uni<Void> settle(String workerId, String requestId, int timeoutSeconds) {
        Duration lapse = Duration.ofSeconds(Math.max(timeoutSeconds, renewTimeoutSeconds)).plus(UNSETTLED_MARGIN);
        return unsettled.mark(workerId, requestId, lapse, owner, claim).replaceWith(Marking.MARKED)
                .onFailure().recoverWithItem(e -> unmarked(workerId, requestId, lapse, e))
                .chain(marking -> ask(workerId, requestId, 0, marking == Marking.MARKED)
                        .chain(outcome -> marking == Marking.MARKED ? concludeClaimed(workerId, requestId, outcome)
                                : concludeUnmarked(workerId, requestId, marking, outcome)))
                .onFailure().recoverWithItem(e -> {
                    LOG.warnf("settling allocation %s for worker %s failed: %s", requestId, workerId, e.getMessage());
                    return null;
                })
                .onCancellation().invoke(() -> unsettled.unwrittenReady(workerId, requestId, Duration.ZERO));
    }

    /** What became of the request's mark. */
    private enum Marking {
        /** Written, and claimed by this replica. */
        MARKED,
        /** Refused by Redis, kept in this replica's memory to be written later. */
        KEPT,
        /** Refused by Redis, and not kept: this replica already keeps {@code leases.unwritten-marks}. */
        LOST
    }

    /** The mark could not be written: kept in this replica's memory, if there is room, to be written later. */
    private Marking unmarked(String workerId, String requestId, Duration lapse, Throwable e) {
        if (unsettled.keepUnwritten(workerId, requestId, lapse)) {
            LOG.warnf("could not mark allocation %s of worker %s unsettled (%s): this replica asks before answering, and "
                    + "then writes the mark once Redis takes writes again (for at most %d s) for any replica to settle it",
                    requestId, workerId, e.getMessage(), lapse.toSeconds());
            return Marking.KEPT;
        }
        LOG.warnf("could not mark allocation %s of worker %s unsettled (%s), and this replica already keeps "
                + "leases.unwritten-marks unwritten marks: it is asked only before its failure is answered",
                requestId, workerId, e.getMessage());
        return Marking.LOST;
    }

    /** The end of the asking before answering, on a request marked and claimed by this replica. */
    private Uni<Void> concludeClaimed(String workerId, String requestId, Settlement outcome) {
        return switch (outcome) {
            case RELEASED, REFUSED -> finish(workerId, requestId, outcome);
            case UNANSWERED -> {
                LOG.infof("allocation %s for worker %s failed and is not settled yet; any replica asks on", requestId, workerId);
                yield unsettled.handOver(workerId, requestId, owner, stopping ? Duration.ZERO : RETRY_PAUSE)
                        .replaceWithVoid();
            }
            case CLAIM_LOST -> Uni.createFrom().voidItem();
        };
    }

    /**
     * The end of the asking before answering, on a request whose mark could not be written. Released: the kept mark is
     * forgotten (the first mark may have been applied though its answer was lost: it is cleared if Redis takes it).
     * Otherwise the kept mark is made ready for the sweeper to write, due for the sweepers after {@link #RETRY_PAUSE} if
     * unanswered, at once if refused (the sweeper that takes it is refused again and gives it up, its mark kept until it
     * lapses, as for a marked request). A mark the first write did apply keeps its index entry; its claim, this
     * replica's, is handed back if Redis takes it.
     */
    private Uni<Void> concludeUnmarked(String workerId, String requestId, Marking marking, Settlement outcome) {
        if (outcome == Settlement.RELEASED) {
            unsettled.forgetUnwritten(workerId, requestId);
            return finish(workerId, requestId, outcome).onFailure().recoverWithNull();
        }
        Duration dueIn = outcome == Settlement.UNANSWERED && !stopping ? RETRY_PAUSE : Duration.ZERO;
        if (marking == Marking.LOST) {
            LOG.warnf("allocation %s for worker %s failed and is not settled: its mark could be neither written nor kept; "
                    + "no replica asks on, and the keep-alive renews whatever it granted while the worker's session "
                    + "lives", requestId, workerId);
            gaveUp.increment();
            return Uni.createFrom().voidItem();
        }
        if (!unsettled.unwrittenReady(workerId, requestId, dueIn)) {
            // written already (a graceful stop writes them all) or given up: said when it happened
            return Uni.createFrom().voidItem();
        }
        LOG.infof("allocation %s for worker %s failed and is not settled yet (%s); its mark is written once Redis takes "
                + "writes again, and then any replica asks on", requestId, workerId,
                outcome == Settlement.REFUSED ? "refused" : "unanswered");
        return unsettled.handOver(workerId, requestId, owner, dueIn).onFailure().recoverWithItem(false).replaceWithVoid();
    }

    /**
     * Writes the kept marks that are ready, earliest due first, one at a time: the first one refused ends the pass (Redis
     * still refuses writes). A mark past the lapse it would have had when first written is given up (ready or not), as a
     * mark that lapsed is.
     */
    private Uni<Void> writeKept() {
        return Multi.createFrom().iterable(unsettled.unwritten()).onItem().transformToUniAndConcatenate(mark -> {
            if (System.currentTimeMillis() >= mark.givenUpAt()) {
                if (unsettled.forgetUnwritten(mark.workerId(), mark.requestId())) {
                    LOG.warnf("allocation %s for worker %s could not be marked unsettled before its mark would have "
                            + "lapsed; given up: whatever it granted ends at its expiry unless another replica's "
                            + "keep-alive renewed it meanwhile", mark.requestId(), mark.workerId());
                    gaveUp.increment();
                }
                return Uni.createFrom().voidItem();
            }
            if (!mark.ready()) {
                // this replica still asks on its own before answering: written after that, so no sweeper asks meanwhile
                return Uni.createFrom().voidItem();
            }
            return unsettled.writeUnwritten(mark).invoke(() -> LOG.infof("allocation %s for worker %s marked unsettled "
                    + "now that Redis takes writes again; any replica settles it", mark.requestId(), mark.workerId()));
        }).collect().last().replaceWithVoid();
    }

    /** How the asking of one replica ended. */
    enum Settlement {
        /** The allocator released or withdrew the request (200). */
        RELEASED,
        /** The allocator refused (a 4xx): asking again cannot change that. */
        REFUSED,
        /** No definite answer (5xx, deadline, broken connection, open circuit) within the attempts allowed. */
        UNANSWERED,
        /** The claim lapsed and another replica took the request: it settles it now, this one stops. */
        CLAIM_LOST
    }

    /**
     * Attempt {@code attempt} (from 0) and the next ones before the failure is answered; the pause before attempt n is
     * {@link #FIRST_PAUSE} doubled n-1 times, at most {@link #RETRY_PAUSE}. Before each pause the claim is
     * lengthened by the pause, so it outlasts the pause and the next call; a claim lost meanwhile (it lapsed and another
     * replica took it) ends the asking here. A Redis failure while lengthening does not: no replica can take it then
     * either. Stopping ends it too, the claim then handed back by the caller.
     */
    private Uni<Settlement> ask(String workerId, String requestId, int attempt, boolean claimed) {
        Uni<Settlement> call = once(workerId, requestId);
        return (claimed ? holdingClaim(workerId, requestId, call) : call).chain(outcome -> {
            if (outcome != Settlement.UNANSWERED || attempt + 1 >= SETTLE_ATTEMPTS || stopping) {
                return Uni.createFrom().item(outcome);
            }
            String member = GatewayKeys.unsettledMember(workerId, requestId);
            Duration pause = Duration.ofMillis(Math.min(FIRST_PAUSE.toMillis() << Math.min(attempt, 16), RETRY_PAUSE.toMillis()));
            return (claimed ? unsettled.extend(workerId, requestId, owner, pause.plus(claim)).onFailure().recoverWithItem(true)
                    : Uni.createFrom().item(true))
                    .chain(held -> {
                        if (!held) {
                            return Uni.createFrom().item(Settlement.CLAIM_LOST);
                        }
                        pausing.add(member);
                        return Uni.createFrom().voidItem().onItem().delayIt().by(pause)
                                .eventually(() -> pausing.remove(member))
                                // stopping meanwhile: handed back (again: only if still held), another replica asks on
                                .chain(() -> stopping ? Uni.createFrom().item(Settlement.UNANSWERED)
                                        : ask(workerId, requestId, attempt + 1, claimed));
                    });
        });
    }

    /**
     * {@code call} (one {@code /release/request}) on a request whose claim this replica holds, the claim lengthened to
     * {@code settle-claim} from now every third of it until the call ends: the call may wait in the allocator client's
     * bulkhead queue for longer than any claim (under saturation), and a claim lapsing meanwhile would let another
     * replica ask at the same time. Each lengthening is a compare-and-set on the owner, so one that lands after the claim
     * was handed back or cleared changes nothing; one that finds the claim taken (it lapsed while Redis was out of
     * reach) only stops the lengthening. A replica that dies stops lengthening, and its claim lapses as before.
     */
    private <T> Uni<T> holdingClaim(String workerId, String requestId, Uni<T> call) {
        return Uni.createFrom().deferred(() -> {
            AtomicBoolean held = new AtomicBoolean(true);
            long keeper = vertx.setPeriodic(Math.max(claim.toMillis() / 3, 1), t -> {
                if (held.get()) {
                    unsettled.extend(workerId, requestId, owner, claim).subscribe().with(held::set,
                            e -> LOG.debugf("lengthening the claim on %s of %s: %s", requestId, workerId, e.getMessage()));
                }
            });
            return call.eventually(() -> vertx.cancelTimer(keeper));
        });
    }

    /**
     * One {@code POST /release/request}. A 200 is definite (its released and expired leases leave the worker's record);
     * so is a 4xx (a refusal); anything else (a 5xx, a deadline, a broken connection, an open circuit) is no answer.
     */
    private Uni<Settlement> once(String workerId, String requestId) {
        return allocator.releaseRequest(workerId, requestId)
                .onFailure().recoverWithItem(e -> {
                    LOG.debugf("settling allocation %s for worker %s: %s", requestId, workerId, e.getMessage());
                    return null;
                })
                .chain(reply -> {
                    if (reply != null && reply.ok()) {
                        return forgetReleased(workerId, reply).replaceWith(Settlement.RELEASED);
                    }
                    if (reply != null && reply.status() < 500) {
                        LOG.warnf("settling allocation %s for worker %s refused: %s %s", requestId, workerId,
                                reply.status(), reply.body());
                        return Uni.createFrom().item(Settlement.REFUSED);
                    }
                    return Uni.createFrom().item(Settlement.UNANSWERED);
                });
    }

    /** A definite answer: released, the mark goes; refused, the request leaves the index and its mark lapses. */
    private Uni<Void> finish(String workerId, String requestId, Settlement outcome) {
        if (outcome == Settlement.RELEASED) {
            LOG.infof("allocation %s for worker %s failed; nothing held", requestId, workerId);
            settled.increment();
            return unsettled.clear(workerId, requestId);
        }
        LOG.warnf("allocation %s for worker %s failed and could not be settled (refused); whatever it granted is not "
                + "renewed and ends at its expiry", requestId, workerId);
        gaveUp.increment();
        return unsettled.giveUp(workerId, requestId);
    }

    /**
     * One pass of the sweeper: the kept marks that are ready written (see {@link #writeKept}), and the requests due now (at most as many as this replica has places for), each claimed,
     * asked once and then cleared, given up or handed back. A request another replica claimed first is skipped.
     */
    void sweep() {
        if (!stopping && writing.compareAndSet(false, true)) {
            writeKept().eventually(() -> writing.set(false)).subscribe().with(v -> { },
                    e -> LOG.debugf("writing the kept unsettled marks: Redis still refuses: %s", e.getMessage()));
        }
        int free = bound - sweeping.get();
        if (stopping || free <= 0 || !reading.compareAndSet(false, true)) {
            return;
        }
        unsettled.due(free)
                .eventually(() -> reading.set(false))
                .onItem().transformToMulti(members -> Multi.createFrom().iterable(members))
                .subscribe().with(this::take, e -> LOG.warnf("settle sweep failed: %s", e.getMessage()));
    }

    /** Claims and settles one due request, if this replica still has a place for it. */
    private void take(String member) {
        if (stopping || sweeping.incrementAndGet() > bound) {
            sweeping.decrementAndGet();
            return;
        }
        unsettled.claim(member, owner, claim)
                .chain(this::settleClaimed)
                .eventually(sweeping::decrementAndGet)
                .subscribe().with(v -> { }, e -> LOG.warnf("settling %s failed: %s", member, e.getMessage()));
    }

    /** What the sweeper does with what its claim found: a request claimed is asked once. */
    private Uni<Void> settleClaimed(UnsettledRequests.Claim found) {
        if (found instanceof UnsettledRequests.Lapsed lapsed) {
            LOG.warnf("allocation %s for worker %s could not be settled before its mark lapsed; whatever it granted is "
                    + "not renewed and ends at its expiry", lapsed.requestId(), lapsed.workerId());
            gaveUp.increment();
            return Uni.createFrom().voidItem();
        }
        if (!(found instanceof UnsettledRequests.Claimed claimed)) {
            return Uni.createFrom().voidItem();
        }
        if (claimed.takenOver()) {
            LOG.infof("allocation %s for worker %s: another replica's claim lapsed; settling it here",
                    claimed.requestId(), claimed.workerId());
            takenOver.increment();
        }
        return holdingClaim(claimed.workerId(), claimed.requestId(), once(claimed.workerId(), claimed.requestId()))
                .chain(outcome -> outcome == Settlement.UNANSWERED
                ? unsettled.handOver(claimed.workerId(), claimed.requestId(), owner,
                        stopping ? Duration.ZERO : RETRY_PAUSE).replaceWithVoid()
                : finish(claimed.workerId(), claimed.requestId(), outcome));
    }

    /**
     * The ended leases ({@code <resource id>:<fence>}) leave the worker's record, had they reached it: those released
     * and those the allocator found past their expiry and reclaimed as expiries (the record must not wait for the
     * expiry message to drop them). By lease, not by resource: the same resource granted to the worker again since
     * (its retry) stays recorded.
     */
    private Uni<Void> forgetReleased(String workerId, Reply reply) {
        List<String> leaseIds = new ArrayList<>();
        for (String ended : List.of("released", "expired")) {
            reply.body().path(ended).forEach(lease -> leaseIds.add(lease.asText()));
        }
        return leaseIds.isEmpty() ? Uni.createFrom().voidItem() : resources.forgetLeases(workerId, leaseIds).replaceWithVoid();
    }
}

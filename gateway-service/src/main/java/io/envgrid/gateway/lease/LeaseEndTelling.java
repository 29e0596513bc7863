package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.JsonNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Tells the {@link LeaseEndListener}s of the entries a change removed from a worker's record, for every change that
 * removes them (a release through the gateway, an expiry message, the check after a re-subscription), and gives the
 * bounded retry those changes use for their own steps.
 */
final class LeaseEndTelling {

    private static final Logger LOG = Logger.getLogger(LeaseEndTelling.class);

    /** Attempts of one step (a listener's telling, an expiry's forget, a worker's check) before it is given up. */
    static final int ATTEMPTS = 5;
    /** The longest wait between two attempts (the first waits {@link #firstRetry}, each later one about twice that). */
    private static final Duration LAST_RETRY = Duration.ofSeconds(10);

    private final List<LeaseEndListener> listeners;
    /** The first wait before an attempt again: 1 s, a blip's length (a test shortens it). */
    private final Duration firstRetry;

    LeaseEndTelling(List<LeaseEndListener> listeners, Duration firstRetry) {
        this.listeners = listeners;
        this.firstRetry = firstRetry;
    }

    /**
     * Every listener is told of each entry {@code removed}, and of nothing else: an entry another change removed first
     * was told by that change. Each telling is tried again on its own when it fails: repeating the change cannot redo
     * it (the entry is gone, so a second forget removes and tells nothing), and a listener that failed for good (logged)
     * does not keep the others, or the next entries, from hearing. Never fails: the lease has ended whatever a listener
     * answers, so neither a release nor an expiry fails for it.
     */
    Uni<Void> told(String worker, List<JsonNode> removed) {
        return Multi.createFrom().iterable(removed).onItem().transformToUniAndConcatenate(entry -> {
            EndedLease lease = EndedLease.of(entry);
            return Multi.createFrom().iterable(listeners).onItem().transformToUniAndConcatenate(listener ->
                    this.<Void>retried(() -> listener.leaseEnded(worker, lease))
                            .onFailure().invoke(e -> LOG.warnf("telling %s that lease %s:%s of %s ended failed after %d "
                                    + "attempts: %s", listener.getClass().getSimpleName(), lease.resourceId(),
                                    lease.fencingToken(), worker, ATTEMPTS, e.getMessage()))
                            .onFailure().recoverWithNull())
                    .collect().last();
        }).collect().last().replaceWithVoid();
    }

    /**
     * {@code step} again after a failure (an allocator or Redis blip), with backoff, at most {@link #ATTEMPTS} times in
     * all. Each attempt starts over (calls {@code step} again), so a step must allow that: a forget removes only what is
     * still recorded, and a listener ends only state it still holds.
     */
    <T> Uni<T> retried(Supplier<Uni<? extends T>> step) {
        return Uni.createFrom().<T>deferred(step).onFailure().retry()
                .withBackOff(firstRetry, LAST_RETRY).atMost(ATTEMPTS - 1);
    }
}

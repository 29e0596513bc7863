package io.envgrid.allocator.lease;

import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.metrics.AllocatorMetrics;
import io.envgrid.allocator.metrics.AllocatorMetrics.CleanupOutcome;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the allocator's one-shot cleanups (releasing an undelivered grant, withdrawing the ticket of a
 * wait that ended) in the background until Redis answers them. A cleanup that met Redis unavailable
 * (a failover, a broken connection: the {@code 503 REDIS_UNAVAILABLE} of {@code ScriptRunner}) is
 * asked again after 250 ms, the pause doubling up to 4 s, then every 4 s until Redis answers. Without it
 * the soak's Redis failover left the whole desktop pool leased to clients that had gone, until the leases'
 * timeout.
 *
 * <p>A cleanup is never judged moot by this replica's clock: only Redis's answer ends it. The leases of an
 * undelivered grant do not end at the expiry they were granted with when the worker renews them meanwhile
 * ({@code /renew} without ids extends all of its leases) through a replica that still reaches Redis (the
 * outage may be this replica's connection only, or come and go); a ticket's purge is fixed when it is
 * queued, but a ticket served before its wait ended became such leases. Given up on such a clock, either
 * would leave the resource leased to a worker that never got it, for as long as the worker lives. The
 * scripts themselves tell what is left to do (abandon.lua ends only the leases still exactly as granted,
 * an expired one as an expiry; cancel_wait.lua withdraws a ticket still queued, answers a grant made to
 * it, or finds nothing).
 *
 * <p>Bounds: at most {@link #MAX_PENDING} cleanups retry at a time (each one a timer and a few small
 * objects; once the first pauses have grown to 4 s, all of them together at most {@code MAX_PENDING / 4} script
 * attempts a second during an outage, more while they ramp up from 250 ms);
 * one that would go beyond is given up at once. A replica that shuts down gives up the cleanups still
 * pending (it cannot hand them to Redis, which is what they are waiting for). Both are logged at WARN
 * with what was left held, for an operator to release ({@code /release/request}, {@code /release}).
 *
 * <p>Nothing here fails a caller: the answer, when there is one, goes to {@link Cleanup#onAnswer()}
 * on the Redis answer's thread. A cleanup that starts retrying is logged once at INFO; one that stops
 * without an answer (the bounds above, or a failure that is no outage: a broken script's 500, or a 503
 * {@code REPLICATION_TIMEOUT}, whose write the master did apply) at WARN. Each of
 * those and each late answer is counted in {@code envgrid_cleanups_total{kind,outcome}}; the ones
 * retrying now in {@code envgrid_cleanups_pending} (shown from the replica's first cleanup on: the bean is made
 * at its first use; made at start-up with {@code @Startup}, the allocator showed no Vert.x HTTP server meter).
 */
@ApplicationScoped
public class PersistentCleanups {

    private static final Logger LOG = Logger.getLogger(PersistentCleanups.class);
    static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(4);
    /** The most cleanups retrying at a time (one per undelivered grant or lost withdrawal: far more than a pool's). */
    static final int MAX_PENDING = 1000;

    /**
     * One cleanup.
     *
     * @param kind     what it is, as the metric's {@code kind} tag and in the logs ({@code abandon}, {@code withdraw})
     * @param what     what it cleans up, for the logs (e.g. the lease ids, the ticket)
     * @param attempt  one run of its script; a new Uni for every call (it is subscribed once per attempt)
     * @param onAnswer what to do with the script's answer (the only one it gets)
     * @param <T>      the script's answer
     */
    public record Cleanup<T>(String kind, String what, Supplier<Uni<T>> attempt, Consumer<T> onAnswer) { }

    /** A cleanup that met Redis unavailable, between its attempts; compared by identity. */
    private static final class Retrying {
        final Cleanup<?> cleanup;
        volatile long timer = -1;

        Retrying(Cleanup<?> cleanup) {
            this.cleanup = cleanup;
        }
    }

    private final Vertx vertx;
    private final AllocatorMetrics metrics;
    private final Set<Retrying> pending = ConcurrentHashMap.newKeySet();
    private volatile boolean stopping;

    public PersistentCleanups(Vertx vertx, AllocatorMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** Runs the cleanup now, and again while Redis is unavailable, until Redis answers it. */
    public <T> void run(Cleanup<T> cleanup) {
        attempt(cleanup, 1, null);
    }

    /**
     * Goes on with a cleanup whose first run the caller made itself (its failure went to its own client):
     * retried as {@link #run} would after that failure.
     */
    public <T> void continueAfter(Throwable firstFailure, Cleanup<T> cleanup) {
        failed(cleanup, 1, firstFailure, null);
    }

    /** How many cleanups are retrying now: 0 to {@link #MAX_PENDING}. */
    public int pending() {
        return pending.size();
    }

    /**
     * At shutdown: the cleanups still retrying are given up (each logged with what it leaves held), and their
     * timers cancelled; one whose attempt is in flight still has its answer handled.
     */
    void stop(@Observes ShutdownEvent event) {
        stopping = true;
        for (Retrying retrying : pending) {
            if (pending.remove(retrying)) {
                vertx.cancelTimer(retrying.timer);
                gaveUp(retrying.cleanup, "this replica is shutting down with Redis still unavailable to it");
            }
        }
    }

    private <T> void attempt(Cleanup<T> cleanup, int attempt, Retrying retrying) {
        Uni<T> run;
        try {
            run = cleanup.attempt().get();
        } catch (RuntimeException e) {
            failed(cleanup, attempt, e, retrying);
            return;
        }
        run.subscribe().with(answer -> answered(cleanup, attempt, answer, retrying),
                failure -> failed(cleanup, attempt, failure, retrying));
    }

    private <T> void answered(Cleanup<T> cleanup, int attempt, T answer, Retrying retrying) {
        if (retrying != null) {
            pending.remove(retrying);
        }
        if (attempt > 1) {
            metrics.cleanup(cleanup.kind(), CleanupOutcome.ANSWERED_LATE);
            LOG.infof("%s of %s answered at attempt %d", cleanup.kind(), cleanup.what(), attempt);
        }
        try {
            cleanup.onAnswer().accept(answer);
        } catch (RuntimeException e) {
            LOG.warnf(e, "%s of %s: its answer could not be handled", cleanup.kind(), cleanup.what());
        }
    }

    private <T> void failed(Cleanup<T> cleanup, int attempt, Throwable failure, Retrying retrying) {
        if (!isOutage(failure)) {
            if (retrying == null || pending.remove(retrying)) {
                gaveUp(cleanup, "not retried after attempt " + attempt + ", it is no outage: " + failure.getMessage());
            }
            return;
        }
        Retrying next = retrying;
        if (next == null) {
            if (stopping) {
                gaveUp(cleanup, "Redis was unavailable and this replica is shutting down (" + failure.getMessage() + ")");
                return;
            }
            if (pending.size() >= MAX_PENDING) {
                gaveUp(cleanup, "Redis was unavailable (" + failure.getMessage() + ") and " + MAX_PENDING
                        + " cleanups are retrying already");
                return;
            }
            next = new Retrying(cleanup);
            pending.add(next);
            metrics.cleanup(cleanup.kind(), CleanupOutcome.RETRIED);
            LOG.infof("%s of %s met Redis unavailable (%s); asking again until it answers", cleanup.kind(),
                    cleanup.what(), failure.getMessage());
        } else if (!pending.contains(next)) {
            return; // given up by stop() while this attempt was in flight
        }
        Retrying scheduled = next;
        scheduled.timer = vertx.setTimer(pauseAfter(attempt).toMillis(), id -> attempt(cleanup, attempt + 1, scheduled));
        // stop() may have run between the check above and the timer: it cannot have seen this timer
        if (stopping && !pending.contains(scheduled)) {
            vertx.cancelTimer(scheduled.timer);
        }
    }

    private void gaveUp(Cleanup<?> cleanup, String why) {
        metrics.cleanup(cleanup.kind(), CleanupOutcome.GAVE_UP);
        LOG.warnf("%s of %s given up, what it held stays so until Redis ends it or someone releases it: %s",
                cleanup.kind(), cleanup.what(), why);
    }

    /** The pause after the {@code attempt}-th failed attempt (1-based): 250 ms, 500 ms, 1 s, 2 s, then 4 s. */
    static Duration pauseAfter(int attempt) {
        long ms = FIRST_PAUSE.toMillis() << Math.min(attempt - 1, 8);
        return Duration.ofMillis(Math.min(ms, LONGEST_PAUSE.toMillis()));
    }

    /** Redis out of reach or not taking writes now: what {@code ScriptRunner.toApiFailure} answers 503 for. */
    static boolean isOutage(Throwable failure) {
        return failure instanceof ApiException api && api.status() == 503
                && ErrorCode.REDIS_UNAVAILABLE.equals(api.code());
    }
}

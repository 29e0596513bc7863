package io.envgrid.allocator.lease;

import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.metrics.AllocatorMetrics;
import io.envgrid.allocator.metrics.AllocatorMetrics.CleanupOutcome;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Runs the allocator's one-shot cleanups (releasing an undelivered grant, withdrawing the ticket of a
 * wait that ended) in the background until Redis answers them. A cleanup that met Redis unavailable
 * (a failover, a broken connection: the {@code 503 REDIS_UNAVAILABLE} of {@code ScriptRunner}) is
 * asked again after 250 ms, the pause doubling up to 4 s, for as long as it still matters: until its
 * {@link Cleanup#mootAtMillis()}, the moment Redis would end what it cleans up by itself (the leases'
 * expiry; a ticket's purge by {@code purge_dead_tickets}). Without it the soak's Redis failover left
 * the whole desktop pool leased to clients that had gone, until the leases' timeout.
 *
 * <p>Nothing here fails a caller: the answer, when there is one, goes to {@link Cleanup#onAnswer()}
 * on the Redis answer's thread. A cleanup that starts retrying is logged once at INFO; one that stops
 * without an answer (moot, or a failure that is no outage: a broken script's 500, or a 503
 * {@code REPLICATION_TIMEOUT}, whose write the master did apply) at WARN. Each of
 * those and each late answer is counted in {@code envgrid_cleanups_total{kind,outcome}}.
 */
@ApplicationScoped
public class PersistentCleanups {

    private static final Logger LOG = Logger.getLogger(PersistentCleanups.class);
    static final Duration FIRST_PAUSE = Duration.ofMillis(250);
    static final Duration LONGEST_PAUSE = Duration.ofSeconds(4);

    /**
     * One cleanup.
     *
     * @param kind         what it is, as the metric's {@code kind} tag and in the logs ({@code abandon}, {@code withdraw})
     * @param what         what it cleans up, for the logs (e.g. the lease ids, the ticket)
     * @param attempt      one run of its script; a new Uni for every call (it is subscribed once per attempt)
     * @param mootAtMillis epoch ms from which there is nothing left to clean up (Redis ends it by itself)
     * @param onAnswer     what to do with the script's answer (the only one it gets)
     * @param <T>          the script's answer
     */
    public record Cleanup<T>(String kind, String what, Supplier<Uni<T>> attempt, long mootAtMillis,
            Consumer<T> onAnswer) { }

    private final Vertx vertx;
    private final AllocatorMetrics metrics;

    public PersistentCleanups(Vertx vertx, AllocatorMetrics metrics) {
        this.vertx = vertx;
        this.metrics = metrics;
    }

    /** Runs the cleanup now, and again while Redis is unavailable and it is not moot. */
    public <T> void run(Cleanup<T> cleanup) {
        attempt(cleanup, 1);
    }

    /**
     * Goes on with a cleanup whose first run the caller made itself (its failure went to its own client):
     * retried as {@link #run} would after that failure.
     */
    public <T> void continueAfter(Throwable firstFailure, Cleanup<T> cleanup) {
        failed(cleanup, 1, firstFailure);
    }

    private <T> void attempt(Cleanup<T> cleanup, int attempt) {
        Uni<T> run;
        try {
            run = cleanup.attempt().get();
        } catch (RuntimeException e) {
            failed(cleanup, attempt, e);
            return;
        }
        run.subscribe().with(answer -> answered(cleanup, attempt, answer), failure -> failed(cleanup, attempt, failure));
    }

    private <T> void answered(Cleanup<T> cleanup, int attempt, T answer) {
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

    private <T> void failed(Cleanup<T> cleanup, int attempt, Throwable failure) {
        if (!isOutage(failure)) {
            gaveUp(cleanup, attempt, "not retried, it is no outage: " + failure.getMessage());
            return;
        }
        Duration pause = pauseAfter(attempt);
        if (System.currentTimeMillis() + pause.toMillis() >= cleanup.mootAtMillis()) {
            gaveUp(cleanup, attempt, "Redis stayed unavailable until it no longer matters (" + failure.getMessage() + ")");
            return;
        }
        if (attempt == 1) {
            metrics.cleanup(cleanup.kind(), CleanupOutcome.RETRIED);
            LOG.infof("%s of %s met Redis unavailable (%s); asking again until it answers", cleanup.kind(),
                    cleanup.what(), failure.getMessage());
        }
        vertx.setTimer(pause.toMillis(), id -> attempt(cleanup, attempt + 1));
    }

    private void gaveUp(Cleanup<?> cleanup, int attempts, String why) {
        metrics.cleanup(cleanup.kind(), CleanupOutcome.GAVE_UP);
        LOG.warnf("%s of %s given up after %d attempt(s): %s", cleanup.kind(), cleanup.what(), attempts, why);
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

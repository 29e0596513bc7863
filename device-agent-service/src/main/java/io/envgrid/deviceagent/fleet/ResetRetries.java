package io.envgrid.deviceagent.fleet;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each resource whose reset failed (a hosted desktop, the host device) is to be reset again: {@code backoff}
 * after its first failure, doubled after every further one up to {@code maxBackoff}; after {@code limit} retries in a
 * row it is given up (down until the agent restarts). A reset that succeeds forgets the resource's failures. Times are
 * {@link System#nanoTime()}.
 *
 * @param <K> what is reset ({@link HostedDesktop}, {@link HostDevice}); compared by identity
 */
final class ResetRetries<K> {

    /** A resource's failures in a row and when it is due again. */
    private record Pending(int failures, long dueNanos) {
    }

    /** What a failure leads to. */
    sealed interface Next {
        /** Reset again in {@code after}; this will be retry number {@code retry}. */
        record Retry(int retry, Duration after) implements Next {
        }

        /** {@code failures} failed in a row: not retried any more. */
        record GivenUp(int failures) implements Next {
        }
    }

    private final Duration backoff;
    private final Duration maxBackoff;
    private final int limit;
    private final Map<K, Pending> pending = new ConcurrentHashMap<>();

    ResetRetries(Duration backoff, Duration maxBackoff, int limit) {
        this.backoff = backoff;
        this.maxBackoff = maxBackoff;
        this.limit = limit;
    }

    /** Counts a failed reset of {@code desktop} and says whether and when it is tried again. */
    Next failed(K desktop, long nowNanos) {
        int failures = pending.containsKey(desktop) ? pending.get(desktop).failures() + 1 : 1;
        if (failures > limit) {
            pending.remove(desktop);
            return new Next.GivenUp(failures);
        }
        Duration wait = backoff.multipliedBy(1L << Math.min(failures - 1, 30));
        if (wait.compareTo(maxBackoff) > 0 || wait.isNegative()) {
            wait = maxBackoff;
        }
        pending.put(desktop, new Pending(failures, nowNanos + wait.toNanos()));
        return new Next.Retry(failures, wait);
    }

    /** A reset of {@code desktop} succeeded: its failures are forgotten. */
    void succeeded(K desktop) {
        pending.remove(desktop);
    }

    /** Those due for a retry now; each stays counted until {@link #failed} or {@link #succeeded} is called. */
    List<K> due(long nowNanos) {
        List<K> due = new ArrayList<>();
        pending.forEach((desktop, entry) -> {
            if (nowNanos - entry.dueNanos() >= 0) {
                due.add(desktop);
            }
        });
        return due;
    }

    /** How long until the next retry is due, or null when none is pending. */
    Duration untilNext(long nowNanos) {
        return pending.values().stream().map(p -> Duration.ofNanos(Math.max(0, p.dueNanos() - nowNanos)))
                .min(Duration::compareTo).orElse(null);
    }
}

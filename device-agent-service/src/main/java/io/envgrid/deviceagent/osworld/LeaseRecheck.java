package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The lease fence of a call in flight: a desktop call admitted under a lease token checks that lease with the allocator
 * again every {@code envgrid.device-agent.desktop.lease-recheck-interval} (1 s) while it runs, and is cut off
 * ({@link DesktopGate.Admission#revoke}: interrupted, so its process tree is killed) as soon as the lease is over —
 * released, expired, revoked, granted to another worker — or has gone unconfirmed for longer than
 * {@code lease-unconfirmed-limit} (5 s: the allocator unreachable; fail closed). No pub/sub message is needed, and the
 * attached desktop, which is never reset, is fenced like the hosted ones (which are also cut off by their reset).
 */
@ApplicationScoped
public class LeaseRecheck {

    /** Checks run here, off the request threads; a slow allocator delays the checks, never a call. */
    private final ScheduledExecutorService checks = Executors.newScheduledThreadPool(4, runnable -> {
        Thread thread = new Thread(runnable, "desktop-lease-recheck");
        thread.setDaemon(true);
        return thread;
    });
    private final Duration interval;
    private final Duration unconfirmedLimit;
    private final MeterRegistry meters;

    @Inject
    public LeaseRecheck(DeviceAgentConfig config, MeterRegistry meters) {
        this(config.desktop().leaseRecheckInterval(), config.desktop().leaseUnconfirmedLimit(), meters);
    }

    /** With the two settings given directly (tests). */
    LeaseRecheck(Duration interval, Duration unconfirmedLimit, MeterRegistry meters) {
        this.interval = interval;
        this.unconfirmedLimit = unconfirmedLimit;
        if (interval.isNegative() || interval.isZero() || unconfirmedLimit.isNegative()) {
            throw new IllegalStateException("envgrid.device-agent.desktop.lease-recheck-interval must be positive and "
                    + "lease-unconfirmed-limit not negative, not " + interval + " and " + unconfirmedLimit);
        }
        this.meters = meters;
    }

    /** How often a running call's lease is checked again; also how old a lease check may be when a call acts on it. */
    public Duration interval() {
        return interval;
    }

    /** A running call's watch; close it when the call has acted (before it leaves the gate). */
    public interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /**
     * Checks {@code check} (the call's own lease check, which throws the refusal) every interval until the watch is
     * closed, revoking {@code admission} at the first refusal other than {@code 503}, or once {@code 503}s have lasted
     * longer than the unconfirmed limit.
     */
    public Watch watch(DesktopGate.Admission admission, Runnable check) {
        return watch(admission, check, System.nanoTime());
    }

    /**
     * As {@link #watch(DesktopGate.Admission, Runnable)} for a call whose lease was last confirmed at
     * {@code confirmedAt} ({@link System#nanoTime()}), not now: the first check comes an interval after that.
     */
    public Watch watch(DesktopGate.Admission admission, Runnable check, long confirmedAtNanos) {
        long[] confirmedAt = {confirmedAtNanos};
        long firstDelay = Math.max(0, interval.toNanos() - (System.nanoTime() - confirmedAtNanos));
        ScheduledFuture<?> ticks = checks.scheduleWithFixedDelay(() -> {
            try {
                check.run();
                confirmedAt[0] = System.nanoTime();
            } catch (RuntimeException failed) {
                // Anything but a refusal counts as unconfirmed, never escapes: an exception out of a scheduled task
                // would end its schedule, and the call would run on unchecked (fail open).
                ApiException refused = failed instanceof ApiException api ? api
                        : new ApiException(503, ErrorCode.ALLOCATOR_UNAVAILABLE, "the lease check failed: " + failed,
                                java.util.Map.of());
                boolean unconfirmed = refused.status() == 503;
                if (unconfirmed && System.nanoTime() - confirmedAt[0] <= unconfirmedLimit.toNanos()) {
                    return; // not confirmed yet: the next check may be
                }
                meters.counter("envgrid.desktop.calls.cut", "code", refused.code()).increment();
                admission.revoke(unconfirmed
                        ? new DesktopException(503, ErrorCode.ALLOCATOR_UNAVAILABLE, "the lease of this call could "
                                + "not be confirmed for " + unconfirmedLimit.toMillis() + " ms while it ran ("
                                + refused.getMessage() + "): cut off")
                        : new DesktopException(409, ErrorCode.LEASE_NOT_LIVE, "the lease of this call ended while it "
                                + "ran (" + refused.getMessage() + "): cut off"));
            }
        }, firstDelay, interval.toNanos(), TimeUnit.NANOSECONDS);
        return () -> ticks.cancel(false);
    }

    @PreDestroy
    void stop() {
        checks.shutdownNow();
    }
}

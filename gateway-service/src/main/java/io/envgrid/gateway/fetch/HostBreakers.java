package io.envgrid.gateway.fetch;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.smallrye.faulttolerance.api.TypedGuard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.exceptions.CircuitBreakerOpenException;

/**
 * Fault tolerance for calls to outside hosts: one circuit breaker per host (a dead site stops
 * costing a deadline per call), one retry when the host could not be reached (a GET is safe to
 * repeat), and the failures as error envelopes. Hosts are many and arbitrary, so only the most
 * recently used keep a breaker.
 */
final class HostBreakers {

    private static final TypeLiteral<Uni<FetchedPage>> PAGE = new TypeLiteral<>() {
    };
    private static final int MAX_HOSTS = 512;

    /** The host did not answer (connection refused, reset, TLS failure). */
    static final class Unreachable extends RuntimeException {
        Unreachable(String host, Throwable cause) {
            super(host + " is unreachable: " + cause.getMessage(), cause);
        }
    }

    /** The host did not answer within the deadline. */
    static final class TimedOut extends RuntimeException {
        TimedOut(String host, Duration deadline) {
            super(host + " did not answer within " + deadline.toMillis() + " ms");
        }
    }

    private final Map<String, TypedGuard<Uni<FetchedPage>>> guards = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, TypedGuard<Uni<FetchedPage>>> eldest) {
            return size() > MAX_HOSTS;
        }
    };

    Uni<FetchedPage> guarded(String host, Supplier<Uni<FetchedPage>> call) {
        TypedGuard<Uni<FetchedPage>> guard = guard(host);
        return Uni.createFrom().deferred(() -> {
            try {
                return guard.call(call::get);
            } catch (Exception e) {
                return Uni.createFrom().failure(e);
            }
        }).onFailure(Unreachable.class).retry().withBackOff(Duration.ofMillis(100)).atMost(1)
                .onFailure().transform(e -> translate(host, e));
    }

    private synchronized TypedGuard<Uni<FetchedPage>> guard(String host) {
        return guards.computeIfAbsent(host, h -> TypedGuard.create(PAGE)
                .withDescription("fetch " + h)
                .withCircuitBreaker().requestVolumeThreshold(10).failureRatio(0.5)
                .delay(10, ChronoUnit.SECONDS).failOn(List.of(Unreachable.class, TimedOut.class)).done()
                .build());
    }

    private static Throwable translate(String host, Throwable e) {
        Map<String, Object> details = Map.of("host", host);
        if (e instanceof TimedOut) {
            return new ToolFailure(504, ErrorCode.BACKEND_TIMEOUT, e.getMessage(), details);
        }
        if (e instanceof Unreachable) {
            return new ToolFailure(502, ErrorCode.BACKEND_UNREACHABLE, e.getMessage(), details);
        }
        if (e instanceof CircuitBreakerOpenException) {
            return new ToolFailure(503, ErrorCode.BACKEND_CIRCUIT_OPEN, host + " keeps failing; fetches to it are paused",
                    details);
        }
        return e;
    }
}

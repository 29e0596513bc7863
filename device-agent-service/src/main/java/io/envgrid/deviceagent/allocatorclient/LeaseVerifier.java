package io.envgrid.deviceagent.allocatorclient;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The allocator's lease check ({@code POST /leases/verify}), asked on every call that presents a lease token.
 * Off (no allocator, so no leases) when {@code envgrid.allocator.url} is not set.
 */
@ApplicationScoped
public class LeaseVerifier {

    private final Optional<LeaseApi> leases;

    public LeaseVerifier(AllocatorSettings settings, AllocatorBearer bearer) {
        // Checked on every desktop call: a short read timeout, so a stuck allocator turns into a quick 503.
        this.leases = settings.url().map(url -> AllocatorClient.builder(url, bearer, 2).build(LeaseApi.class));
    }

    /** Whether an allocator is configured; without one no resource is leased. */
    public boolean enabled() {
        return leases.isPresent();
    }

    /**
     * {@code POST /leases/verify}: is {@code leaseToken} the live lease of {@code resourceId}? Never cached: a
     * released lease is refused on the very next call. Idempotent, so one retry on no answer or a 5xx; 2 s per
     * attempt; a circuit breaker per agent so that a dead allocator is answered with 503 at once.
     *
     * @throws AllocatorUnavailableException no answer, a 5xx, or the allocator refused the agent's service token
     *         (also FT's TimeoutException and CircuitBreakerOpenException: callers treat every such failure alike)
     */
    @Timeout(value = 2500, unit = ChronoUnit.MILLIS)
    @Retry(maxRetries = 1, delay = 50, retryOn = AllocatorUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 2, delayUnit = ChronoUnit.SECONDS,
            failOn = {AllocatorUnavailableException.class, org.eclipse.microprofile.faulttolerance.exceptions.TimeoutException.class})
    public LeaseVerdict verify(String resourceId, String leaseToken) {
        LeaseApi lease = leases.orElseThrow(() -> new IllegalStateException("envgrid.allocator.url is not set"));
        LeaseApi.VerifyRequest request = new LeaseApi.VerifyRequest(resourceId, leaseToken);
        try (Response response = AllocatorClient.call(() -> lease.verify(request))) {
            // a 5xx never gets here: AllocatorClient.call turned it into AllocatorUnavailableException
            return LeaseVerdict.of(response.getStatus(), () -> response.readEntity(VerifiedLease.class));
        }
    }
}

package io.envgrid.deviceagent.allocatorclient;

import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.ProcessingException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.eclipse.microprofile.faulttolerance.CircuitBreaker;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.eclipse.microprofile.faulttolerance.Timeout;

/**
 * The allocator's inventory API with timeouts, retries and a circuit breaker. Every call made here is idempotent
 * (upsert, heartbeat, drain, undrain, delete, read), so each may be retried; only a missing answer or a 5xx is,
 * never a 4xx, which is the allocator's decision. A 404 is an answer: the allocator does not know the resource.
 */
@ApplicationScoped
public class AllocatorClient {

    private final Optional<AllocatorApi> api;
    private final Optional<LeaseApi> leases;

    public AllocatorClient(AllocatorSettings settings) {
        this.api = settings.url().map(url -> builder(url, settings, 5).build(AllocatorApi.class));
        // Checked on every desktop call: a short read timeout, so a stuck allocator turns into a quick 503.
        this.leases = settings.url().map(url -> builder(url, settings, 2).build(LeaseApi.class));
    }

    private static QuarkusRestClientBuilder builder(java.net.URI url, AllocatorSettings settings, int readSeconds) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(url)
                .connectTimeout(2, TimeUnit.SECONDS)
                .readTimeout(readSeconds, TimeUnit.SECONDS);
        settings.serviceToken().ifPresent(token -> builder.register(new BearerTokenFilter(token)));
        return builder;
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
        try (Response response = call(() -> lease.verify(new LeaseApi.VerifyRequest(resourceId, leaseToken)))) {
            return switch (response.getStatus()) {
                case 200 -> new LeaseVerdict.Live(response.readEntity(VerifiedLease.class));
                case 404 -> new LeaseVerdict.UnknownResource();
                case 401, 403 -> throw new AllocatorUnavailableException(
                        "the allocator refused the agent's service token (envgrid.allocator.service-token)", null);
                // 409 LEASE_NOT_LIVE; a 400 (a token or id it does not accept) is no live lease either
                default -> new LeaseVerdict.NotLive();
            };
        }
    }

    public boolean enabled() {
        return api.isPresent();
    }

    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, retryOn = AllocatorUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = AllocatorUnavailableException.class)
    public void register(ResourceRegistration resource) {
        try (Response response = call(() -> api().register(resource))) {
            require(response, "register " + resource.id());
        }
    }

    /** @return false when the allocator does not know the resource (it forgot it, or it was never registered) */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, retryOn = AllocatorUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = AllocatorUnavailableException.class)
    public boolean heartbeat(String id) {
        return known(call(() -> api().heartbeat(id)), "heartbeat " + id);
    }

    /** @return false when the allocator does not know the resource */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, retryOn = AllocatorUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = AllocatorUnavailableException.class)
    public boolean drain(String id) {
        return known(call(() -> api().drain(id)), "drain " + id);
    }

    /** @return false when the allocator does not know the resource */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, retryOn = AllocatorUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = AllocatorUnavailableException.class)
    public boolean undrain(String id) {
        return known(call(() -> api().undrain(id)), "undrain " + id);
    }

    /** @return the status: 200 deleted, 404 unknown, 409 refused because it is leased */
    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, retryOn = AllocatorUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = AllocatorUnavailableException.class)
    public int delete(String id) {
        try (Response response = call(() -> api().delete(id))) {
            return response.getStatus();
        }
    }

    @Timeout(value = 5, unit = ChronoUnit.SECONDS)
    @Retry(maxRetries = 2, delay = 200, retryOn = AllocatorUnavailableException.class)
    @CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 5, delayUnit = ChronoUnit.SECONDS,
            failOn = AllocatorUnavailableException.class)
    public Optional<AllocatorResource> get(String id) {
        try (Response response = call(() -> api().get(id))) {
            if (response.getStatus() == 404) {
                return Optional.empty();
            }
            require(response, "read " + id);
            return Optional.of(response.readEntity(AllocatorResource.class));
        }
    }

    private AllocatorApi api() {
        return api.orElseThrow(() -> new IllegalStateException("envgrid.allocator.url is not set"));
    }

    /** The answer whatever its status; a 5xx or no answer at all becomes {@link AllocatorUnavailableException}. */
    private static Response call(Supplier<Response> request) {
        Response response;
        try {
            response = request.get();
        } catch (WebApplicationException e) {
            response = e.getResponse();
        } catch (ProcessingException e) {
            throw new AllocatorUnavailableException("allocator unreachable: " + e.getMessage(), e);
        }
        if (response.getStatus() >= 500) {
            int status = response.getStatus();
            response.close();
            throw new AllocatorUnavailableException("allocator answered " + status, null);
        }
        return response;
    }

    private static boolean known(Response response, String what) {
        try (response) {
            if (response.getStatus() == 404) {
                return false;
            }
            require(response, what);
            return true;
        }
    }

    private static void require(Response response, String what) {
        if (response.getStatus() >= 300) {
            throw new IllegalStateException(what + ": allocator answered " + response.getStatus());
        }
    }
}

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
 * The allocator's inventory API with timeouts, retries and a circuit breaker (declared once on the class: each
 * public method gets its own breaker). Every call made here is idempotent (upsert, heartbeat, drain, undrain,
 * delete, read), so each may be retried; only a missing answer or a 5xx is, never a 4xx, which is the allocator's
 * decision. A 404 is an answer: the allocator does not know the resource. Only built when
 * {@code envgrid.allocator.url} is set ({@link AllocatorSettings#url}); callers check that first.
 */
@ApplicationScoped
@Timeout(value = 5, unit = ChronoUnit.SECONDS)
@Retry(maxRetries = 2, delay = 200, retryOn = AllocatorUnavailableException.class)
@CircuitBreaker(requestVolumeThreshold = 10, failureRatio = 0.8, delay = 5, delayUnit = ChronoUnit.SECONDS,
        failOn = AllocatorUnavailableException.class)
public class AllocatorClient {

    private final Optional<AllocatorApi> api;

    public AllocatorClient(AllocatorSettings settings, AllocatorBearer bearer) {
        this.api = settings.url().map(url -> builder(url, bearer, 5).build(AllocatorApi.class));
    }

    /** A REST client of the allocator at {@code url} with the agent's bearer token, if any. */
    static QuarkusRestClientBuilder builder(java.net.URI url, AllocatorBearer bearer, int readSeconds) {
        QuarkusRestClientBuilder builder = QuarkusRestClientBuilder.newBuilder()
                .baseUri(url)
                .connectTimeout(2, TimeUnit.SECONDS)
                .readTimeout(readSeconds, TimeUnit.SECONDS);
        bearer.token().ifPresent(token -> builder.register(new BearerTokenFilter(token)));
        return builder;
    }

    public void register(ResourceRegistration resource) {
        try (Response response = call(() -> api().register(resource))) {
            require(response, "register " + resource.id());
        }
    }

    /** @return false when the allocator does not know the resource (it forgot it, or it was never registered) */
    public boolean heartbeat(String id) {
        return known(call(() -> api().heartbeat(id)), "heartbeat " + id);
    }

    /** @return false when the allocator does not know the resource */
    public boolean drain(String id) {
        return known(call(() -> api().drain(id)), "drain " + id);
    }

    /** @return false when the allocator does not know the resource */
    public boolean undrain(String id) {
        return known(call(() -> api().undrain(id)), "undrain " + id);
    }

    /** @return the status: 200 deleted, 404 unknown, 409 refused because it is leased */
    public int delete(String id) {
        try (Response response = call(() -> api().delete(id))) {
            return response.getStatus();
        }
    }

    public Optional<AllocatorResource> get(String id) {
        try (Response response = call(() -> api().get(id))) {
            if (response.getStatus() == 404) {
                return Optional.empty();
            }
            require(response, "read " + id);
            return Optional.of(response.readEntity(AllocatorResource.class));
        }
    }

    /** This agent's resources ({@code label agent=<agentId>}) the allocator has in state {@code resetting}. */
    public java.util.List<AllocatorResource> resetting(String agentId) {
        try (Response response = call(() -> api().list("resetting", "agent=" + agentId))) {
            require(response, "list resetting resources");
            return response.readEntity(new jakarta.ws.rs.core.GenericType<java.util.List<AllocatorResource>>() {
            });
        }
    }

    /**
     * Reports the reset of {@code id} after the lease with {@code report}'s fencing token ended.
     *
     * @return the status: 200 applied, 409 not resetting (any more) or resetting after another lease, 404 unknown
     */
    public int reportReset(String id, ResetReport report) {
        try (Response response = call(() -> api().reset(id, report))) {
            return response.getStatus();
        }
    }

    private AllocatorApi api() {
        return api.orElseThrow(() -> new IllegalStateException("envgrid.allocator.url is not set"));
    }

    /** The answer whatever its status; a 5xx or no answer at all becomes {@link AllocatorUnavailableException}. */
    static Response call(Supplier<Response> request) {
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

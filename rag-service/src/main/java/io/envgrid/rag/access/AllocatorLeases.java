package io.envgrid.rag.access;

import com.fasterxml.jackson.databind.JsonNode;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import java.util.function.Supplier;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/** {@link Leases} answered by the allocator over HTTP ({@link LeaseClient}), with this service's token. */
@ApplicationScoped
public class AllocatorLeases implements Leases {

    private final LeaseClient client;
    private final boolean enabled;
    private final String authorization;

    public AllocatorLeases(@RestClient LeaseClient client,
            @ConfigProperty(name = "envgrid.allocator.url") Optional<String> allocatorUrl,
            @ConfigProperty(name = "envgrid.allocator.service-token") Optional<String> serviceToken) {
        this.client = client;
        this.enabled = allocatorUrl.filter(u -> !u.isBlank()).isPresent();
        this.authorization = serviceToken.filter(t -> !t.isBlank()).map(t -> "Bearer " + t).orElse(null);
    }

    @Override
    public boolean enabled() {
        return enabled;
    }

    @Override
    public Verdict verify(String resourceId, String leaseToken) {
        try (Response response = answer(() -> client.verify(authorization, new LeaseClient.VerifyRequest(resourceId, leaseToken)))) {
            // 409 LEASE_NOT_LIVE, 404 unknown resource, 400 a token or id the allocator does not take: no live lease
            return response.getStatus() == 200 ? new Verdict.Live(response.readEntity(VerifiedLease.class)) : new Verdict.NotLive();
        }
    }

    @Override
    public boolean leased(String resourceId) {
        try (Response response = answer(() -> client.resource(authorization, resourceId))) {
            if (response.getStatus() != 200) {
                return false;
            }
            JsonNode lease = response.readEntity(JsonNode.class).path("lease");
            return lease.isObject();
        }
    }

    /** The allocator's answer, or {@link AllocatorUnavailableException} when there is none worth trusting. */
    private Response answer(Supplier<Response> call) {
        if (!enabled) {
            throw new IllegalStateException("no allocator (envgrid.allocator.url) to ask");
        }
        Response response;
        try {
            response = call.get();
        } catch (WebApplicationException e) {
            // an answer with a status (409 not live, 404 unknown), raised by the client's default mapper
            response = e.getResponse();
        } catch (RuntimeException e) {
            // no answer, a timeout, or the circuit breaker open
            throw new AllocatorUnavailableException("allocator unreachable: " + e, e);
        }
        int status = response.getStatus();
        if (status >= 500 || status == 401 || status == 403) {
            response.close();
            throw new AllocatorUnavailableException(status >= 500 ? "allocator answered " + status
                    : "the allocator refused this service's token (envgrid.allocator.service-token): " + status, null);
        }
        return response;
    }
}

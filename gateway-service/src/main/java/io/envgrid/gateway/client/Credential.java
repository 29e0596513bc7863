package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.Optional;

/**
 * What the gateway presents on one outgoing call, chosen by each call site (README, "Calls to other services").
 * The service token ({@code Authorization: Bearer}) says "an envgrid service that checked the worker itself"; it is
 * presented only to a backend the gateway's own settings name ({@code config/Backends}), never to an address taken
 * from a resource record (a registrant chose it) and never on a worker's data-plane call, where it would stand in
 * for a lease the worker does not hold. {@link io.envgrid.gateway.client.Downstream} refuses a service credential
 * for any other address.
 */
public sealed interface Credential {

    /** The service token alone: the allocator, for calls that pass a {@code worker_id} on. */
    record Service() implements Credential {
    }

    /** The service token and the worker's lease token: a configured backend acting on one leased resource (vm-controller). */
    record ServiceAndLease(String leaseToken) implements Credential {
    }

    /** Only the worker's lease token: an endpoint taken from a resource record, or a search of a leased collection. */
    record Lease(String leaseToken) implements Credential {
    }

    /** Nothing: calls anyone may make (health probes, a collection nobody leases). */
    record None() implements Credential {
    }

    static Credential service() {
        return new Service();
    }

    static Credential none() {
        return new None();
    }

    /** The lease token of allocation entry {@code entry} alone; {@link None} when the entry carries no token. */
    static Credential leaseOf(JsonNode entry) {
        return LeaseToken.of(entry).<Credential>map(Lease::new).orElseGet(None::new);
    }

    /** The service token with {@code entry}'s lease token; {@link Service} when the entry carries no token. */
    static Credential serviceAndLeaseOf(JsonNode entry) {
        return LeaseToken.of(entry).<Credential>map(ServiceAndLease::new).orElseGet(Service::new);
    }

    /** Whether this credential shows the service token, and so may go only to a configured backend. */
    default boolean carriesServiceToken() {
        return this instanceof Service || this instanceof ServiceAndLease;
    }

    /**
     * The request headers: {@code Authorization: Bearer <serviceToken>} when this credential carries it and one is
     * configured, {@value LeaseToken#HEADER} when it carries a lease token.
     */
    default Map<String, String> headers(Optional<String> serviceToken) {
        Map<String, String> headers = new java.util.HashMap<>(2);
        if (carriesServiceToken()) {
            serviceToken.ifPresent(t -> headers.put("Authorization", "Bearer " + t));
        }
        if (this instanceof ServiceAndLease both) {
            headers.put(LeaseToken.HEADER, both.leaseToken());
        } else if (this instanceof Lease lease) {
            headers.put(LeaseToken.HEADER, lease.leaseToken());
        }
        return headers;
    }
}

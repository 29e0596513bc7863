package io.envgrid.rag.access;

import io.envgrid.rag.config.RagConfig;
import io.envgrid.rag.error.ApiException;
import io.envgrid.rag.error.ErrorCode;
import io.envgrid.rag.registration.ResourceIds;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Who may read and write a collection (docs/isolation.md, "rag-service"; the README's credentials table). With
 * {@code envgrid.rag.auth=lease}:
 * <ul>
 * <li>the service token may do everything, and is the only credential that writes into a collection nobody leases or
 *     creates one;</li>
 * <li>a collection the allocator has leased ({@code rag:<instance>:<name>}) is read and written only with that lease's
 *     live token, checked with the allocator on every call, its fencing token not lower than one seen before;</li>
 * <li>a collection nobody leases is searched by anyone (shared reference corpora).</li>
 * </ul>
 * Refusals: {@code 401 UNAUTHORIZED}, {@code 409 LEASE_NOT_LIVE}, {@code 409 STALE_FENCING_TOKEN},
 * {@code 503 ALLOCATOR_UNAVAILABLE} (the allocator could not be asked: fail closed). Every check runs before the call
 * changes anything.
 */
@ApplicationScoped
public class CollectionAccess {

    private static final Logger LOG = Logger.getLogger(CollectionAccess.class);
    /** The allocator's lease token format ({@code elt_} and 22 base64url characters); anything else is not one. */
    private static final Pattern LEASE_TOKEN = Pattern.compile("elt_[A-Za-z0-9_-]{22}");

    private final boolean open;
    private final Optional<String> serviceToken;
    private final Leases leases;
    private final FencingTokens fencing;
    private final ResourceIds ids;

    @Inject
    public CollectionAccess(RagConfig config, @ConfigProperty(name = "envgrid.allocator.service-token") Optional<String> serviceToken,
            Leases leases, FencingTokens fencing, ResourceIds ids) {
        this(config.auth(), serviceToken, leases, fencing, ids);
    }

    /** @param serviceToken the service token; blank counts as none */
    public CollectionAccess(RagConfig.Auth auth, Optional<String> serviceToken, Leases leases, FencingTokens fencing, ResourceIds ids) {
        this.open = auth == RagConfig.Auth.OPEN;
        this.serviceToken = serviceToken.filter(t -> !t.isBlank());
        this.leases = leases;
        this.fencing = fencing;
        this.ids = ids;
    }

    void announce(@Observes StartupEvent start) {
        if (open) {
            LOG.warn("*** envgrid.rag.auth=open: ANY caller may read, write and create every collection, leased or not. "
                    + "For local demos only. ***");
            return;
        }
        LOG.infof("collections locked (envgrid.rag.auth=lease): a leased collection takes its live lease token (%s), "
                + "writes to others the service token; %s; %s", Credentials.LEASE_TOKEN_HEADER,
                leases.enabled() ? "lease tokens checked with the allocator on every call" : "no allocator: no leases, lease tokens refused",
                serviceToken.isPresent() ? "service token set" : "NO service token (envgrid.allocator.service-token): "
                        + "nothing can create collections or write into unleased ones");
    }

    /**
     * Reads: search. Open on a collection nobody leases; on a leased one, its live lease token or the service token.
     *
     * @param authorization the {@code Authorization} header, or null
     * @param leaseToken the {@code X-Envgrid-Lease-Token} header, or null
     */
    public void read(String collection, String authorization, String leaseToken) {
        if (open) {
            return;
        }
        String resourceId = ids.of(collection);
        Credentials credentials = Credentials.from(authorization, leaseToken, serviceToken);
        if (credentials instanceof Credentials.LeaseToken lease) {
            requireLive(resourceId, collection, lease.token());
        } else if (credentials instanceof Credentials.Anonymous && leases.enabled() && leased(resourceId, collection)) {
            throw refusal(401, ErrorCode.UNAUTHORIZED, "collection '" + collection + "' is leased: send its lease token in "
                    + Credentials.LEASE_TOKEN_HEADER + ", or the service token", collection, resourceId);
        }
    }

    /**
     * Writes: ingest, replace, delete a document. The service token always; a leased collection's live lease token for
     * that collection; nothing else, and only the service token creates a collection ({@code exists} false).
     */
    public void write(String collection, boolean exists, String authorization, String leaseToken) {
        if (open) {
            return;
        }
        String resourceId = ids.of(collection);
        Credentials credentials = Credentials.from(authorization, leaseToken, serviceToken);
        if (credentials instanceof Credentials.ServiceToken) {
            return;
        }
        if (!exists) {
            throw refusal(401, ErrorCode.UNAUTHORIZED, "collection '" + collection + "' does not exist; only the service "
                    + "token creates collections", collection, resourceId);
        }
        if (credentials instanceof Credentials.LeaseToken lease) {
            requireLive(resourceId, collection, lease.token());
            return;
        }
        throw refusal(401, ErrorCode.UNAUTHORIZED, "writing to collection '" + collection + "' needs its live lease token in "
                + Credentials.LEASE_TOKEN_HEADER + " (while leased) or the service token", collection, resourceId);
    }

    /**
     * What a call's head alone refuses, before its body is read (which, for a search, names the collection) and without
     * asking the allocator: a lease token that is not one in form, a lease token while there is no allocator to check
     * it, and a write with neither the service token nor a lease token. {@link #read} and {@link #write} refuse the
     * same calls the same way (401 {@code UNAUTHORIZED}); what passes here is still checked by them.
     *
     * @param write whether the call writes (ingest, replace, delete a document) rather than searches
     * @throws ApiException 401 {@code UNAUTHORIZED}
     */
    public void checkHead(boolean write, String authorization, String leaseToken) {
        if (open) {
            return;
        }
        Credentials credentials = Credentials.from(authorization, leaseToken, serviceToken);
        if (credentials instanceof Credentials.LeaseToken lease) {
            requireCheckable(lease.token(), Map.of());
        } else if (write && credentials instanceof Credentials.Anonymous) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED, "writing to a collection needs its live lease token in "
                    + Credentials.LEASE_TOKEN_HEADER + " (while leased) or the service token", Map.of());
        }
    }

    /** A lease token that could be live: in form, with an allocator to ask. @throws ApiException 401 otherwise */
    private void requireCheckable(String token, Map<String, Object> details) {
        if (!LEASE_TOKEN.matcher(token).matches()) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED, Credentials.LEASE_TOKEN_HEADER + " is not a lease token "
                    + "(elt_ and 22 base64url characters)", details);
        }
        if (!leases.enabled()) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED, "lease tokens cannot be checked: this service has no "
                    + "allocator (envgrid.allocator.url); only the service token is accepted", details);
        }
    }

    private void requireLive(String resourceId, String collection, String token) {
        requireCheckable(token, details(collection, resourceId));
        Leases.Verdict verdict;
        try {
            verdict = leases.verify(resourceId, token);
        } catch (RuntimeException e) {
            throw unavailable(collection, resourceId, e);
        }
        if (!(verdict instanceof Leases.Verdict.Live live)) {
            throw refusal(409, ErrorCode.LEASE_NOT_LIVE, "that lease token is not the live lease of collection '" + collection
                    + "'", collection, resourceId);
        }
        long fence = live.lease().fencingToken();
        if (!fencing.admit(resourceId, fence)) {
            Map<String, Object> details = details(collection, resourceId);
            details.put("fencing_token", fence);
            details.put("highest_seen", fencing.highest(resourceId));
            throw new ApiException(409, ErrorCode.STALE_FENCING_TOKEN, "the lease of collection '" + collection
                    + "' has fencing token " + fence + ", lower than one already seen for it", details);
        }
    }

    private boolean leased(String resourceId, String collection) {
        try {
            return leases.leased(resourceId);
        } catch (RuntimeException e) {
            throw unavailable(collection, resourceId, e);
        }
    }

    private static ApiException unavailable(String collection, String resourceId, RuntimeException cause) {
        LOG.warnf("cannot check the lease of %s with the allocator: %s", resourceId, cause.toString());
        return refusal(503, ErrorCode.ALLOCATOR_UNAVAILABLE, "cannot check with the allocator who holds collection '" + collection
                + "'; try again", collection, resourceId);
    }

    private static ApiException refusal(int status, String code, String message, String collection, String resourceId) {
        return new ApiException(status, code, message, details(collection, resourceId));
    }

    private static Map<String, Object> details(String collection, String resourceId) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("collection", collection);
        details.put("resource_id", resourceId);
        return details;
    }
}

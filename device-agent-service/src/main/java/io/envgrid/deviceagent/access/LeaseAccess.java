package io.envgrid.deviceagent.access;

import io.envgrid.deviceagent.allocatorclient.AllocatorClient;
import io.envgrid.deviceagent.allocatorclient.AllocatorResource;
import io.envgrid.deviceagent.allocatorclient.LeaseVerdict;
import io.envgrid.deviceagent.allocatorclient.LeaseVerifier;
import io.envgrid.deviceagent.allocatorclient.VerifiedLease;
import io.envgrid.deviceagent.error.ApiException;
import io.envgrid.deviceagent.error.ErrorCode;
import io.vertx.core.Future;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Who may act on one of this agent's resources (docs/isolation.md, "Device agent"): the holder of its live lease,
 * proved by the lease token and checked with the allocator on every call (never cached, so a lease that ended is
 * refused on the very next call), with a fencing token not lower than one already seen; or a caller with the
 * agent's service token. Refusals are {@link ApiException}s with the envelope codes of docs/isolation.md:
 * {@code 401 UNAUTHORIZED} (no credential, or a lease token that is not one), {@code 409 LEASE_NOT_LIVE},
 * {@code 409 STALE_FENCING_TOKEN}, {@code 503 ALLOCATOR_UNAVAILABLE} (the check could not be made: fail closed).
 */
@ApplicationScoped
public class LeaseAccess {

    private static final Logger LOG = Logger.getLogger(LeaseAccess.class);
    /** The allocator's lease token format: {@code elt_} and 22 base64url characters (128 random bits). */
    private static final Pattern LEASE_TOKEN = Pattern.compile("elt_[A-Za-z0-9_-]{22}");

    /** How a call was let through: as a service, as the verified lease holder, or on a device nobody leases. */
    public sealed interface Grant {
        record AsService() implements Grant {
        }

        record AsLeaseHolder(VerifiedLease lease) implements Grant {
        }

        record NotLeased() implements Grant {
        }
    }

    private final AllocatorClient allocator;
    private final LeaseVerifier verifier;
    private final FencingTokens fencing;

    /** Whether {@code token} (null allowed) has the allocator's lease token form; says nothing of whether it is live. */
    public static boolean isLeaseToken(String token) {
        return token != null && LEASE_TOKEN.matcher(token).matches();
    }

    public LeaseAccess(AllocatorClient allocator, LeaseVerifier verifier, FencingTokens fencing) {
        this.allocator = allocator;
        this.verifier = verifier;
        this.fencing = fencing;
    }

    /**
     * A call that always needs a credential (the desktop): the service token, or the live lease token of
     * {@code resourceId}.
     */
    public Grant requireLease(String resourceId, Credentials credentials) {
        if (credentials instanceof Credentials.ServiceToken) {
            return new Grant.AsService();
        }
        if (credentials instanceof Credentials.LeaseToken lease) {
            return verified(resourceId, lease.token());
        }
        throw noCredential(resourceId);
    }

    /**
     * {@link #requireLease} with the allocator asked through {@code ask} (a non-blocking client's
     * {@code POST /leases/verify}, {@code (resourceId, leaseToken) -> verdict}) instead of the blocking
     * {@link LeaseVerifier}: the same checks, grants and refusals, the refusal as the failed future's cause.
     */
    public Future<Grant> requireLease(String resourceId, Credentials credentials,
            BiFunction<String, String, Future<LeaseVerdict>> ask) {
        if (credentials instanceof Credentials.ServiceToken) {
            return Future.succeededFuture(new Grant.AsService());
        }
        if (!(credentials instanceof Credentials.LeaseToken lease)) {
            return Future.failedFuture(noCredential(resourceId));
        }
        try {
            checkable(resourceId, lease.token());
        } catch (ApiException refused) {
            return Future.failedFuture(refused);
        }
        return ask.apply(resourceId, lease.token()).transform(asked -> {
            if (asked.failed()) {
                return Future.failedFuture(unavailable(resourceId, asked.cause()));
            }
            try {
                return Future.succeededFuture(judged(resourceId, asked.result()));
            } catch (ApiException refused) {
                return Future.failedFuture(refused);
            }
        });
    }

    /**
     * What {@link #requireLease} decides without asking the allocator: a credential is there, and a lease token is
     * one and could be checked. Lets a caller refuse early (before reading a request's body) what can never pass.
     */
    public void requireWellFormed(String resourceId, Credentials credentials) {
        if (credentials instanceof Credentials.ServiceToken) {
            return;
        }
        if (credentials instanceof Credentials.LeaseToken lease) {
            checkable(resourceId, lease.token());
            return;
        }
        throw noCredential(resourceId);
    }

    /**
     * A device tool that acts on the device whose allocator resource is {@code resourceId}: while the allocator
     * has it leased, only its lease holder (or the service token) may act; a device nobody leases is open, as
     * the device tools' contract has it. A lease token sent for an unleased device is still checked, and refused when not live.
     */
    public Grant requireForDevice(String resourceId, Credentials credentials) {
        if (!verifier.enabled()) {
            // no allocator, no leases: the device tools are open
            return credentials instanceof Credentials.ServiceToken ? new Grant.AsService() : new Grant.NotLeased();
        }
        if (credentials instanceof Credentials.ServiceToken) {
            return new Grant.AsService();
        }
        if (credentials instanceof Credentials.LeaseToken lease) {
            return verified(resourceId, lease.token());
        }
        Optional<AllocatorResource> resource = lookup(resourceId);
        if (resource.isPresent() && resource.get().lease() != null) {
            throw unauthorized(resourceId, "'" + resourceId + "' is leased: send its lease token in "
                    + Credentials.LEASE_TOKEN_HEADER + ", or the service token");
        }
        return new Grant.NotLeased();
    }

    /** A lease token of the allocator's format, and an allocator to check it with; else 401. */
    private void checkable(String resourceId, String token) {
        if (!isLeaseToken(token)) {
            throw unauthorized(resourceId, Credentials.LEASE_TOKEN_HEADER + " is not a lease token (elt_ and 22 "
                    + "base64url characters)");
        }
        if (!verifier.enabled()) {
            throw unauthorized(resourceId, "lease tokens cannot be checked: this agent has no allocator "
                    + "(envgrid.allocator.url); only the service token is accepted");
        }
    }

    private Grant verified(String resourceId, String token) {
        checkable(resourceId, token);
        LeaseVerdict verdict;
        try {
            verdict = verifier.verify(resourceId, token);
        } catch (RuntimeException e) {
            throw unavailable(resourceId, e);
        }
        return judged(resourceId, verdict);
    }

    /** The grant of a lease token the allocator judged {@code verdict}: the holder's, or the refusal. */
    private Grant judged(String resourceId, LeaseVerdict verdict) {
        if (!(verdict instanceof LeaseVerdict.Live live)) {
            // NotLive or UnknownResource: either way there is no live lease behind this token
            throw notLive(resourceId);
        }
        long seen = fencing.observe(resourceId, live.lease().fencingToken());
        if (seen >= 0) {
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("resource_id", resourceId);
            details.put("fencing_token", live.lease().fencingToken());
            details.put("highest_seen", seen);
            throw new ApiException(409, ErrorCode.STALE_FENCING_TOKEN, "the lease of '" + resourceId
                    + "' has fencing token " + live.lease().fencingToken() + ", lower than " + seen
                    + " already seen for it", details);
        }
        return new Grant.AsLeaseHolder(live.lease());
    }

    private Optional<AllocatorResource> lookup(String resourceId) {
        try {
            return allocator.get(resourceId);
        } catch (RuntimeException e) {
            throw unavailable(resourceId, e);
        }
    }

    /** 401 for a call that brought neither credential a desktop or leased device accepts. */
    private static ApiException noCredential(String resourceId) {
        return unauthorized(resourceId, "send the live lease token of '" + resourceId + "' in "
                + Credentials.LEASE_TOKEN_HEADER + ", or the service token");
    }

    private static ApiException unauthorized(String resourceId, String message) {
        return new ApiException(401, ErrorCode.UNAUTHORIZED, message, Map.of("resource_id", resourceId));
    }

    private static ApiException notLive(String resourceId) {
        return new ApiException(409, ErrorCode.LEASE_NOT_LIVE,
                "that lease token is not the live lease of '" + resourceId + "'", Map.of("resource_id", resourceId));
    }

    private static ApiException unavailable(String resourceId, Throwable cause) {
        LOG.warnf("cannot check the lease of %s with the allocator: %s", resourceId, cause.toString());
        return new ApiException(503, ErrorCode.ALLOCATOR_UNAVAILABLE,
                "cannot check the lease of '" + resourceId + "' with the allocator; try again",
                Map.of("resource_id", resourceId));
    }
}

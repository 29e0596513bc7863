package io.envgrid.vmcontroller.session;

import io.envgrid.vmcontroller.api.AllocationEntry;
import io.envgrid.vmcontroller.api.CreateSessionRequest;
import io.envgrid.vmcontroller.api.Ids;
import io.envgrid.vmcontroller.config.VmControllerConfig;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.envgrid.vmcontroller.metrics.VmCallMetrics;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Opens, checks and ends controller sessions, and decides whether a request may reach a session's
 * VM. Nothing the caller says is believed but the ids and the lease token: who holds the resource,
 * with which lease and fencing token, and where the VM is, come from the allocator's lease record
 * in Redis, read again on every call (docs/isolation.md, "vm-controller").
 */
@ApplicationScoped
public class SessionService {

    /** The header every session call carries: the lease token of the allocation entry. */
    public static final String LEASE_TOKEN_HEADER = "X-Envgrid-Lease-Token";

    private static final Logger LOG = Logger.getLogger(SessionService.class);
    /** Lease tokens are {@code elt_} + 22 characters; anything much longer cannot be one. */
    private static final int MAX_TOKEN_LENGTH = 128;

    private final SessionStore store;
    private final VmControllerConfig config;
    private final VmCallMetrics metrics;

    public SessionService(SessionStore store, VmControllerConfig config, VmCallMetrics metrics) {
        this.store = store;
        this.config = config;
        this.metrics = metrics;
    }

    void warnIfUnchecked(@Observes StartupEvent ignored) {
        if (!config.leaseCheck()) {
            LOG.warn("envgrid.vm-controller.lease-check=false: session calls are NOT checked against the allocator's "
                    + "lease record. This setting exists for the benchmark only; never run a deployment with it.");
        }
    }

    /** A session just opened, or the already open session of the same lease ({@code created} false). */
    public record Opened(boolean created, ControllerSession session) {
    }

    /**
     * Opens the session for an allocation entry: 400 {@code INVALID_ID} for a bad id, 401
     * {@code UNAUTHORIZED} without a lease token, 409 {@code LEASE_NOT_LIVE} when the token is not
     * the resource's live lease's (whoever holds it), 403 {@code NOT_LEASE_HOLDER} when the token is
     * the live lease's but that lease is another worker's,
     * 409 {@code STALE_FENCING_TOKEN} / {@code SESSION_ENDED} as the store finds; nothing is stored
     * on a refusal. With {@code redis.wait-replicas} on, 503 {@code REPLICATION_TIMEOUT} when too few replicas
     * confirmed the session in time: the master kept it, and the same request again answers it (200).
     */
    public Opened open(CreateSessionRequest request) {
        if (request == null) {
            throw ApiException.badRequest("a body {worker_id, resource} is required");
        }
        String workerId = Ids.require("worker_id", request.workerId());
        AllocationEntry entry = request.resource();
        if (entry == null) {
            throw ApiException.badRequest("resource (an entry of the allocation result) is required");
        }
        String resourceId = Ids.require("resource.id", entry.id());
        String leaseToken = token(entry.leaseToken(), "resource.lease_token");
        SessionStore.Opening opening = await(store.open(workerId, resourceId, leaseToken));
        Map<String, Object> ids = Map.of("worker_id", workerId, "resource_id", resourceId);
        if (opening instanceof SessionStore.Opening.Created c) {
            return new Opened(true, c.session());
        }
        if (opening instanceof SessionStore.Opening.Exists e) {
            return new Opened(false, e.session());
        }
        if (opening instanceof SessionStore.Opening.NotHolder) {
            throw notHolder(workerId, resourceId, ids);
        }
        if (opening instanceof SessionStore.Opening.Stale s) {
            throw new ApiException(409, ErrorCode.STALE_FENCING_TOKEN,
                    "a newer lease of resource '" + resourceId + "' was seen (fencing token " + s.highestFencingToken()
                            + ")", Map.of("worker_id", workerId, "resource_id", resourceId,
                            "current_fencing_token", s.highestFencingToken()));
        }
        if (opening instanceof SessionStore.Opening.Ended) {
            throw new ApiException(409, ErrorCode.SESSION_ENDED,
                    "the session of this lease was closed; allocate the resource again", ids);
        }
        if (opening instanceof SessionStore.Opening.NoEndpoint) {
            throw new ApiException(400, ErrorCode.INVALID_PARAMETERS,
                    "resource '" + resourceId + "' is not a VM: its registered endpoint has no ip and port", ids);
        }
        throw notLive(resourceId, ids);
    }

    /**
     * The session a request acts through, if it may reach the VM: the session is active, its lease
     * is the resource's live lease, {@code leaseToken} is that lease's token, no newer fencing token
     * was seen for the resource, and {@code fencingToken}, when given, is the session's. Anything
     * else is a 4xx and the VM is never called; a session whose lease is over is ended on the spot.
     */
    public ControllerSession authorize(String workerId, String resourceId, String leaseToken,
            Optional<Long> fencingToken) {
        Ids.require("worker_id", workerId);
        Ids.require("resource_id", resourceId);
        String token = token(leaseToken, "header " + LEASE_TOKEN_HEADER);
        SessionStore.Check check = await(store.check(workerId, resourceId, token));
        if (!(check instanceof SessionStore.Check.Ok ok)) {
            throw refusal(check, workerId, resourceId);
        }
        ControllerSession session = ok.session();
        if (fencingToken.isPresent() && fencingToken.get() != session.fencingToken()) {
            throw new ApiException(409, ErrorCode.STALE_FENCING_TOKEN,
                    "fencing token " + fencingToken.get() + " is not the session's lease",
                    Map.of("worker_id", workerId, "resource_id", resourceId, "fencing_token", fencingToken.get(),
                            "current_fencing_token", session.fencingToken()));
        }
        return session;
    }

    /**
     * The answer to a refused call. A caller without a credential for the session ({@code Refused}, or
     * {@code NotLive} when its call ended a session whose lease was over) gets the one answer
     * {@link #notLive}, which depends only on what it sent; the other answers go only to a caller that
     * presented the resource's live lease token or the session's own (check_session.lua).
     */
    private ApiException refusal(SessionStore.Check check, String workerId, String resourceId) {
        Map<String, Object> ids = Map.of("worker_id", workerId, "resource_id", resourceId);
        if (check instanceof SessionStore.Check.Absent) {
            return new ApiException(404, ErrorCode.SESSION_NOT_FOUND,
                    "no session of worker '" + workerId + "' on resource '" + resourceId + "'", ids);
        }
        if (check instanceof SessionStore.Check.Ended e) {
            return ended(e.reason(), ids);
        }
        if (check instanceof SessionStore.Check.NotHolder) {
            metrics.sessionEnded("lease_not_live");
            return notHolder(workerId, resourceId, ids);
        }
        if (check instanceof SessionStore.Check.Stale s) {
            metrics.sessionEnded("stale_fencing_token");
            return new ApiException(409, ErrorCode.STALE_FENCING_TOKEN,
                    "a newer lease of resource '" + resourceId + "' was seen (fencing token "
                            + s.highestFencingToken() + ")",
                    Map.of("worker_id", workerId, "resource_id", resourceId,
                            "current_fencing_token", s.highestFencingToken()));
        }
        if (check instanceof SessionStore.Check.NotLive) {
            metrics.sessionEnded("lease_not_live");
        }
        return notLive(resourceId, ids);
    }

    /**
     * Records, after an action of an authorized {@code session}, whether it was {@code FAIL}: only a change is written
     * (a FAIL, or the first other action after one), so ordinary actions cost no Redis call.
     */
    public void recordAction(ControllerSession session, boolean fail) {
        if (fail != session.gaveUp()) {
            await(store.lastAction(session.workerId(), session.resourceId(), fail));
        }
    }

    /** Ends the session on request of its lease holder (checked as for any call); the ended session is returned. */
    public ControllerSession end(String workerId, String resourceId, String leaseToken) {
        ControllerSession session = authorize(workerId, resourceId, leaseToken, Optional.empty());
        if (await(store.end(workerId, resourceId, session.leaseId(), "deleted")) == SessionStore.EndOutcome.ended) {
            metrics.sessionEnded("deleted");
        }
        return session.ended(Instant.now().toString(), "deleted");
    }

    /**
     * {@code value} when it may be a lease token at all: present, not blank, at most 128 characters. Decided without
     * I/O, so it is also checked on a session call's head ({@code api/SessionCallHead}), before its body is read.
     *
     * @param where what carried it, for the message ({@code header X-Envgrid-Lease-Token})
     * @throws ApiException 401 {@code UNAUTHORIZED} otherwise
     */
    public static String token(String value, String where) {
        if (value == null || value.isBlank()) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED,
                    "a lease token is required (" + where + "): the lease_token of the allocation entry", Map.of());
        }
        if (value.length() > MAX_TOKEN_LENGTH) {
            throw new ApiException(401, ErrorCode.UNAUTHORIZED, "the lease token (" + where + ") is not valid", Map.of());
        }
        return value;
    }

    /**
     * The one refusal for a token that is not the live lease's: it names only what the caller sent, never
     * whether the resource is leased, by whom, or whether a session exists (docs/isolation.md).
     */
    private static ApiException notLive(String resourceId, Map<String, Object> ids) {
        return new ApiException(409, ErrorCode.LEASE_NOT_LIVE,
                "the lease token is not the live lease of resource '" + resourceId
                        + "' (ended, expired, revoked, re-granted, never granted, or another lease's token)", ids);
    }

    private static ApiException notHolder(String workerId, String resourceId, Map<String, Object> ids) {
        return new ApiException(403, ErrorCode.NOT_LEASE_HOLDER,
                "the live lease of resource '" + resourceId + "' is not worker '" + workerId + "''s", ids);
    }

    /** A call on an ended session: why it ended decides the code, so the answer does not depend on who ended it first. */
    private static ApiException ended(String reason, Map<String, Object> ids) {
        Map<String, Object> details = Map.of("worker_id", ids.get("worker_id"), "resource_id", ids.get("resource_id"),
                "reason", reason);
        return switch (reason) {
            case "deleted" -> new ApiException(409, ErrorCode.SESSION_ENDED, "the session was closed", details);
            case "stale_fencing_token" -> new ApiException(409, ErrorCode.STALE_FENCING_TOKEN,
                    "the session ended: a newer lease of the resource was seen", details);
            default -> new ApiException(409, ErrorCode.LEASE_NOT_LIVE,
                    "the session ended with its lease (" + reason + ")", details);
        };
    }

    private <T> T await(Uni<T> uni) {
        try {
            return uni.await().atMost(config.redisTimeout());
        } catch (ApiException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new ApiException(503, ErrorCode.REDIS_UNAVAILABLE, "session store unavailable: " + e.getMessage(),
                    Map.of());
        }
    }
}

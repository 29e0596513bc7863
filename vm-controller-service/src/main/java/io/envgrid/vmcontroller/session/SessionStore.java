package io.envgrid.vmcontroller.session;

import io.envgrid.redisscripts.LuaScript;
import io.envgrid.vmcontroller.config.VmControllerConfig;
import io.envgrid.vmcontroller.redis.RedisKeys;
import io.envgrid.vmcontroller.redis.ReplicaAcknowledgement;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Controller sessions in Redis, one hash per (worker, resource), so every replica serves every
 * worker. Opening, checking and ending are Lua scripts that read the allocator's lease record
 * (the source of truth for who holds a resource) and decide and write in one atomic step.
 */
@ApplicationScoped
public class SessionStore {

    /** What opening a session found. */
    public sealed interface Opening {
        /** A new session for this lease. */
        record Created(ControllerSession session) implements Opening {
        }

        /** The session of this very lease was already open. */
        record Exists(ControllerSession session) implements Opening {
        }

        /** No live lease, or the presented token is not the live lease's. */
        record NotLive() implements Opening {
        }

        /** The live lease is another worker's. */
        record NotHolder() implements Opening {
        }

        /** The live lease's fencing token is lower than one already seen for the resource. */
        record Stale(long highestFencingToken) implements Opening {
        }

        /** This lease's session was closed; a lease's session is not reopened. */
        record Ended() implements Opening {
        }

        /** The resource's endpoint has no VM address (ip and port, or an http base_url). */
        record NoEndpoint() implements Opening {
        }
    }

    /** What the check before a VM call found; only {@link Ok} lets the call through. */
    public sealed interface Check {
        record Ok(ControllerSession session) implements Check {
        }

        record Absent() implements Check {
        }

        /** The session had ended before this call, for {@code reason}. */
        record Ended(String reason) implements Check {
        }

        /** The session's lease is over; the session was ended by this check. */
        record NotLive() implements Check {
        }

        /** The caller's token is the live lease's, but that lease is another worker's than the session's. */
        record NotHolder() implements Check {
        }

        /**
         * The presented token is no credential for this session (neither the resource's live lease token
         * nor the token of the session's own lease); nothing changed, and the caller is told nothing more.
         */
        record Refused() implements Check {
        }

        /** A newer fencing token was seen for the resource; the session was ended by this check. */
        record Stale(long highestFencingToken) implements Check {
        }
    }

    /** What ending a session found. */
    public enum EndOutcome {
        ended, already_ended, other_lease, absent
    }

    private static final LuaScript OPEN = script("open_session.lua");
    private static final LuaScript CHECK = script("check_session.lua");
    private static final LuaScript END = script("end_session.lua");
    private static final LuaScript LAST_ACTION = script("last_action.lua");

    private final ReactiveRedisDataSource redis;
    private final VmControllerConfig config;
    private final RedisKeys keys;
    private final ReplicaAcknowledgement replicas;
    private final String checkLease;

    public SessionStore(ReactiveRedisDataSource redis, VmControllerConfig config, RedisKeys keys,
            ReplicaAcknowledgement replicas) {
        this.redis = redis;
        this.config = config;
        this.keys = keys;
        this.replicas = replicas;
        this.checkLease = config.leaseCheck() ? "1" : "0";
    }

    /**
     * Opens the session of {@code workerId} on {@code resourceId} if {@code leaseToken} is the worker's live lease's.
     * With {@code redis.wait-replicas} on, a {@code Created} or {@code Exists} opening is produced only once the
     * replicas hold the session; otherwise the Uni fails with 503 {@code REPLICATION_TIMEOUT}
     * ({@link ReplicaAcknowledgement}). {@code Exists} waits too because it is how a retry after that 503 is answered:
     * its 200 must promise what the 201 would have. Refusals store nothing a caller relies on and do not wait.
     */
    public Uni<Opening> open(String workerId, String resourceId, String leaseToken) {
        return replicas.run(OPEN,
                List.of(keys.leaseRecord(resourceId), keys.session(workerId, resourceId), keys.highestFence()),
                List.of(workerId, resourceId, leaseToken, Long.toString(config.sessionTtl().toMillis()),
                        Instant.now().toString(), replicas.enabled() ? "1" : "0"),
                SessionStore::confirmsSession)
                .map(SessionStore::opening);
    }

    /** The check of one call (one round trip): the session, its lease in the allocator's record, the token, the fence. */
    public Uni<Check> check(String workerId, String resourceId, String leaseToken) {
        return CHECK.run(redis,
                List.of(keys.session(workerId, resourceId), keys.leaseRecord(resourceId), keys.highestFence()),
                List.of(leaseToken, resourceId, Instant.now().toString(),
                        Long.toString(config.endedRetention().toMillis()), checkLease, workerId))
                .map(SessionStore::check);
    }

    /**
     * Ends the session; with a lease id, only if the session still belongs to that lease. It does not wait for
     * replicas (README, "Redis failover"): an end lost in a failover gives the session back only to the holder of
     * that same lease, and every call on it is still checked against the allocator's lease record.
     */
    public Uni<EndOutcome> end(String workerId, String resourceId, String leaseId, String reason) {
        return END.run(redis, List.of(keys.session(workerId, resourceId)),
                        List.of(leaseId == null ? "" : leaseId, reason, Instant.now().toString(),
                                Long.toString(config.endedRetention().toMillis())))
                .map(Response::toString)
                .map(EndOutcome::valueOf);
    }

    /** Records whether the session's last action was {@code FAIL}; nothing when the session is not active. */
    public Uni<Void> lastAction(String workerId, String resourceId, boolean fail) {
        return LAST_ACTION.run(redis, List.of(keys.session(workerId, resourceId)), List.of(fail ? "1" : "0"))
                .replaceWithVoid();
    }

    /** {@code lua/<name>} with the prelude {@code lua/lib.lua} before it; a missing one fails the service's start. */
    private static LuaScript script(String name) {
        return LuaScript.fromResources(SessionStore.class, "lua/lib.lua", "lua/" + name);
    }

    /** Whether an answer of open_session.lua hands the caller a session (the answers that wait for replicas). */
    private static boolean confirmsSession(Response r) {
        String outcome = r.get(0).toString();
        return outcome.equals("created") || outcome.equals("exists");
    }

    private static Opening opening(Response r) {
        String outcome = r.get(0).toString();
        return switch (outcome) {
            case "created" -> new Opening.Created(session(r));
            case "exists" -> new Opening.Exists(session(r));
            case "not_live" -> new Opening.NotLive();
            case "not_holder" -> new Opening.NotHolder();
            case "stale" -> new Opening.Stale(r.get(1).toLong());
            case "ended" -> new Opening.Ended();
            case "no_endpoint" -> new Opening.NoEndpoint();
            default -> throw new IllegalStateException("unexpected answer of open_session.lua: " + outcome);
        };
    }

    private static Check check(Response r) {
        String outcome = r.get(0).toString();
        return switch (outcome) {
            case "ok" -> new Check.Ok(session(r));
            case "absent" -> new Check.Absent();
            case "ended" -> new Check.Ended(r.get(1).toString());
            case "not_live" -> new Check.NotLive();
            case "not_holder" -> new Check.NotHolder();
            case "refused" -> new Check.Refused();
            case "stale" -> new Check.Stale(r.get(1).toLong());
            default -> throw new IllegalStateException("unexpected answer of check_session.lua: " + outcome);
        };
    }

    /** The session hash the scripts return after their verdict, as field, value, ... */
    private static ControllerSession session(Response r) {
        Map<String, String> hash = new HashMap<>();
        for (int i = 1; i + 1 < r.size(); i += 2) {
            hash.put(r.get(i).toString(), r.get(i + 1).toString());
        }
        return ControllerSession.fromHash(hash);
    }
}

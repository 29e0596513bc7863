package io.envgrid.allocator.lease;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.api.AllocateRequest;
import io.envgrid.allocator.cell.Cell;
import io.envgrid.allocator.cell.Cells;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.metrics.AllocatorMetrics;
import io.envgrid.allocator.metrics.AllocatorMetrics.Outcome;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ReplicaWait;
import io.envgrid.allocator.redis.ScriptRunner;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.jboss.logging.Logger;

/**
 * Atomic batch allocation. One run of {@code allocate.lua} decides a request. A request with
 * {@code wait_ms} that cannot be granted at once leaves a ticket in the Redis queues (earlier
 * tickets on any replica go first) and parks in the {@link WaitRoom} without touching Redis again:
 * the script that frees what it needs grants it and publishes the answer to this replica. The wait
 * ends there, or at its deadline, or when its client goes away ({@code cancel_wait.lua} then
 * withdraws the ticket, or hands over a grant that raced the end). Leases granted to a client that
 * went away before they could be delivered are released at once by {@code abandon.lua} (audited as
 * kind {@code abandon}). Both cleanups, and the withdrawal of a ticket whose queueing answer was lost, go
 * on in the background while Redis is unavailable ({@link PersistentCleanups}): a client told 503 must not
 * be left holding leases nobody will use. A request is decided in the one cell that serves all of its
 * types ({@link Cells}).
 */
@ApplicationScoped
public class AllocationService {

    private static final Logger LOG = Logger.getLogger(AllocationService.class);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };

    private final ScriptRunner scripts;
    private final WaitRoom room;
    private final Replica replica;
    private final ReactiveRedisDataSource redis;
    private final ReplicaWait replicaWait;
    private final Cells cells;
    private final AllocatorMetrics metrics;
    private final AllocatorConfig config;
    private final ObjectMapper json;
    private final PersistentCleanups cleanups;

    public AllocationService(ScriptRunner scripts, WaitRoom room, Replica replica, ReactiveRedisDataSource redis,
            Cells cells, AllocatorMetrics metrics, AllocatorConfig config, ObjectMapper json, ReplicaWait replicaWait,
            PersistentCleanups cleanups) {
        this.scripts = scripts;
        this.cleanups = cleanups;
        this.replicaWait = replicaWait;
        this.room = room;
        this.replica = replica;
        this.redis = redis;
        this.cells = cells;
        this.metrics = metrics;
        this.config = config;
        this.json = json;
    }

    /**
     * Decides one allocation request for a client that may go away ({@code client}): the answer,
     * or an {@link ApiException} (400 unknown type or types of several cells, 409 insufficient / request_id conflict or
     * settled, 503 Redis unavailable), or {@link ClientGoneException} when the client went away
     * first (its ticket withdrawn, anything granted to it released as abandoned).
     */
    public Uni<Allocation> allocate(AllocateRequest request, ClientLink client) {
        long start = System.nanoTime();
        long waitMs = request.waitMillis();
        Cell cell;
        try {
            cell = cells.forTypes(request.resourceTypes());
        } catch (ApiException crossCell) {
            metrics.allocation(Outcome.REJECTED, start);
            return Uni.createFrom().failure(crossCell);
        }
        client.onAbandoned(leases -> abandon(cell, leases));
        Uni<JsonNode> decided;
        if (waitMs == 0) {
            decided = attempt(cell, request, "", 0);
        } else {
            metrics.waitStarted();
            decided = waitFor(cell, request, System.currentTimeMillis() + waitMs, client).eventually(metrics::waitEnded);
        }
        return decided.map(answer -> {
                    Allocation allocation = toAllocation(request, answer, waitMs);
                    // A replay is a handing of the same leases too (allocate.lua counts them): one whose client
                    // is gone gives its handing back like a fresh grant, and abandon.lua ends the leases only
                    // when no call that was handed them is left.
                    if (!client.granted(undelivered(request, answer))) {
                        throw new ClientGoneException();
                    }
                    return allocation;
                })
                .onItem().invoke(a -> metrics.allocation(a.replayed() ? Outcome.REPLAYED : Outcome.GRANTED, start))
                .onFailure().invoke(e -> metrics.allocation(outcomeOf(e), start));
    }

    /**
     * The leases of a {@code granted} or {@code replayed} answer ({@code {status, worker_id, grants:[{lease_id}…]}} of
     * allocate.lua or cancel_wait.lua), as what to release should its client not get them.
     */
    private static ClientLink.Abandoned undelivered(AllocateRequest request, JsonNode answer) {
        List<String> leaseIds = new ArrayList<>();
        for (JsonNode grant : answer.path("grants")) {
            leaseIds.add(grant.path("lease_id").asText());
        }
        return new ClientLink.Abandoned(request.workerId(), request.requestId() == null ? "" : request.requestId(),
                leaseIds);
    }

    /**
     * Releases an undelivered grant as its holder, in the background: asked again while Redis is unavailable, until
     * Redis answers ({@link PersistentCleanups}). Not until the grant's expiry: the worker's renewals through a replica
     * that reaches Redis (a {@code /renew} without ids extends every lease it holds, these too) can keep the leases
     * alive past it, and nothing else would ever release them. abandon.lua judges what is left (a lease that expired
     * meanwhile is reclaimed as an expiry, one already ended or granted again is left alone). The abandon gets an
     * identity here, once, that every run of it carries: a run whose answer was lost (the connection cut after the
     * script ran) is asked again, and abandon.lua lets one identity give back one handing only, so the repeat cannot
     * end leases a replay handed meanwhile to a client that holds them. Never fails.
     */
    private void abandon(Cell cell, ClientLink.Abandoned leases) {
        List<String> args = new ArrayList<>(List.of(UUID.randomUUID().toString(), leases.workerId(), leases.requestId()));
        args.addAll(leases.leaseIds());
        cleanups.run(new PersistentCleanups.Cleanup<>("abandon",
                "leases " + leases.leaseIds() + " of worker " + leases.workerId(),
                () -> scripts.run(cell.keys(), AllocatorScript.ABANDON, args),
                ended -> LOG.infof("client of worker %s went away before its answer: released %s leases %s",
                        leases.workerId(), ended, leases.leaseIds())));
    }

    /**
     * Whether an allocate.lua call that failed with a 503 may have queued its ticket all the same. Only a call that
     * reached Redis and lost its answer can have: without this check, every waiter's retry during a long outage (Redis
     * down, refusing writes) would leave a withdrawal retrying in the background until Redis answers.
     */
    private static boolean mayHaveQueued(Throwable failure) {
        return failure instanceof ApiException api && api.status() == 503 && ScriptRunner.mayHaveRun(failure);
    }

    /**
     * Goes on withdrawing, in the background, a ticket whose withdrawal (or whose queueing answer) was lost to a Redis
     * outage or a replica {@code WAIT} that fell short ({@code failure}), which its waiter was told as a 503: until Redis
     * answers. Not until the ticket's purge (the end of its wait plus lib.lua's {@code TICKET_GRACE_MS}):
     * nothing moves that (only enqueue writes a ticket's deadline), but a ticket served before its wait ended became
     * leases that the worker's renewals can keep alive, and only this withdrawal (answered {@code granted}) would
     * hand them back. Should the ticket have been served meanwhile ({@code granted}) for a request without a
     * {@code request_id}, that grant went to a client that can never get it, and is released as abandoned. With a
     * {@code request_id} it is left alone, as a waiter's grant whose replica {@code WAIT} failed: the client's retry
     * may already have been handed it as a replay (a sibling ticket with the same id is answered from it, and so is a
     * retry sent while the withdrawal was still refused), and otherwise its retry or {@code /release/request} settles it.
     */
    private void withdrawLater(Throwable failure, Cell cell, AllocateRequest request, String ticket) {
        PersistentCleanups.Cleanup<JsonNode> withdrawal = new PersistentCleanups.Cleanup<>("withdraw",
                "ticket " + ticket + " of worker " + request.workerId(),
                () -> cancel(cell, ticket, request),
                answer -> {
                    if (!"granted".equals(status(answer))) {
                        return;
                    }
                    if (request.requestId() != null) {
                        LOG.infof("ticket %s of worker %s was served after its waiter went: left to request_id %s "
                                + "(replayed to its retry, or settled)", ticket, request.workerId(), request.requestId());
                        return;
                    }
                    LOG.infof("ticket %s of worker %s was served after its waiter went: releasing it", ticket,
                            request.workerId());
                    abandon(cell, undelivered(request, answer));
                });
        if (PersistentCleanups.isOutage(failure)) {
            cleanups.continueAfter(failure, withdrawal);
        } else {
            // REPLICATION_TIMEOUT: Redis answered, the withdrawal is asked at once
            cleanups.run(withdrawal);
        }
    }

    private Uni<JsonNode> attempt(Cell cell, AllocateRequest request, String ticket, long waitMs) {
        List<String> args = new ArrayList<>(8 + request.resourceTypes().size());
        args.add(request.workerId());
        args.add(Long.toString(request.timeoutSeconds(config) * 1000L));
        args.add(request.requestId() == null ? "" : request.requestId());
        args.add(ticket);
        args.add(Long.toString(waitMs));
        args.add(LeaseTokens.fresh(request.resourceTypes().size()));
        args.add(Long.toString(config.requestIdRetention().toMillis()));
        args.add(replica.id());
        args.addAll(request.resourceTypes());
        return scripts.runJson(cell.keys(), AllocatorScript.ALLOCATE, args);
    }

    /**
     * One queued attempt: a fresh ticket, parked here before it is queued in Redis, then whatever
     * ends the wait first (grant, withdrawal, deadline, client gone, lost notifications).
     */
    private Uni<JsonNode> waitFor(Cell cell, AllocateRequest request, long deadline, ClientLink client) {
        if (client.isGone()) {
            return Uni.createFrom().failure(new ClientGoneException());
        }
        String ticket = UUID.randomUUID().toString();
        CompletableFuture<WaitRoom.Signal> signal = room.park(ticket);
        client.whenGone(() -> signal.complete(new WaitRoom.Signal.ClientGone()));
        long remaining = Math.max(1, deadline - System.currentTimeMillis());
        return attempt(cell, request, ticket, remaining)
                .onFailure().invoke(() -> room.leave(ticket))
                // The script may have queued the ticket before the answer was lost (a connection cut, a failed WAIT).
                .onFailure(AllocationService::mayHaveQueued)
                .invoke(e -> withdrawLater(e, cell, request, ticket))
                .chain(answer -> {
                    if (!"queued".equals(status(answer))) {
                        room.leave(ticket);
                        return Uni.createFrom().item(answer);
                    }
                    return Uni.createFrom().completionStage(signal)
                            .ifNoItem().after(Duration.ofMillis(Math.max(1, deadline - System.currentTimeMillis())))
                            .recoverWithItem(() -> null)
                            .eventually(() -> room.leave(ticket))
                            .chain(s -> settle(cell, request, ticket, s, deadline, client));
                });
    }

    /** Turns the signal that ended a wait ({@code null}: the deadline) into the answer. */
    private Uni<JsonNode> settle(Cell cell, AllocateRequest request, String ticket, WaitRoom.Signal signal,
            long deadline, ClientLink client) {
        boolean timeLeft = deadline - System.currentTimeMillis() > 0 && !client.isGone();
        LOG.debugf("wait of worker %s on ticket %s ended by %s", request.workerId(), ticket,
                signal == null ? "its deadline" : signal.getClass().getSimpleName());
        if (signal instanceof WaitRoom.Signal.Granted granted) {
            // The answer was kept for a waiter that might miss the notification; this one did not.
            if (!replicaWait.enabled()) {
                redis.key().unlink(cell.keys().ticketAnswer(ticket)).subscribe().with(n -> { }, e -> { });
                return Uni.createFrom().item(granted.answer());
            }
            // The grant was written by another script (a release, a reaper run) and published at once. Deleting
            // the kept answer is a write that follows it in the replication stream, so WAITing for this delete
            // on its connection waits for the grant too.
            // Should that fail, the waiter is told 503. With a request_id its retry replays the grant (or /release/request
            // settles it), as after any 503 of a grant; without one nobody can ever claim it, so it is released as abandoned.
            return replicaWait.write(connection -> connection.execute("UNLINK", cell.keys().ticketAnswer(ticket)))
                    .replaceWith(granted.answer())
                    .onFailure().invoke(() -> {
                        if (request.requestId() == null) {
                            abandon(cell, undelivered(request, granted.answer()));
                        }
                    });
        }
        if (signal instanceof WaitRoom.Signal.Retry && timeLeft) {
            return waitFor(cell, request, deadline, client);
        }
        // Deadline, client gone, lost notifications, or a retry too late: withdraw the ticket, unless
        // it was granted meanwhile (then that grant is the answer: delivered, or abandoned if the
        // client is gone).
        // The waiter is told 503 should this fail, but its ticket would stay queued (and could be served for nobody).
        return cancel(cell, ticket, request)
                .onFailure(PersistentCleanups::isOutage).invoke(e -> withdrawLater(e, cell, request, ticket))
                .chain(answer -> {
                    LOG.debugf("ticket %s of worker %s cancelled: %s", ticket, request.workerId(), status(answer));
                    if (!"granted".equals(status(answer)) && signal instanceof WaitRoom.Signal.Recheck && timeLeft) {
                        return waitFor(cell, request, deadline, client);
                    }
                    if (!"granted".equals(status(answer)) && client.isGone()) {
                        return Uni.createFrom().failure(new ClientGoneException());
                    }
                    return Uni.createFrom().item(answer);
                });
    }

    private Uni<JsonNode> cancel(Cell cell, String ticket, AllocateRequest request) {
        List<String> args = new ArrayList<>(1 + request.resourceTypes().size());
        args.add(ticket);
        args.addAll(request.resourceTypes());
        return scripts.runJson(cell.keys(), AllocatorScript.CANCEL_WAIT, args);
    }

    private Allocation toAllocation(AllocateRequest request, JsonNode answer, long waitMs) {
        return switch (status(answer)) {
            case "granted" -> new Allocation(resources(answer.path("grants")), false);
            case "replayed" -> new Allocation(resources(answer.path("grants")), true);
            case "unknown_types" -> throw new ApiException(400, ErrorCode.UNKNOWN_RESOURCE_TYPE,
                    "no resources of type " + answer.path("types") + " are registered",
                    Map.of("unknown_types", json.convertValue(answer.path("types"), List.class)));
            case "request_conflict" -> throw new ApiException(409, ErrorCode.REQUEST_ID_CONFLICT,
                    "worker".equals(answer.path("reason").asText())
                            ? "request_id '" + request.requestId() + "' was already used by another worker"
                            : "request_id '" + request.requestId() + "' was already used with a different body "
                                    + "(worker_id, resource_types in order, timeout)",
                    Map.of("request_id", request.requestId(), "reason", answer.path("reason").asText()));
            case "request_settled" -> throw new ApiException(409, ErrorCode.REQUEST_ID_SETTLED,
                    "request_id '" + request.requestId() + "' was granted, and not all of its leases are live any "
                            + "more (released, expired, revoked or granted again); nothing was granted",
                    Map.of("request_id", request.requestId(),
                            // none for a withdrawn request_id (Lua's cjson writes an empty table as {}, not [])
                            "ended_lease_ids", answer.path("ended").isArray()
                                    ? json.convertValue(answer.path("ended"), List.class) : List.of()));
            case "insufficient" -> throw new ApiException(409, ErrorCode.INSUFFICIENT_RESOURCES,
                    "not enough free resources" + (waitMs > 0 ? " within " + waitMs + " ms" : ""),
                    Map.of("types", json.convertValue(answer.path("types"), OBJECT), "waited_ms", waitMs));
            default -> throw new IllegalStateException("unexpected allocation answer " + answer);
        };
    }

    private Map<String, Map<String, Object>> resources(JsonNode grants) {
        Map<String, Map<String, Object>> out = new LinkedHashMap<>();
        Map<String, Integer> seen = new HashMap<>();
        for (JsonNode g : grants) {
            String type = g.path("type").asText();
            int n = seen.merge(type, 1, Integer::sum);
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("id", g.path("id").asText());
            entry.put("type", type);
            entry.putAll(parse(g.path("endpoint").asText("{}")));
            entry.put("labels", parse(g.path("labels").asText("{}")));
            entry.put("lease_id", g.path("lease_id").asText());
            entry.put("lease_token", g.path("lease_token").asText());
            entry.put("fencing_token", g.path("fencing_token").asLong());
            entry.put("expires_at", Instant.ofEpochMilli(g.path("expires_at").asLong()).toString());
            out.put(n == 1 ? type : type + "#" + n, entry);
        }
        return out;
    }

    private Map<String, Object> parse(String text) {
        try {
            return json.readValue(text, OBJECT);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt resource record field: " + text, e);
        }
    }

    private static String status(JsonNode answer) {
        return answer.path("status").asText();
    }

    private static Outcome outcomeOf(Throwable e) {
        if (e instanceof ClientGoneException) {
            return Outcome.ABANDONED;
        }
        if (e instanceof ApiException api) {
            return switch (api.status()) {
                case 409 -> ErrorCode.INSUFFICIENT_RESOURCES.equals(api.code()) ? Outcome.INSUFFICIENT : Outcome.REJECTED;
                case 503 -> Outcome.UNAVAILABLE;
                default -> Outcome.REJECTED;
            };
        }
        return Outcome.UNAVAILABLE;
    }
}

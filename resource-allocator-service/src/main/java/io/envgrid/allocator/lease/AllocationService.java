package io.envgrid.allocator.lease;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.api.AllocateRequest;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.metrics.AllocatorMetrics;
import io.envgrid.allocator.metrics.AllocatorMetrics.Outcome;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Atomic batch allocation. One run of {@code allocate.lua} decides a request; a request with
 * {@code wait_ms} holds a queue ticket in Redis (so earlier waiters on any replica go first) and
 * retries whenever a needed type is freed, until it is granted, its wait ends or its client goes
 * away. Leases granted to a client that went away before they could be delivered are released at
 * once by {@code abandon.lua} (audited as kind {@code abandon}).
 */
@ApplicationScoped
public class AllocationService {

    private static final Logger LOG = Logger.getLogger(AllocationService.class);
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() { };
    /** How long a ticket outlives its last retry; bounds how long a dead replica's waiter blocks others. */
    private static final long TICKET_GRACE_MS = 5_000;

    private final ScriptRunner scripts;
    private final FreedSignal freed;
    private final AllocatorMetrics metrics;
    private final AllocatorConfig config;
    private final ObjectMapper json;

    public AllocationService(ScriptRunner scripts, FreedSignal freed, AllocatorMetrics metrics,
            AllocatorConfig config, ObjectMapper json) {
        this.scripts = scripts;
        this.freed = freed;
        this.metrics = metrics;
        this.config = config;
        this.json = json;
    }

    /**
     * Decides one allocation request for a client that may go away ({@code client}): the answer,
     * or an {@link ApiException} (400 unknown type, 409 insufficient / request_id conflict or
     * settled, 503 Redis unavailable), or {@link ClientGoneException} when the client went away
     * first (its ticket withdrawn, anything granted to it released as abandoned).
     */
    public Uni<Allocation> allocate(AllocateRequest request, ClientLink client) {
        long start = System.nanoTime();
        long waitMs = request.waitMillis();
        client.onAbandoned(this::abandon);
        Uni<JsonNode> decided;
        if (waitMs == 0) {
            decided = attempt(request, "");
        } else {
            String ticket = UUID.randomUUID().toString();
            Set<String> types = new LinkedHashSet<>(request.resourceTypes());
            metrics.waitStarted();
            decided = attemptUntil(request, ticket, types, System.currentTimeMillis() + waitMs, client)
                    .onCancellation().call(() -> cancel(ticket))
                    .eventually(metrics::waitEnded);
        }
        return decided.map(answer -> {
                    Allocation allocation = toAllocation(request, answer, waitMs);
                    // Only a fresh grant is given back: a replay's leases were granted to an earlier call.
                    if (!allocation.replayed() && !client.granted(new ClientLink.Abandoned(request.workerId(),
                            request.requestId() == null ? "" : request.requestId(), leaseIds(allocation)))) {
                        throw new ClientGoneException();
                    }
                    return allocation;
                })
                .onItem().invoke(a -> metrics.allocation(a.replayed() ? Outcome.REPLAYED : Outcome.GRANTED, start))
                .onFailure().invoke(e -> metrics.allocation(outcomeOf(e), start));
    }

    private static List<String> leaseIds(Allocation allocation) {
        return allocation.resources().values().stream().map(e -> (String) e.get("lease_id")).toList();
    }

    /** Releases an undelivered grant as its holder; failures are logged, the leases then simply expire. */
    private void abandon(ClientLink.Abandoned leases) {
        List<String> args = new ArrayList<>(List.of(leases.workerId(), leases.requestId()));
        args.addAll(leases.leaseIds());
        scripts.run(AllocatorScript.ABANDON, args).subscribe().with(
                ended -> LOG.infof("client of worker %s went away before its answer: released %s leases %s",
                        leases.workerId(), ended, leases.leaseIds()),
                failure -> LOG.warnf("could not release the abandoned leases %s of worker %s (they end at expiry): %s",
                        leases.leaseIds(), leases.workerId(), failure.getMessage()));
    }

    private Uni<JsonNode> attempt(AllocateRequest request, String ticket) {
        List<String> args = new ArrayList<>(6 + request.resourceTypes().size());
        args.add(request.workerId());
        args.add(Long.toString(request.timeoutSeconds(config) * 1000L));
        args.add(request.requestId() == null ? "" : request.requestId());
        args.add(ticket);
        args.add(Long.toString(config.waitPollInterval().toMillis() + TICKET_GRACE_MS));
        args.add(LeaseTokens.fresh(request.resourceTypes().size()));
        args.add(Long.toString(config.requestIdRetention().toMillis()));
        args.addAll(request.resourceTypes());
        return scripts.runJson(AllocatorScript.ALLOCATE, args);
    }

    private Uni<JsonNode> attemptUntil(AllocateRequest request, String ticket, Set<String> types, long deadline,
            ClientLink client) {
        if (client.isGone()) {
            // Checked before every attempt, so a vanished client's ticket is never queued again.
            return cancel(ticket).chain(() -> Uni.createFrom().failure(new ClientGoneException()));
        }
        return attempt(request, ticket).chain(answer -> {
            long remaining = deadline - System.currentTimeMillis();
            if (!"insufficient".equals(status(answer))) {
                return Uni.createFrom().item(answer);
            }
            if (remaining <= 0) {
                return cancel(ticket).replaceWith(answer);
            }
            Duration pause = Duration.ofMillis(Math.min(remaining, config.waitPollInterval().toMillis()));
            return freed.next(types, pause).chain(() -> attemptUntil(request, ticket, types, deadline, client));
        });
    }

    private Uni<Void> cancel(String ticket) {
        return scripts.run(AllocatorScript.CANCEL_WAIT, List.of(ticket)).replaceWithVoid();
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
                            "ended_lease_ids", json.convertValue(answer.path("ended"), List.class)));
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

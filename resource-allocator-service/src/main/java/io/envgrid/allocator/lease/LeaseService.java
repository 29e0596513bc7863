package io.envgrid.allocator.lease;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.allocator.cell.Cell;
import io.envgrid.allocator.cell.CellRouter;
import io.envgrid.allocator.cell.Cells;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Release and renewal. Only the holder may touch a lease: a request naming any resource leased
 * to another worker is refused whole with 403 and changes nothing. Ids are routed to the cells that hold them
 * ({@link CellRouter}); a call naming no ids runs in every cell. With several cells a request is refused before
 * any cell is changed when the look-up finds a foreign lease; one granted to another worker between the look-up
 * and the change is refused by its cell's script, after the other cells' parts were applied (README, "Cells").
 */
@ApplicationScoped
public class LeaseService {

    private final ScriptRunner scripts;
    private final AllocatorConfig config;
    private final Cells cells;
    private final CellRouter router;

    public LeaseService(ScriptRunner scripts, AllocatorConfig config, Cells cells,
            CellRouter router) {
        this.scripts = scripts;
        this.cells = cells;
        this.router = router;
        this.config = config;
    }

    /** Releases the given resources; details say released, already_released or not_found per id. */
    public Uni<Map<String, Object>> release(String workerId, List<String> resourceIds) {
        if (resourceIds.isEmpty()) {
            throw new IllegalArgumentException("no resource ids: use releaseAll to release everything a worker holds");
        }
        return placed(workerId, resourceIds, (cell, ids) -> {
            List<String> args = new ArrayList<>(List.of(workerId));
            args.addAll(ids);
            return scripts.runJson(cell.keys(), AllocatorScript.RELEASE, args);
        }, JsonNode::asText);
    }

    /** Releases everything the worker holds (a crashed worker's clean-up). */
    public Uni<Map<String, Object>> releaseAll(String workerId) {
        return everyCell(workerId, cell -> scripts.runJson(cell.keys(), AllocatorScript.RELEASE, List.of(workerId)),
                JsonNode::asText);
    }

    /** Extends leases by {@code timeoutSeconds} from now; all of the worker's when ids is null. */
    public Uni<Map<String, Object>> renew(String workerId, List<String> resourceIds, int timeoutSeconds) {
        List<String> args = List.of(workerId, Long.toString(timeoutSeconds * 1000L),
                Long.toString(config.requestIdRetention().toMillis()));
        if (resourceIds == null) {
            return everyCell(workerId, cell -> scripts.runJson(cell.keys(), AllocatorScript.RENEW, args),
                    LeaseService::renewal);
        }
        return placed(workerId, resourceIds, (cell, ids) -> {
            List<String> named = new ArrayList<>(args);
            named.addAll(ids);
            return scripts.runJson(cell.keys(), AllocatorScript.RENEW, named);
        }, LeaseService::renewal);
    }

    /**
     * The live lease of a resource whose lease token is {@code leaseToken}: {@code resource_id, type,
     * worker_id, lease_id, fencing_token, expires_at}. 409 {@code LEASE_NOT_LIVE} when the token is
     * not the live lease's (ended, expired, or another grant's: not told apart); 404 for an unknown
     * resource. A lease past its expiry is reclaimed on the spot.
     */
    public Uni<Map<String, Object>> verify(String resourceId, String leaseToken) {
        return router.cellOf(resourceId).chain(cell -> scripts.runJson(cell.keys(), AllocatorScript.VERIFY,
                List.of(resourceId, leaseToken))).map(answer -> {
            switch (answer.path("status").asText()) {
                case "not_found" -> throw ApiException.notFound(resourceId);
                case "not_live" -> throw new ApiException(409, ErrorCode.LEASE_NOT_LIVE,
                        "that lease token is not the live lease of '" + resourceId + "'",
                        Map.of("resource_id", resourceId));
                default -> {
                    Map<String, Object> lease = new LinkedHashMap<>();
                    lease.put("resource_id", resourceId);
                    lease.put("type", answer.path("type").asText());
                    lease.put("worker_id", answer.path("worker_id").asText());
                    lease.put("lease_id", answer.path("lease_id").asText());
                    lease.put("fencing_token", answer.path("fencing_token").asLong());
                    lease.put("expires_at", Instant.ofEpochMilli(answer.path("expires_at").asLong()).toString());
                    return lease;
                }
            }
        });
    }

    private static Map<String, Object> renewal(JsonNode detail) {
        if (!detail.has("expires_at")) {
            return Map.of("status", detail.path("status").asText());
        }
        return Map.of("status", "renewed",
                "fencing_token", detail.path("fencing_token").asLong(),
                "expires_at", Instant.ofEpochMilli(detail.path("expires_at").asLong()).toString());
    }

    /**
     * Settles an allocation its client never heard the answer of: releases what {@code requestId} granted
     * (leases still exactly those), or withdraws the request_id so a copy still in flight or queued grants
     * nothing. Runs in every cell, since the caller need not know which cell the request's types live in; a
     * cell that never saw the id keeps only a withdrawn marker, which expires. Answers the lease ids released;
     * 409 REQUEST_ID_CONFLICT when the request_id is another worker's (nothing changed).
     */
    public Uni<Map<String, Object>> releaseRequest(String workerId, String requestId) {
        // The marker must outlive any copy of the request still on its way or waiting (wait_ms at most maxWaitMs).
        String markerMs = Long.toString(config.requestIdRetention().toMillis() + config.maxWaitMs());
        List<Uni<JsonNode>> answers = cells.all().stream()
                .map(cell -> scripts.runJson(cell.keys(), AllocatorScript.RELEASE_REQUEST,
                        List.of(workerId, requestId, markerMs)))
                .toList();
        return Uni.join().all(answers).andFailFast().map(cellAnswers -> {
            List<String> released = new ArrayList<>();
            for (JsonNode answer : cellAnswers) {
                if ("request_conflict".equals(answer.path("status").asText())) {
                    throw new ApiException(409, ErrorCode.REQUEST_ID_CONFLICT,
                            "request_id '" + requestId + "' was used by another worker; nothing was changed",
                            Map.of("request_id", requestId, "reason", "worker"));
                }
                answer.path("released").forEach(id -> released.add(id.asText()));
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "completed");
            body.put("request_id", requestId);
            body.put("released", released);
            return body;
        });
    }

    /** Runs {@code call} in each cell holding some of {@code ids}, with those ids, after the cross-cell holder check. */
    private Uni<Map<String, Object>> placed(String workerId, List<String> ids,
            BiFunction<Cell, List<String>, Uni<JsonNode>> call, Function<JsonNode, Object> detail) {
        return router.place(ids, workerId).chain(placement -> {
            if (!placement.foreign().isEmpty()) {
                throw notHolder(workerId, placement.foreign());
            }
            List<Uni<JsonNode>> answers = new ArrayList<>();
            placement.byCell().forEach((cell, inCell) -> answers.add(call.apply(cell, inCell)));
            return completed(workerId, answers, detail);
        });
    }

    /** Runs {@code call} in every cell (a call naming no ids: all of a worker's leases). */
    private Uni<Map<String, Object>> everyCell(String workerId, Function<Cell, Uni<JsonNode>> call,
            Function<JsonNode, Object> detail) {
        return completed(workerId, cells.all().stream().map(call).toList(), detail);
    }

    /** The merged answer of the cells' scripts; 403 if any cell refused. */
    private Uni<Map<String, Object>> completed(String workerId, List<Uni<JsonNode>> cellAnswers,
            Function<JsonNode, Object> detail) {
        return Uni.join().all(cellAnswers).andFailFast().map(answers -> {
            List<String> foreign = new ArrayList<>();
            Map<String, Object> details = new LinkedHashMap<>();
            for (JsonNode answer : answers) {
                if ("forbidden".equals(answer.path("status").asText())) {
                    answer.path("resources").forEach(id -> foreign.add(id.asText()));
                }
                answer.path("details").fields().forEachRemaining(e -> details.put(e.getKey(), detail.apply(e.getValue())));
            }
            if (!foreign.isEmpty()) {
                throw notHolder(workerId, foreign);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "completed");
            body.put("details", details);
            return body;
        });
    }

    private static ApiException notHolder(String workerId, List<String> foreign) {
        return new ApiException(403, ErrorCode.NOT_LEASE_HOLDER,
                "worker '" + workerId + "' does not hold " + foreign + "; nothing was changed",
                Map.of("resources", foreign, "worker_id", workerId));
    }
}

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
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * Release and renewal. Only the holder may touch a lease: a request naming any resource leased
 * to another worker is refused with 403. Ids are routed to the cells that hold them ({@link CellRouter}); a call
 * naming no ids runs in every cell. With several cells a request is refused before any cell is changed when the
 * look-up finds a foreign lease; one granted to another worker between the look-up and the change is refused by
 * its cell's script after the other cells' parts were applied, and then the 403 lists those parts in
 * {@code details.applied} (README, "Cells"): every error of a call over several cells says what was applied.
 */
@ApplicationScoped
public class LeaseService {

    /** The per-id answers that mean a lease was changed (released, reclaimed as expired, extended). */
    private static final Set<String> CHANGES = Set.of("released", "expired", "renewed");

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
     * 409 REQUEST_ID_CONFLICT when the request_id is another worker's (its saved answer, or a ticket still waiting
     * with it), and then nothing changed in any cell: with several cells every cell is checked before any writes.
     */
    public Uni<Map<String, Object>> releaseRequest(String workerId, String requestId) {
        // The marker must outlive any copy of the request still on its way or waiting (wait_ms at most maxWaitMs).
        String markerMs = Long.toString(config.requestIdRetention().toMillis() + config.maxWaitMs());
        if (cells.all().size() == 1) {
            // One cell: its script checks ownership before it writes anything.
            return settleRequest(workerId, requestId, markerMs);
        }
        // Several cells: every cell is asked first, changing nothing, so a request_id that is another worker's in
        // any cell is refused before a cell that never saw it writes a withdrawn marker in this worker's name.
        List<Uni<JsonNode>> checks = cells.all().stream()
                .map(cell -> scripts.runJson(cell.keys(), AllocatorScript.RELEASE_REQUEST,
                        List.of(workerId, requestId, markerMs, "check")))
                .toList();
        return Uni.join().all(checks).andFailFast().chain(answers -> {
            List<String> conflictIn = new ArrayList<>();
            for (int i = 0; i < answers.size(); i++) {
                if ("request_conflict".equals(answers.get(i).path("status").asText())) {
                    conflictIn.add(cells.all().get(i).name());
                }
            }
            if (!conflictIn.isEmpty()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("request_id", requestId);
                details.put("reason", "worker");
                details.put("conflict_in_cells", conflictIn);
                details.put("applied", Map.of());
                throw new ApiException(409, ErrorCode.REQUEST_ID_CONFLICT,
                        "request_id '" + requestId + "' was used by another worker; nothing was changed", details);
            }
            return settleRequest(workerId, requestId, markerMs);
        });
    }

    /**
     * Runs {@code release_request.lua} in every cell and merges the answers. Each cell re-checks ownership itself, so
     * a conflict reported here arose between the check pass and this one (another worker took the id meanwhile).
     */
    private Uni<Map<String, Object>> settleRequest(String workerId, String requestId, String markerMs) {
        List<Uni<CellPart>> parts = cells.all().stream()
                .map(cell -> scripts.runJson(cell.keys(), AllocatorScript.RELEASE_REQUEST,
                        List.of(workerId, requestId, markerMs, ""))
                        .map(answer -> new CellPart(cell, answer, null))
                        .onFailure(ApiException.class).recoverWithItem(e -> new CellPart(cell, null, (ApiException) e)))
                .toList();
        return Uni.join().all(parts).andFailFast().map(cellAnswers -> {
            List<String> expired = new ArrayList<>();
            List<String> released = new ArrayList<>();
            List<String> settledIn = new ArrayList<>();
            List<String> conflictIn = new ArrayList<>();
            List<String> failedCells = new ArrayList<>();
            ApiException failure = null;
            for (CellPart part : cellAnswers) {
                if (part.failure() != null) {
                    failure = failure == null ? part.failure() : failure;
                    failedCells.add(part.cell().name());
                } else if ("request_conflict".equals(part.answer().path("status").asText())) {
                    conflictIn.add(part.cell().name());
                } else {
                    settledIn.add(part.cell().name());
                    part.answer().path("released").forEach(id -> released.add(id.asText()));
                    part.answer().path("expired").forEach(id -> expired.add(id.asText()));
                }
            }
            // A completed cell always changed something: it released leases, or withdrew the id for this worker.
            Map<String, Object> applied = new LinkedHashMap<>();
            applied.put("released", released);
            applied.put("expired", expired);
            applied.put("settled_in_cells", settledIn);
            if (failure != null) {
                throw partlyApplied(failure, failedCells, settledIn.isEmpty() ? Map.of() : applied, true, List.of());
            }
            if (!conflictIn.isEmpty()) {
                Map<String, Object> details = new LinkedHashMap<>();
                details.put("request_id", requestId);
                details.put("reason", "worker");
                details.put("conflict_in_cells", conflictIn);
                details.put("applied", settledIn.isEmpty() ? Map.of() : applied);
                throw new ApiException(409, ErrorCode.REQUEST_ID_CONFLICT,
                        "request_id '" + requestId + "' was used by another worker" + (settledIn.isEmpty()
                                ? "; nothing was changed"
                                : " in cells " + conflictIn + "; settled for this worker in cells " + settledIn
                                        + ", released " + released + " (details.applied)"),
                        details);
            }
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "completed");
            body.put("request_id", requestId);
            body.put("released", released);
            // Leases of the request found past their expiry were reclaimed as expiries (as /release says), not released.
            body.put("expired", expired);
            return body;
        });
    }

    /** Runs {@code call} in each cell holding some of {@code ids}, with those ids, after the cross-cell holder check. */
    private Uni<Map<String, Object>> placed(String workerId, List<String> ids,
            BiFunction<Cell, List<String>, Uni<JsonNode>> call, Function<JsonNode, Object> detail) {
        if (cells.single()) {
            // Nothing to look up: the one cell's script checks the holder itself.
            return completed(workerId, Map.of(cells.defaultCell(), call.apply(cells.defaultCell(), ids)), detail);
        }
        return router.place(ids, workerId).chain(placement -> {
            if (!placement.foreign().isEmpty()) {
                // Refused by the look-up, before any cell ran its script: here nothing was changed.
                throw notHolder(workerId, placement.foreign(), Map.of(), false);
            }
            Map<Cell, Uni<JsonNode>> answers = new LinkedHashMap<>();
            placement.byCell().forEach((cell, inCell) -> answers.put(cell, call.apply(cell, inCell)));
            return completed(workerId, answers, detail);
        });
    }

    /** Runs {@code call} in every cell (a call naming no ids: all of a worker's leases). */
    private Uni<Map<String, Object>> everyCell(String workerId, Function<Cell, Uni<JsonNode>> call,
            Function<JsonNode, Object> detail) {
        Map<Cell, Uni<JsonNode>> answers = new LinkedHashMap<>();
        cells.all().forEach(cell -> answers.put(cell, call.apply(cell)));
        return completed(workerId, answers, detail);
    }

    /** One cell's part of a call that ran in several cells: its script's answer, or why it has none. */
    private record CellPart(Cell cell, JsonNode answer, ApiException failure) {
    }

    /**
     * Waits for every cell's part (each cell's script is all or nothing, but the cells are not one transaction) and
     * merges them. When every part completed: the success answer. Otherwise the error tells what the parts that did
     * complete applied, as {@code details.applied} (per id, what the success answer would have said): a cell that
     * failed (503) is answered with its failure; a cell whose script refused another worker's lease, granted between
     * the look-up and the scripts, is answered 403 {@code NOT_LEASE_HOLDER} with the refused ids in
     * {@code details.resources}. A part's failure never hides the other parts' answers, which a fail-fast join would.
     */
    private Uni<Map<String, Object>> completed(String workerId, Map<Cell, Uni<JsonNode>> cellAnswers,
            Function<JsonNode, Object> detail) {
        if (cellAnswers.size() == 1) {
            // One part: its failure is the call's as it is (nothing else was applied), so no join is needed.
            Map.Entry<Cell, Uni<JsonNode>> only = cellAnswers.entrySet().iterator().next();
            return only.getValue().map(a -> merged(workerId, List.of(new CellPart(only.getKey(), a, null)), detail));
        }
        List<Uni<CellPart>> parts = new ArrayList<>();
        cellAnswers.forEach((cell, answer) -> parts.add(answer.map(a -> new CellPart(cell, a, null))
                .onFailure(ApiException.class).recoverWithItem(e -> new CellPart(cell, null, (ApiException) e))));
        return Uni.join().all(parts).andFailFast().map(answers -> merged(workerId, answers, detail));
    }

    /** The call's answer from every cell's part, or its error saying what the completed parts applied. */
    private static Map<String, Object> merged(String workerId, List<CellPart> answers, Function<JsonNode, Object> detail) {
        List<String> foreign = new ArrayList<>();
        ApiException failure = null;
        List<String> failedCells = new ArrayList<>();
        Map<String, Object> details = new LinkedHashMap<>();
        boolean changed = false;
        for (CellPart part : answers) {
            if (part.failure() != null) {
                failure = failure == null ? part.failure() : failure;
                failedCells.add(part.cell().name());
                continue;
            }
            if ("forbidden".equals(part.answer().path("status").asText())) {
                part.answer().path("resources").forEach(id -> foreign.add(id.asText()));
            }
            var fields = part.answer().path("details").fields();
            while (fields.hasNext()) {
                var e = fields.next();
                Object said = detail.apply(e.getValue());
                details.put(e.getKey(), said);
                changed |= CHANGES.contains(said instanceof Map<?, ?> m ? m.get("status") : said);
            }
        }
        if (failure != null) {
            throw partlyApplied(failure, failedCells, details, changed, foreign);
        }
        if (!foreign.isEmpty()) {
            throw notHolder(workerId, foreign, details, changed);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "completed");
        body.put("details", details);
        return body;
    }

    /**
     * 403 for ids another worker holds. {@code applied}: the other cells' completed parts (empty when the look-up
     * refused before any script ran); "nothing was changed" is said only when none of them changed a lease.
     */
    private static ApiException notHolder(String workerId, List<String> foreign, Map<String, Object> applied,
            boolean changed) {
        String message = "worker '" + workerId + "' does not hold " + foreign + "; "
                + (changed ? "the other ids were applied in their cells (details.applied)" : "nothing was changed");
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("resources", foreign);
        details.put("worker_id", workerId);
        details.put("applied", applied);
        return new ApiException(403, ErrorCode.NOT_LEASE_HOLDER, message, details);
    }

    /**
     * A cell's failure (Redis unavailable, replication timeout), passed on with its status and code, plus what the
     * other cells applied (a client that retries must know those ids were already handled) and the ids another
     * cell refused as another worker's ({@code resources}). Unchanged when no other cell answered anything.
     */
    private static ApiException partlyApplied(ApiException failure, List<String> failedCells,
            Map<String, Object> applied, boolean changed, List<String> refused) {
        if (applied.isEmpty() && refused.isEmpty()) {
            return failure;
        }
        Map<String, Object> details = new LinkedHashMap<>(failure.details());
        details.put("failed_cells", failedCells);
        details.put("applied", applied);
        if (!refused.isEmpty()) {
            // another cell refused its part too: the retry this failure invites will be refused for these ids
            details.put("resources", refused);
        }
        String message = failure.getMessage() + (changed
                ? "; the other cells applied their part (details.applied)"
                : "; the other cells changed nothing (details.applied)");
        return new ApiException(failure.status(), failure.code(), message, details);
    }
}

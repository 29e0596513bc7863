package io.envgrid.allocator.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.api.RegisterRequest;
import io.envgrid.allocator.auth.Principal;
import io.envgrid.allocator.cell.Cell;
import io.envgrid.allocator.cell.CellClaims;
import io.envgrid.allocator.cell.CellRouter;
import io.envgrid.allocator.cell.Cells;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * The pool of leasable resources: registration, heartbeats, drain, removal, listings and counts. Every change
 * names the principal making it: the one that registers a resource owns it, and only it may re-register,
 * heart-beat it or report its reset (403 {@code NOT_RESOURCE_OWNER}); drain and delete also by the service
 * token; an undrain only by whoever drained, or the service token (403 {@code NOT_DRAIN_OWNER}). A resource lives
 * in the cell of its type, and in no other: the id is claimed for that cell ({@link CellClaims}) before it is
 * registered there. Calls naming an id go to the cell that holds it, listings and counts ask every cell.
 */
@ApplicationScoped
public class InventoryService {

    private final ScriptRunner scripts;
    private final ObjectMapper json;
    private final Cells cells;
    private final CellRouter router;
    private final CellClaims claims;

    public InventoryService(ScriptRunner scripts, ObjectMapper json, Cells cells, CellRouter router, CellClaims claims) {
        this.scripts = scripts;
        this.json = json;
        this.cells = cells;
        this.router = router;
        this.claims = claims;
    }

    /**
     * Registers or updates a resource, owned by {@code by}, in the cell of its type; tells whether it was created.
     * 409 {@code RESOURCE_IN_OTHER_CELL} when the id is registered in another cell (its type moved to another
     * cell: it is deleted there first) or claimed by another cell's registration that got there first; either
     * way nothing is changed, so no id is ever in two cells. The look-up alone cannot promise that (two first
     * registrations both find the id nowhere), the claim can; the look-up still refuses ids registered before
     * claims existed, which have none until their next registration.
     */
    public Uni<Boolean> register(RegisterRequest r, Principal by) {
        Cell cell = cells.forType(r.type());
        List<String> args = List.of(r.id(), r.type(), write(r.endpointOrEmpty()), write(r.labelsOrEmpty()),
                Long.toString(r.heartbeatTtlSeconds() * 1000L), r.needsReset() ? "1" : "0", by.name());
        return router.place(List.of(r.id()), null).chain(placement -> {
            Cell holder = placement.holders().getOrDefault(r.id(), cell);
            if (!holder.equals(cell)) {
                throw inOtherCell(r, holder.name(), cell);
            }
            return claims.claim(r.id(), cell);
        }).chain(claimedBy -> {
            if (!claimedBy.equals(cell.name())) {
                throw inOtherCell(r, claimedBy, cell);
            }
            return scripts.runJson(cell.keys(), AllocatorScript.REGISTER, args);
        }).map(answer -> {
            refuseOthers(r.id(), answer);
            if ("type_conflict".equals(answer.path("status").asText())) {
                throw new ApiException(409, ErrorCode.RESOURCE_LEASED, "resource '" + r.id()
                        + "' is leased as type '" + answer.path("type").asText() + "'; release it before changing its type",
                        Map.of("resource_id", r.id()));
            }
            return "created".equals(answer.path("status").asText());
        });
    }

    private static ApiException inOtherCell(RegisterRequest r, String holder, Cell cell) {
        return new ApiException(409, ErrorCode.RESOURCE_IN_OTHER_CELL, "resource '" + r.id() + "' is registered in "
                + "cell '" + holder + "', and type '" + r.type() + "' is served by cell '" + cell.name()
                + "'; delete it first", Map.of("resource_id", r.id(), "cell", holder, "type_cell", cell.name()));
    }

    /** Records a heartbeat; tells what the health was before it (down means it just came back). */
    public Uni<String> heartbeat(String id, Principal by) {
        return expectFound(id, inCellOf(id, AllocatorScript.HEARTBEAT, List.of(id, by.name())))
                .map(a -> a.path("was").asText());
    }

    /** Drains ({@code draining}) or undrains a resource as {@code by}; the view after it. */
    public Uni<ResourceView> drain(String id, boolean draining, Principal by) {
        return expectFound(id, inCellOf(id, AllocatorScript.SET_ADMIN,
                List.of(id, draining ? "draining" : "active", by.name()))).chain(() -> get(id));
    }

    /**
     * Deletes a resource as {@code by}. 409 {@code RESOURCE_LEASED} while leased and 409 {@code RESOURCE_RESETTING}
     * while its reset is owed, unless {@code force} (which revokes the lease; the reset stays owed). Once deleted,
     * its cell's claim of the id is given up, so a registration may put it in another cell.
     */
    public Uni<Void> delete(String id, boolean force, Principal by) {
        List<String> args = List.of(id, force ? "1" : "0", by.name());
        return router.cellOf(id).chain(cell -> scripts.runJson(cell.keys(), AllocatorScript.DELETE, args)
                .call(answer -> "deleted".equals(answer.path("status").asText())
                        ? claims.release(id, cell).onFailure(ApiException.class)
                                .transform(e -> deletedClaimKept(id, cell, (ApiException) e))
                        : Uni.createFrom().voidItem())).map(answer -> {
            refuseOthers(id, answer);
            switch (answer.path("status").asText()) {
                case "not_found" -> throw ApiException.notFound(id);
                case "leased" -> throw new ApiException(409, ErrorCode.RESOURCE_LEASED, "resource '" + id
                        + "' is leased; release it first or delete with force=true",
                        Map.of("resource_id", id, "worker_id", answer.path("worker_id").asText()));
                case "resetting" -> throw new ApiException(409, ErrorCode.RESOURCE_RESETTING, "resource '" + id
                        + "' is resetting; its owner reports the reset first, or delete with force=true (the reset "
                        + "stays owed: a re-registration starts it again)",
                        Map.of("resource_id", id, "fencing_token", answer.path("fencing_token").asLong()));
                default -> {
                    return null;
                }
            }
        });
    }

    /**
     * The delete was applied in its cell (a forced one revoked the lease), but giving up the cell's claim of the id
     * (a second step, on the default cell's master) failed: the failure's status and code, saying the resource is
     * gone ({@code details.applied}, as the 200 would have said it) so that a retry's 404 is no surprise, and that
     * the claim is kept.
     */
    private static ApiException deletedClaimKept(String id, Cell cell, ApiException failure) {
        Map<String, Object> details = new LinkedHashMap<>(failure.details());
        details.put("resource_id", id);
        details.put("applied", Map.of("id", id, "status", "deleted"));
        details.put("claim_kept", cell.name());
        return new ApiException(failure.status(), failure.code(), "resource '" + id + "' was deleted, but its cell's "
                + "claim of the id was not given up (" + failure.getMessage() + "): until it is, registering '" + id
                + "' in another cell than '" + cell.name() + "' is refused; register it there and delete it again",
                details);
    }

    /**
     * Applies the owner's report of the reset after the lease with {@code fencingToken} ended: done
     * makes the resource free (and serves waiters), failed takes it down with {@code reason}.
     * 404 unknown, 409 {@code NOT_RESETTING}, 409 {@code STALE_FENCING_TOKEN} (nothing changed then).
     */
    public Uni<ResourceView> reportReset(String id, ResetReport report, Principal by) {
        List<String> args = List.of(id, Long.toString(report.fencingToken()), report.outcome().wire(), report.reason(),
                by.name());
        return inCellOf(id, AllocatorScript.RESET, args).map(answer -> {
            refuseOthers(id, answer);
            switch (answer.path("status").asText()) {
                case "not_found" -> throw ApiException.notFound(id);
                case "not_resetting" -> throw new ApiException(409, ErrorCode.NOT_RESETTING,
                        "resource '" + id + "' is not resetting", Map.of("resource_id", id));
                case "stale" -> throw new ApiException(409, ErrorCode.STALE_FENCING_TOKEN, "resource '" + id
                        + "' is resetting after another lease", Map.of("resource_id", id,
                        "fencing_token", report.fencingToken(), "resetting_fencing_token", answer.path("fencing_token").asLong()));
                default -> {
                    return null;
                }
            }
        }).chain(() -> get(id));
    }

    public Uni<ResourceView> get(String id) {
        return snapshot("", "", id).map(views -> views.stream().findFirst().orElseThrow(() -> ApiException.notFound(id)));
    }

    /** Resources filtered by type, state and labels (every given label must match). */
    public Uni<List<ResourceView>> list(String type, String state, Map<String, String> labels) {
        Predicate<ResourceView> matches = v -> (state == null || state.equals(v.state()))
                && labels.entrySet().stream().allMatch(e -> Objects.equals(v.labels().get(e.getKey()), e.getValue()));
        return snapshot(type == null ? "" : type, "", "").map(views -> views.stream().filter(matches).toList());
    }

    /** Live leases, all of them or one worker's. */
    public Uni<List<LeaseView>> leases(String workerId) {
        return snapshot("", workerId == null ? "" : workerId, "")
                .map(views -> views.stream().map(ResourceView::lease).filter(Objects::nonNull).toList());
    }

    /**
     * Per-type counts by state, types in name order, over every cell. Counted by {@code stats.lua} in Redis: a few
     * numbers per type come back, not every resource's record (the pool gauges ask every few seconds).
     */
    public Uni<Map<String, TypeStats>> stats() {
        List<Uni<JsonNode>> parts = cells.all().stream()
                .map(cell -> scripts.runJson(cell.keys(), AllocatorScript.STATS, List.of()))
                .toList();
        return Uni.join().all(parts).andFailFast().map(answers -> {
            Map<String, TypeStats> byType = new TreeMap<>();
            for (JsonNode answer : answers) {
                answer.fields().forEachRemaining(e -> byType.merge(e.getKey(), TypeStats.of(e.getValue()), TypeStats::plus));
            }
            return byType;
        });
    }

    /** Runs a script on one resource in the cell that holds it. */
    private Uni<JsonNode> inCellOf(String id, AllocatorScript script, List<String> args) {
        return router.cellOf(id).chain(cell -> scripts.runJson(cell.keys(), script, args));
    }

    /** The resources matching, ordered by id: from the cell of the id, of the type, or from every cell. */
    private Uni<List<ResourceView>> snapshot(String type, String worker, String id) {
        List<String> args = List.of(type, worker, id);
        if (!id.isEmpty()) {
            return router.cellOf(id).chain(cell -> snapshot(cell, args));
        }
        if (!type.isEmpty()) {
            return snapshot(cells.forType(type), args);
        }
        List<Uni<List<ResourceView>>> parts = cells.all().stream().map(cell -> snapshot(cell, args)).toList();
        return Uni.join().all(parts).andFailFast().map(lists -> lists.stream().flatMap(List::stream)
                .sorted(Comparator.comparing(ResourceView::id)).toList());
    }

    private Uni<List<ResourceView>> snapshot(Cell cell, List<String> args) {
        return scripts.run(cell.keys(), AllocatorScript.SNAPSHOT, args).map(rows -> {
            List<ResourceView> views = new ArrayList<>(rows.size());
            for (Response row : rows) {
                views.add(ResourceRecords.view(ResourceRecords.fields(row), json));
            }
            return views;
        });
    }

    private Uni<JsonNode> expectFound(String id, Uni<JsonNode> answer) {
        return answer.map(node -> {
            if ("not_found".equals(node.path("status").asText())) {
                throw ApiException.notFound(id);
            }
            refuseOthers(id, node);
            return node;
        });
    }

    /** The scripts' refusals of a principal that is not the owner, or not the drainer (nothing was changed). */
    private static void refuseOthers(String id, JsonNode answer) {
        switch (answer.path("status").asText()) {
            case "not_owner" -> throw new ApiException(403, ErrorCode.NOT_RESOURCE_OWNER, "resource '" + id
                    + "' is owned by " + answer.path("owner").asText() + "; only its owner may change it",
                    Map.of("resource_id", id, "owner", answer.path("owner").asText()));
            case "not_drainer" -> throw new ApiException(403, ErrorCode.NOT_DRAIN_OWNER, "resource '" + id
                    + "' was drained by " + answer.path("drained_by").asText()
                    + "; only it or the service token may undrain it",
                    Map.of("resource_id", id, "drained_by", answer.path("drained_by").asText()));
            default -> {
            }
        }
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("cannot encode " + value);
        }
    }
}

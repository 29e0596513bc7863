package io.envgrid.allocator.inventory;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.allocator.api.RegisterRequest;
import io.envgrid.allocator.error.ApiException;
import io.envgrid.allocator.error.ErrorCode;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The pool of leasable resources: registration, heartbeats, drain, removal, listings and counts. */
@ApplicationScoped
public class InventoryService {

    private final ScriptRunner scripts;
    private final ObjectMapper json;

    public InventoryService(ScriptRunner scripts, ObjectMapper json) {
        this.scripts = scripts;
        this.json = json;
    }

    /** Registers or updates a resource; tells whether it was created. */
    public Uni<Boolean> register(RegisterRequest r) {
        List<String> args = List.of(r.id(), r.type(), write(r.endpointOrEmpty()), write(r.labelsOrEmpty()),
                Long.toString(r.heartbeatTtlSeconds() * 1000L), r.needsReset() ? "1" : "0");
        return scripts.runJson(AllocatorScript.REGISTER, args).map(answer -> {
            if ("type_conflict".equals(answer.path("status").asText())) {
                throw new ApiException(409, ErrorCode.RESOURCE_LEASED, "resource '" + r.id()
                        + "' is leased as type '" + answer.path("type").asText() + "'; release it before changing its type",
                        Map.of("resource_id", r.id()));
            }
            return "created".equals(answer.path("status").asText());
        });
    }

    /** Records a heartbeat; tells what the health was before it (down means it just came back). */
    public Uni<String> heartbeat(String id) {
        return expectFound(id, scripts.runJson(AllocatorScript.HEARTBEAT, List.of(id))).map(a -> a.path("was").asText());
    }

    public Uni<ResourceView> drain(String id, boolean draining) {
        return expectFound(id, scripts.runJson(AllocatorScript.SET_ADMIN, List.of(id, draining ? "draining" : "active")))
                .chain(() -> get(id));
    }

    public Uni<Void> delete(String id, boolean force) {
        return scripts.runJson(AllocatorScript.DELETE, List.of(id, force ? "1" : "0")).map(answer -> {
            switch (answer.path("status").asText()) {
                case "not_found" -> throw ApiException.notFound(id);
                case "leased" -> throw new ApiException(409, ErrorCode.RESOURCE_LEASED, "resource '" + id
                        + "' is leased; release it first or delete with force=true",
                        Map.of("resource_id", id, "worker_id", answer.path("worker_id").asText()));
                default -> {
                    return null;
                }
            }
        });
    }

    /**
     * Applies the owner's report of the reset after the lease with {@code fencingToken} ended: done
     * makes the resource free (and serves waiters), failed takes it down with {@code reason}.
     * 404 unknown, 409 {@code NOT_RESETTING}, 409 {@code STALE_FENCING_TOKEN} (nothing changed then).
     */
    public Uni<ResourceView> reportReset(String id, ResetReport report) {
        List<String> args = List.of(id, Long.toString(report.fencingToken()), report.outcome().wire(), report.reason());
        return scripts.runJson(AllocatorScript.RESET, args).map(answer -> {
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

    /** Per-type counts by state, types in name order. */
    public Uni<Map<String, TypeStats>> stats() {
        return snapshot("", "", "").map(views -> {
            Map<String, TypeStats> byType = new TreeMap<>();
            views.forEach(v -> byType.merge(v.type(), TypeStats.empty().add(v.state()), TypeStats::plus));
            return byType;
        });
    }

    private Uni<List<ResourceView>> snapshot(String type, String worker, String id) {
        return scripts.run(AllocatorScript.SNAPSHOT, List.of(type, worker, id)).map(rows -> {
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
            return node;
        });
    }

    private String write(Object value) {
        try {
            return json.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("cannot encode " + value);
        }
    }
}

package io.envgrid.allocator.lease;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.function.Function;

/**
 * Release and renewal. Only the holder may touch a lease: a request naming any resource leased
 * to another worker is refused whole with 403 and changes nothing.
 */
@ApplicationScoped
public class LeaseService {

    private final ScriptRunner scripts;
    private final ObjectMapper json;
    private final AllocatorConfig config;

    public LeaseService(ScriptRunner scripts, ObjectMapper json, AllocatorConfig config) {
        this.scripts = scripts;
        this.json = json;
        this.config = config;
    }

    /** Releases the given resources; details say released, already_released or not_found per id. */
    public Uni<Map<String, Object>> release(String workerId, List<String> resourceIds) {
        if (resourceIds.isEmpty()) {
            throw new IllegalArgumentException("no resource ids: use releaseAll to release everything a worker holds");
        }
        List<String> args = new ArrayList<>(List.of(workerId));
        args.addAll(resourceIds);
        return scripts.runJson(AllocatorScript.RELEASE, args).map(answer -> completed(workerId, answer, JsonNode::asText));
    }

    /** Releases everything the worker holds (a crashed worker's clean-up). */
    public Uni<Map<String, Object>> releaseAll(String workerId) {
        return scripts.runJson(AllocatorScript.RELEASE, List.of(workerId))
                .map(answer -> completed(workerId, answer, JsonNode::asText));
    }

    /** Extends leases by {@code timeoutSeconds} from now; all of the worker's when ids is null. */
    public Uni<Map<String, Object>> renew(String workerId, List<String> resourceIds, int timeoutSeconds) {
        List<String> args = new ArrayList<>(List.of(workerId, Long.toString(timeoutSeconds * 1000L),
                Long.toString(config.requestIdRetention().toMillis())));
        if (resourceIds != null) {
            args.addAll(resourceIds);
        }
        return scripts.runJson(AllocatorScript.RENEW, args).map(answer -> completed(workerId, answer, LeaseService::renewal));
    }

    /**
     * The live lease of a resource whose lease token is {@code leaseToken}: {@code resource_id, type,
     * worker_id, lease_id, fencing_token, expires_at}. 409 {@code LEASE_NOT_LIVE} when the token is
     * not the live lease's (ended, expired, or another grant's: not told apart); 404 for an unknown
     * resource. A lease past its expiry is reclaimed on the spot.
     */
    public Uni<Map<String, Object>> verify(String resourceId, String leaseToken) {
        return scripts.runJson(AllocatorScript.VERIFY, List.of(resourceId, leaseToken)).map(answer -> {
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

    private Map<String, Object> completed(String workerId, JsonNode answer, Function<JsonNode, Object> detail) {
        if ("forbidden".equals(answer.path("status").asText())) {
            List<?> foreign = json.convertValue(answer.path("resources"), List.class);
            throw new ApiException(403, ErrorCode.NOT_LEASE_HOLDER,
                    "worker '" + workerId + "' does not hold " + foreign + "; nothing was changed",
                    Map.of("resources", foreign, "worker_id", workerId));
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "completed");
        Map<String, Object> details = new LinkedHashMap<>();
        answer.path("details").fields().forEachRemaining(e -> details.put(e.getKey(), detail.apply(e.getValue())));
        body.put("details", details);
        return body;
    }
}

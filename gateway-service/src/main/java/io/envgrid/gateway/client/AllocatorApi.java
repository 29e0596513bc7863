package io.envgrid.gateway.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.id.KeyPart;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The resource-allocator-service's API as the gateway's allocation tools use it. Every call passes a
 * {@code worker_id} the gateway authenticated itself, so every call presents the service token
 * ({@link Credential.Service}) to the configured allocator.
 */
@ApplicationScoped
public class AllocatorApi {

    private static final String NAME = "allocator";
    /** The allocator may hold a waiting request this much longer than its wait_ms before answering. */
    private static final Duration WAIT_MARGIN = Duration.ofSeconds(5);

    private final Downstream downstream;
    private final Backends backends;
    private final Duration timeout;

    public AllocatorApi(Downstream downstream, Backends backends, GatewayConfig config) {
        this.downstream = downstream;
        this.backends = backends;
        this.timeout = config.downstream().timeout();
    }

    /**
     * {@code POST /allocate}. With a request id a retry returns the first answer instead of a second
     * grant, which is what makes retrying it harmless.
     */
    public Uni<Reply> allocate(String workerId, List<String> types, int timeoutSeconds, long waitMs, String requestId) {
        Map<String, Object> body = new HashMap<>();
        body.put("worker_id", workerId);
        body.put("resource_types", types);
        body.put("timeout", timeoutSeconds);
        body.put("wait_ms", waitMs);
        body.put("request_id", requestId);
        return downstream.exchange(NAME, HttpMethod.POST, backends.allocator() + "/allocate", body,
                timeout.plusMillis(waitMs).plus(WAIT_MARGIN), true, Credential.service());
    }

    public Uni<JsonNode> releaseBatch(String workerId, List<String> resourceIds) {
        return downstream.json(NAME, HttpMethod.POST, backends.allocator() + "/release/batch",
                Map.of("worker_id", workerId, "resource_ids", resourceIds), timeout, true, Credential.service());
    }

    /**
     * {@code POST /release/request}: settles an allocation whose answer never arrived: the allocator releases
     * what that request id granted, or withdraws the id so the request grants nothing later. Whatever it
     * answered, as with {@link #allocate}, so the caller can tell a definite answer from an unknown one.
     */
    public Uni<Reply> releaseRequest(String workerId, String requestId) {
        return downstream.exchange(NAME, HttpMethod.POST, backends.allocator() + "/release/request",
                Map.of("worker_id", workerId, "request_id", requestId), timeout, true, Credential.service());
    }

    /**
     * {@code POST /release/request} for a grant that was answered: releases exactly the leases that request granted
     * (by lease, so a later grant of the same resource stays). The allocator's answer, {@code {status, request_id,
     * released: [lease ids], expired: [lease ids]}}; an error answer fails as a {@code ToolFailure}.
     */
    public Uni<JsonNode> releaseGrant(String workerId, String requestId) {
        return downstream.json(NAME, HttpMethod.POST, backends.allocator() + "/release/request",
                Map.of("worker_id", workerId, "request_id", requestId), timeout, true, Credential.service());
    }

    public Uni<JsonNode> releaseWorker(String workerId) {
        return downstream.json(NAME, HttpMethod.POST, backends.allocator() + "/release/worker",
                Map.of("worker_id", workerId), timeout, true, Credential.service());
    }

    /** {@code POST /renew}: all of the worker's leases when {@code resourceIds} is null. */
    public Uni<JsonNode> renew(String workerId, List<String> resourceIds, int timeoutSeconds) {
        Map<String, Object> body = new HashMap<>();
        body.put("worker_id", workerId);
        body.put("timeout", timeoutSeconds);
        if (resourceIds != null) {
            body.put("resource_ids", resourceIds);
        }
        return downstream.json(NAME, HttpMethod.POST, backends.allocator() + "/renew", body, timeout, true, Credential.service());
    }

    /** {@code GET /leases?worker_id=}: the worker's live leases, the truth about what it holds. */
    public Uni<JsonNode> leases(String workerId) {
        return downstream.json(NAME, HttpMethod.GET, backends.allocator() + "/leases?worker_id="
                + KeyPart.pathSegment(workerId), null, timeout, true, Credential.service());
    }

    /**
     * {@code GET /resources?label=<key>=<value>}: the registered resources carrying that label
     * (a rag collection offered for lease carries {@code collection=<name>}); a read, so retried.
     * The value must pass the id rule (the allocator's rule for label values).
     */
    public Uni<JsonNode> resourcesLabelled(String key, String value) {
        return downstream.json(NAME, HttpMethod.GET, backends.allocator() + "/resources?label="
                + URLEncoder.encode(key + "=" + value, StandardCharsets.UTF_8), null, timeout, true, Credential.service());
    }

    /** {@code GET /resources?type=<type>}: the registered resources of one type (its pool); a read, so retried. */
    public Uni<JsonNode> resourcesOfType(String type) {
        return downstream.json(NAME, HttpMethod.GET, backends.allocator() + "/resources?type="
                + URLEncoder.encode(type, StandardCharsets.UTF_8), null, timeout, true, Credential.service());
    }

    /** {@code GET /stats}: resource counts per type and state. */
    public Uni<JsonNode> stats() {
        return downstream.json(NAME, HttpMethod.GET, backends.allocator() + "/stats", null, timeout, true, Credential.service());
    }
}

package io.envgrid.gateway.sandbox.http;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.runtime.annotations.RegisterForReflection;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The Sandbox API's request and response bodies as records, so its OpenAPI document
 * ({@code /q/openapi}) describes what is really sent and answered. Requests are read into these
 * records by {@link StrictBodies} (unknown fields and wrong JSON types are 400 with the envelope
 * naming the field); what a record cannot say (required fields, bounds, ids) the resource checks.
 */
public final class SandboxBodies {

    private SandboxBodies() {
    }

    /** {@code POST /execute}. */
    @RegisterForReflection
    @Schema(name = "ExecuteRequest", example = "{\"worker_id\": \"job42/w1\", \"action\": \"vm:click\", \"params\": {\"x\": 100, \"y\": 200}}")
    public record ExecuteRequest(
            @Schema(description = "The worker acting; required for a stateful backend's tool") @JsonProperty("worker_id") String workerId,
            @Schema(required = true, description = "Tool name: vm:click, a unique short name, or an API tool") String action,
            @Schema(description = "The tool's arguments, checked against its input_schema (GET /tools)") ObjectNode params) {
    }

    /** One action of a batch. */
    @RegisterForReflection
    @Schema(name = "BatchAction")
    public record BatchAction(@Schema(required = true) String action,
            @Schema(description = "The tool's arguments") ObjectNode params) {
    }

    /** {@code POST /execute/batch}: checked whole before any action runs. */
    @RegisterForReflection
    @Schema(name = "BatchRequest", example = "{\"worker_id\": \"job42/w1\", \"actions\": [{\"action\": \"vm:screenshot\"}, "
            + "{\"action\": \"vm:typing\", \"params\": {\"text\": \"ls\"}}], \"parallel\": false, \"stop_on_error\": true}")
    public record BatchRequest(
            @Schema(required = true) @JsonProperty("worker_id") String workerId,
            @Schema(required = true, minItems = 1, maxItems = SandboxResource.MAX_BATCH) List<BatchAction> actions,
            @Schema(description = "Run the actions at once (default: in order)") Boolean parallel,
            @Schema(description = "Skip the actions after a failure") @JsonProperty("stop_on_error") Boolean stopOnError) {
    }

    /** {@code POST /session/create} and {@code /session/destroy} ({@code config} only for create). */
    @RegisterForReflection
    @Schema(name = "SessionRequest", example = "{\"worker_id\": \"job42/w1\", \"resource_type\": \"vm\", \"config\": {\"lease_timeout\": 900}}")
    public record SessionRequest(
            @Schema(required = true) @JsonProperty("worker_id") String workerId,
            @Schema(required = true, description = "A resource type of the profile whose backend has sessions (desktop, device, rag)") @JsonProperty("resource_type") String resourceType,
            @Schema(description = "Overrides of the profile's config (create only); checked after merging. A rag session's "
                    + "'collection' names the collection it leases") ObjectNode config) {
    }

    /** {@code POST /session/list}. */
    @RegisterForReflection
    @Schema(name = "WorkerRequest", example = "{\"worker_id\": \"job42/w1\"}")
    public record WorkerRequest(@Schema(required = true) @JsonProperty("worker_id") String workerId) {
    }

    /** {@code POST /warmup}. */
    @RegisterForReflection
    @Schema(name = "WarmupRequest", example = "{\"resources\": [\"vm\", \"rag\"]}")
    public record WarmupRequest(@Schema(description = "Resource types to warm up (all when absent)", maxItems = SandboxCatalogResource.MAX_WARMUP_TYPES) List<String> resources) {
    }

    /** The answer of {@code /execute}. */
    @RegisterForReflection
    @Schema(name = "ExecuteResponse", example = "{\"success\": true, \"data\": {\"status\": \"success\"}, \"tool\": \"click\", "
            + "\"resource_type\": \"vm\", \"session_id\": \"vm_tmp_1f0c…\", \"temporary_session\": true, \"execution_time_ms\": 41.2}")
    public record ExecuteResponse(boolean success, @Schema(description = "The tool's structured result (its output_schema)") JsonNode data,
            String tool, @JsonProperty("resource_type") String resourceType, @JsonProperty("session_id") String sessionId,
            @JsonProperty("temporary_session") boolean temporarySession, @JsonProperty("execution_time_ms") double executionTimeMs) {
    }

    /**
     * One entry of a batch answer: a result as {@link ExecuteResponse}, a failure with the error, or skipped; each names
     * its {@code tool} (short name) and {@code resource_type}.
     */
    @RegisterForReflection
    @Schema(name = "BatchResult")
    public record BatchResult(boolean success, JsonNode data, String tool, @JsonProperty("resource_type") String resourceType,
            @JsonProperty("session_id") String sessionId, @JsonProperty("temporary_session") Boolean temporarySession,
            Boolean skipped,
            @Schema(description = "The error envelope's body when the action failed") JsonNode error,
            @JsonProperty("execution_time_ms") Double executionTimeMs) {
    }

    /** The answer of {@code /execute/batch}. */
    @RegisterForReflection
    @Schema(name = "BatchResponse")
    public record BatchResponse(boolean success, List<BatchResult> results, @JsonProperty("execution_time_ms") double executionTimeMs) {
    }

    /** A session record ({@code /session/create}; {@code created: false} when the worker already had it). */
    @RegisterForReflection
    @Schema(name = "SessionResponse")
    public record SessionResponse(@JsonProperty("session_id") String sessionId, @JsonProperty("worker_id") String workerId,
            @JsonProperty("resource_type") String resourceType, String state, Boolean created, JsonNode resource, JsonNode config) {
    }

    /** The answer of {@code /session/list}. */
    @RegisterForReflection
    @Schema(name = "SessionListResponse")
    public record SessionListResponse(@JsonProperty("worker_id") String workerId, int count, List<SessionResponse> sessions) {
    }

    /** One tool of {@code GET /tools}. */
    @RegisterForReflection
    @Schema(name = "SandboxToolInfo")
    public record ToolInfo(String name, @JsonProperty("short_name") String shortName, @JsonProperty("resource_type") String resourceType,
            @Schema(enumeration = {"backend", "api"}) String kind, @JsonProperty("mcp_name") String mcpName, String description,
            @JsonProperty("input_schema") JsonNode inputSchema, @JsonProperty("output_schema") JsonNode outputSchema,
            JsonNode annotations) {
    }

    /** The answer of {@code GET /tools}. */
    @RegisterForReflection
    @Schema(name = "ToolsResponse")
    public record ToolsResponse(List<ToolInfo> tools, int count) {
    }
}

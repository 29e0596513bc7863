package io.envgrid.gateway.mcp.completion;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.mcp.protocol.JsonRpc;
import io.envgrid.gateway.mcp.prompts.ActionSpace;
import io.envgrid.gateway.mcp.prompts.PromptCatalog;
import io.envgrid.gateway.mcp.resources.GatewayResources;
import io.envgrid.gateway.mcp.resources.ResourceUris;
import io.envgrid.gateway.mcp.surface.McpError;
import io.envgrid.gateway.desktop.VmTypes;
import io.envgrid.gateway.lease.WorkerResources;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * {@code completion/complete} (2025-11-25 {@code server/utilities/completion}) for the arguments of
 * {@code desktop_task} ({@code action_space}, {@code resource_id}) and of the resource templates
 * ({@code resource_id}, {@code collection}, {@code type}, {@code device_id}), drawn from what the
 * session's worker holds. Suggestions start with the typed value (case-insensitive), sorted, at
 * most 100. A prompt or template this gateway does not have, or an argument with nothing to
 * suggest, gets no suggestions (the spec's -32602 is a SHOULD; an empty answer lets a client that
 * completes for several servers go on); a malformed {@code ref} or {@code argument} is -32602.
 */
@ApplicationScoped
public class Completions {

    /** The protocol's cap on suggestions per answer. */
    static final int MAX_VALUES = 100;
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final WorkerResources workers;
    private final GatewayResources resources;

    public Completions(WorkerResources workers, GatewayResources resources) {
        this.workers = workers;
        this.resources = resources;
    }

    /** Answers {@code {completion: {values, total, hasMore}}} for the worker ({@code null}: none bound). */
    public Uni<JsonNode> complete(String workerId, JsonNode params) {
        JsonNode ref = params.path("ref");
        String type = ref.path("type").asText("");
        String argument = params.path("argument").path("name").asText("");
        String typed = params.path("argument").path("value").asText("");
        if (argument.isEmpty() || !params.path("argument").path("value").isTextual()) {
            throw new McpError(JsonRpc.INVALID_PARAMS, "argument {name, value} is required");
        }
        JsonNode context = params.path("context").path("arguments");
        return switch (type) {
            case "ref/prompt" -> prompt(workerId, ref.path("name").asText(""), argument).map(v -> answer(v, typed));
            case "ref/resource" -> template(workerId, ref.path("uri").asText(""), argument, context).map(v -> answer(v, typed));
            default -> throw new McpError(JsonRpc.INVALID_PARAMS, "ref.type must be ref/prompt or ref/resource");
        };
    }

    private Uni<List<String>> prompt(String workerId, String name, String argument) {
        if (!PromptCatalog.TASK.equals(name)) {
            return none();
        }
        return switch (argument) {
            case "action_space" -> Uni.createFrom().item(ActionSpace.wireNames());
            case "resource_id" -> held(workerId, e -> VmTypes.isVm(e.path("type").asText()) ? e.path("id").asText() : null);
            default -> none();
        };
    }

    private Uni<List<String>> template(String workerId, String uri, String argument, JsonNode context) {
        if (ResourceUris.SCREENSHOT_TEMPLATE.equals(uri) && "resource_id".equals(argument)) {
            return held(workerId, e -> VmTypes.isVm(e.path("type").asText()) ? e.path("id").asText() : null);
        }
        if (ResourceUris.COLLECTION_TEMPLATE.equals(uri) && "collection".equals(argument)) {
            return resources.collectionNames(workerId);
        }
        if (ResourceUris.DEVICE_TEMPLATE.equals(uri)) {
            String type = context.path("type").asText("");
            return switch (argument) {
                case "type" -> held(workerId, e -> deviceType(e));
                case "device_id" -> held(workerId, e -> deviceType(e) != null && (type.isEmpty() || type.equals(deviceType(e)))
                        ? e.path("device_id").asText(null) : null);
                default -> none();
            };
        }
        return none();
    }

    /** {@code device_linux} → {@code linux}; null for a lease that is no device. */
    private static String deviceType(JsonNode entry) {
        String type = entry.path("type").asText("");
        return type.startsWith("device_") ? type.substring("device_".length()) : null;
    }

    private Uni<List<String>> held(String workerId, Function<JsonNode, String> value) {
        if (workerId == null) {
            return none();
        }
        return workers.all(workerId).map((Map<String, JsonNode> entries) -> entries.values().stream().map(value)
                .filter(v -> v != null && !v.isEmpty()).distinct().toList());
    }

    private static Uni<List<String>> none() {
        return Uni.createFrom().item(List.of());
    }

    static JsonNode answer(List<String> candidates, String typed) {
        String prefix = typed.toLowerCase(Locale.ROOT);
        List<String> matching = candidates.stream().filter(c -> c.toLowerCase(Locale.ROOT).startsWith(prefix)).sorted().toList();
        ObjectNode result = NODES.objectNode();
        ObjectNode completion = result.putObject("completion");
        ArrayNode values = completion.putArray("values");
        matching.stream().limit(MAX_VALUES).forEach(values::add);
        completion.put("total", matching.size()).put("hasMore", matching.size() > MAX_VALUES);
        return result;
    }
}

package io.envgrid.gateway.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.VmControllerApi;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.fetch.ApiTools;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * OSWorld task set-up ({@code config} lists) for desktops, through the vm-controller, which checks and runs the
 * steps. What the gateway adds: the {@code download} steps' files are fetched here, under the fetch rules
 * ({@code envgrid.gateway.task-downloads.*}), and passed on as {@code content}, since the controller does not reach
 * the internet; and a batch is checked whole before any desktop runs a step.
 */
@ApplicationScoped
public class TaskConfigs {

    private final VmControllerApi vmController;
    private final ApiTools fetch;
    private final GatewayConfig.TaskDownloads limits;

    public TaskConfigs(VmControllerApi vmController, ApiTools fetch, GatewayConfig config) {
        this.vmController = vmController;
        this.fetch = fetch;
        this.limits = config.taskDownloads();
    }

    /**
     * The config list given for one desktop, or null: {@code init.config}, where {@code init} is the init config of
     * the desktop's allocation key or else of its type. Not a list: 400.
     */
    public static JsonNode configOf(JsonNode initConfigs, String key, String type) {
        JsonNode init = initConfigs.has(key) ? initConfigs.get(key) : initConfigs.get(type);
        JsonNode config = init == null ? null : init.get("config");
        if (config == null || config.isNull()) {
            return null;
        }
        if (!config.isArray()) {
            throw ToolFailure.invalid("resource_init_configs." + key + ".config must be a list of OSWorld steps "
                    + "{type, parameters}");
        }
        return config;
    }

    /**
     * Asks the vm-controller to check {@code config} for the entry's desktop (whose controller session is open)
     * without running it; a refusal fails with the controller's 4xx and envelope. Downloads are not fetched for it.
     */
    public Uni<Void> check(String workerId, JsonNode entry, JsonNode config) {
        ArrayNode placeholder = config.deepCopy();
        for (ObjectNode file : downloadFiles(placeholder)) {
            if (!file.has("content")) {
                file.put("content", "");
            }
        }
        return vmController.act(workerId, entry, "task/setup?check_only=true", body(placeholder)).replaceWithVoid();
    }

    /**
     * {@code config} with every download file's bytes fetched (in order), base64 in {@code content}. More than
     * {@code task-downloads.max-files} files: 400 before any fetch; more than {@code max-bytes} in all: 400 as soon as
     * the running total passes it, so one task never holds more than that in the gateway's memory.
     */
    public Uni<JsonNode> fetched(JsonNode config) {
        ArrayNode copy = config.deepCopy();
        List<ObjectNode> files = downloadFiles(copy);
        if (files.size() > limits.maxFiles()) {
            return Uni.createFrom().failure(ToolFailure.invalid("a task may download at most " + limits.maxFiles()
                    + " files (task-downloads.max-files); this one names " + files.size()));
        }
        long[] total = {0};
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ObjectNode file : files) {
            if (file.has("content") || !file.path("url").isTextual()) {
                continue; // given inline, or malformed: the controller's check has the last word
            }
            chain = chain.chain(() -> fetch.download(file.get("url").asText()).invoke(bytes -> {
                total[0] += bytes.length;
                if (total[0] > limits.maxBytes()) {
                    throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, "the task's downloads are larger than "
                            + limits.maxBytes() + " bytes in all (task-downloads.max-bytes)",
                            java.util.Map.of("max_bytes", limits.maxBytes()));
                }
                file.put("content", Base64.getEncoder().encodeToString(bytes));
            }).replaceWithVoid());
        }
        return chain.replaceWith(copy);
    }

    /** Runs the (fetched) config on the entry's desktop: the controller's report {status, steps}. */
    public Uni<JsonNode> run(String workerId, JsonNode entry, JsonNode config) {
        return vmController.act(workerId, entry, "task/setup", body(config));
    }

    private static ObjectNode body(JsonNode config) {
        ObjectNode body = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode();
        body.set("config", config);
        return body;
    }

    private static List<ObjectNode> downloadFiles(ArrayNode config) {
        List<ObjectNode> files = new ArrayList<>();
        for (JsonNode step : config) {
            if (step.path("type").asText().equals("download")) {
                for (JsonNode file : step.path("parameters").path("files")) {
                    if (file instanceof ObjectNode object) {
                        files.add(object);
                    }
                }
            }
        }
        return files;
    }
}

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
import java.util.Map;

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
     * Refuses a desktop's task that names more than {@code task-downloads.max-files} download files: 400 before
     * anything of the call runs (no controller session opened, nothing fetched).
     */
    public void checkFileCount(String key, JsonNode config) {
        int files = downloadFiles(config).size();
        if (files > limits.maxFiles()) {
            throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, "resource_init_configs." + key + ".config: a task may "
                    + "download at most " + limits.maxFiles() + " files (task-downloads.max-files); this one names " + files,
                    Map.of("max_files", limits.maxFiles(), "files", files));
        }
    }

    /**
     * {@code config} with every download file's bytes fetched (in order), base64 in {@code content}. Each file is
     * read only up to what is left of {@code task-downloads.max-bytes} after the files before it: the first to pass
     * it is refused (400) as its bytes arrive, so one task never holds more than that in the gateway's memory.
     */
    public Uni<JsonNode> fetched(JsonNode config) {
        ArrayNode copy = config.deepCopy();
        long[] total = {0};
        Uni<Void> chain = Uni.createFrom().voidItem();
        for (ObjectNode file : downloadFiles(copy)) {
            if (file.has("content") || !file.path("url").isTextual()) {
                continue; // given inline, or malformed: the controller's check has the last word
            }
            String url = file.get("url").asText();
            chain = chain.chain(() -> fetch.download(url, (int) (limits.maxBytes() - total[0])).invoke(bytes -> {
                if (bytes.isEmpty()) {
                    throw new ToolFailure(400, ErrorCode.INVALID_PARAMETERS, "the task's downloads are larger than "
                            + limits.maxBytes() + " bytes in all (task-downloads.max-bytes); stopped in " + url,
                            Map.of("max_bytes", limits.maxBytes(), "url", url));
                }
                total[0] += bytes.get().length;
                file.put("content", Base64.getEncoder().encodeToString(bytes.get()));
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

    private static List<ObjectNode> downloadFiles(JsonNode config) {
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

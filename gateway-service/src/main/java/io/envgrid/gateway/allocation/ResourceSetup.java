package io.envgrid.gateway.allocation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.VmControllerApi;
import io.envgrid.gateway.task.TaskConfigs;
import io.envgrid.gateway.desktop.VmTypes;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.envgrid.gateway.lease.WorkerResources;
import io.envgrid.gateway.tool.ProgressSink;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Seed 000's {@code _sync_resource_sessions}: for each granted desktop a controller session (any
 * vm-controller replica serves it afterwards) and the type's init config; other types need no
 * session. Entries are checked against the allocator's live leases first, so a worker cannot set
 * up, and then drive, a desktop leased to someone else by passing its address.
 */
@ApplicationScoped
public class ResourceSetup {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final AllocatorApi allocator;
    private final VmControllerApi vmController;
    private final WorkerResources resources;
    private final TaskConfigs tasks;

    public ResourceSetup(AllocatorApi allocator, VmControllerApi vmController, WorkerResources resources,
            TaskConfigs tasks) {
        this.tasks = tasks;
        this.allocator = allocator;
        this.vmController = vmController;
        this.resources = resources;
    }

    /**
     * Sets up {@code entries} (allocation key → entry) for the worker. Each entry must name a resource
     * the worker holds a live lease on (403 {@code WORKER_MISMATCH} otherwise, nothing changed); the
     * entry used from then on is the worker's own record of the grant (endpoint and lease token as
     * the allocator answered them), so a posted entry cannot redirect the controller or borrow a
     * credential. An entry the record lacks (granted before this gateway knew it) is used as posted
     * only with its {@code lease_token}, which the controller checks against the allocator.
     */
    public Uni<JsonNode> setUp(String workerId, Map<String, JsonNode> entries, ObjectNode initConfigs, ProgressSink progress) {
        for (JsonNode entry : entries.values()) {
            IdRule.requireId("allocated_resources.id", entry.path("id").asText(""));
        }
        return Uni.combine().all().unis(allocator.leases(workerId), resources.all(workerId)).asTuple().chain(both -> {
            Map<String, Long> held = new HashMap<>();
            both.getItem1().forEach(l -> held.put(l.path("resource_id").asText(), l.path("fencing_token").asLong()));
            Map<String, JsonNode> recorded = new HashMap<>();
            both.getItem2().values().forEach(e -> recorded.put(e.path("id").asText(), e));
            ObjectNode owned = NODES.objectNode();
            entries.forEach((key, entry) -> {
                String id = entry.path("id").asText();
                Long token = held.get(id);
                if (token == null || (entry.has("fencing_token") && entry.path("fencing_token").asLong() != token)) {
                    throw new ToolFailure(403, ErrorCode.WORKER_MISMATCH, "worker '" + workerId
                            + "' holds no live lease on '" + id + "' (" + key + ")", Map.of("resource_id", id));
                }
                JsonNode own = recorded.getOrDefault(id, entry);
                owned.set(key, withType(key, own, token));
            });
            return resources.record(workerId, owned).chain(() -> checkTasks(workerId, owned, initConfigs))
                    .chain(fetched -> setUpEach(workerId, owned, initConfigs, fetched, progress));
        });
    }

    private static JsonNode withType(String key, JsonNode entry, long token) {
        ObjectNode copy = ((ObjectNode) entry).deepCopy();
        if (!copy.hasNonNull("type")) {
            copy.put("type", WorkerResources.typeOf(key));
        }
        copy.put("fencing_token", token);
        return copy;
    }

    /**
     * Every desktop's OSWorld task config ({@code resource_init_configs.<key or type>.config}) checked by the
     * controller before any desktop runs a step (a refusal fails the whole call, nothing ran), then its downloads
     * fetched: allocation key → the config to run.
     */
    private Uni<Map<String, JsonNode>> checkTasks(String workerId, ObjectNode owned, ObjectNode initConfigs) {
        Map<String, JsonNode> configs = new java.util.LinkedHashMap<>();
        owned.fields().forEachRemaining(f -> {
            JsonNode config = TaskConfigs.configOf(initConfigs, f.getKey(), f.getValue().path("type").asText());
            if (config != null) {
                if (!VmTypes.isVm(f.getValue().path("type").asText())) {
                    throw ToolFailure.invalid("resource_init_configs." + f.getKey()
                            + ".config: OSWorld task steps run on desktops only");
                }
                tasks.checkFileCount(f.getKey(), config);
                configs.put(f.getKey(), config);
            }
        });
        Uni<Void> checks = Uni.createFrom().voidItem();
        for (Map.Entry<String, JsonNode> e : configs.entrySet()) {
            JsonNode entry = owned.get(e.getKey());
            checks = checks.chain(() -> vmController.openSession(workerId, entry)
                    .chain(() -> tasks.check(workerId, entry, e.getValue())));
        }
        Map<String, JsonNode> fetched = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : configs.entrySet()) {
            checks = checks.chain(() -> tasks.fetched(e.getValue()).invoke(f -> fetched.put(e.getKey(), f))
                    .replaceWithVoid());
        }
        return checks.replaceWith(fetched);
    }

    private Uni<JsonNode> setUpEach(String workerId, ObjectNode owned, ObjectNode initConfigs,
            Map<String, JsonNode> taskConfigs, ProgressSink progress) {
        AtomicInteger done = new AtomicInteger();
        int total = owned.size();
        List<String> keys = new ArrayList<>();
        List<Uni<JsonNode>> results = new ArrayList<>();
        owned.fields().forEachRemaining(f -> {
            keys.add(f.getKey());
            String type = f.getValue().path("type").asText();
            JsonNode init = initConfigs.has(f.getKey()) ? initConfigs.get(f.getKey()) : initConfigs.get(type);
            results.add(setUpOne(workerId, f.getValue(), init, taskConfigs.get(f.getKey()))
                    .onFailure().recoverWithItem(e -> outcome(false, e.getMessage()))
                    .invoke(r -> progress.report(done.incrementAndGet(), (double) total, "set up " + f.getKey())));
        });
        return Uni.join().all(results).andFailFast().map(list -> {
            ObjectNode details = NODES.objectNode();
            int ok = 0;
            for (int i = 0; i < keys.size(); i++) {
                details.set(keys.get(i), list.get(i));
                ok += list.get(i).path("success").asBoolean() ? 1 : 0;
            }
            ObjectNode answer = NODES.objectNode();
            answer.put("status", ok == keys.size() ? "success" : ok == 0 ? "failed" : "partial");
            answer.set("details", details);
            return answer;
        });
    }

    private Uni<JsonNode> setUpOne(String workerId, JsonNode entry, JsonNode initConfig, JsonNode taskConfig) {
        if (!VmTypes.isVm(entry.path("type").asText())) {
            return Uni.createFrom().item(outcome(true, "No session needed for this resource type (Success)"));
        }
        Uni<JsonNode> session = vmController.openSession(workerId, entry);
        JsonNode commands = initConfig == null ? null : initConfig.get("commands");
        Uni<Integer> ran = commands == null || !commands.isArray() || commands.isEmpty()
                ? session.map(s -> 0) : session.chain(s -> runCommands(workerId, entry, commands, 0));
        if (taskConfig == null) {
            return ran.map(n -> outcome(true, n == 0 ? "No init logic defined (Success)"
                    : "Controller session open; " + n + " init command(s) ran"));
        }
        // the task's steps after the init commands; the report's steps are the per-step results
        return ran.chain(n -> tasks.run(workerId, entry, taskConfig)).map(report -> {
            boolean success = "success".equals(report.path("status").asText());
            ObjectNode outcome = (ObjectNode) outcome(success, success
                    ? "Controller session open; " + report.path("steps").size() + " task step(s) ran"
                    : "a task step failed: " + failedStep(report));
            outcome.set("steps", report.path("steps"));
            return outcome;
        });
    }

    private static String failedStep(JsonNode report) {
        for (JsonNode step : report.path("steps")) {
            if ("failed".equals(step.path("status").asText())) {
                return "step " + step.path("index").asInt() + " (" + step.path("type").asText() + "): "
                        + step.path("message").asText();
            }
        }
        return report.toString();
    }

    /** Init commands run one after another, stopping at the first that fails. */
    private Uni<Integer> runCommands(String workerId, JsonNode entry, JsonNode commands, int index) {
        if (index == commands.size()) {
            return Uni.createFrom().item(index);
        }
        JsonNode command = commands.get(index);
        ObjectNode body = NODES.objectNode();
        body.set("command", command);
        body.put("shell", command.isTextual());
        return vmController.act(workerId, entry, "commands", body).chain(result -> {
            if (result.path("returncode").asInt(0) != 0) {
                throw new ToolFailure(502, ErrorCode.BACKEND_ERROR, "init command " + command + " failed: "
                        + result.path("error").asText(result.toString()), Map.of());
            }
            return runCommands(workerId, entry, commands, index + 1);
        });
    }

    private static JsonNode outcome(boolean success, String message) {
        return NODES.objectNode().put("success", success).put("message", message);
    }
}

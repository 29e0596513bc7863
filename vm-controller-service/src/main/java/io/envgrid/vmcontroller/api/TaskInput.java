package io.envgrid.vmcontroller.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.envgrid.vmcontroller.error.ApiException;
import io.envgrid.vmcontroller.error.ErrorCode;
import io.envgrid.vmcontroller.evaluation.EvaluatorSpec;
import io.envgrid.vmcontroller.evaluation.Getter;
import io.envgrid.vmcontroller.evaluation.Metric;
import io.envgrid.vmcontroller.evaluation.Metrics;
import io.envgrid.vmcontroller.task.SetupStep;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An OSWorld task's {@code config} list and {@code evaluator} block (the public task JSON format), checked whole
 * before anything runs: an unknown step type, getter or metric is {@code 400 UNSUPPORTED_TASK_FEATURE} naming it, a
 * malformed parameter {@code 400 INVALID_PARAMETERS}; {@code details} carry {@code index} (and {@code field}).
 * Parameters a step or getter does not take are refused, as Python refuses an unknown keyword argument.
 */
final class TaskInput {

    /** The longest {@code sleep} step: set-up waits for programs, not for a caller wanting to hold a thread. */
    static final Duration MAX_SLEEP = Duration.ofSeconds(60);

    /** The most steps one {@code config} (or {@code postconfig}) list may have; OSWorld's tasks use a handful. */
    static final int MAX_STEPS = 100;

    /** The most all {@code sleep} steps of one list may wait together. */
    static final Duration MAX_TOTAL_SLEEP = Duration.ofSeconds(120);

    /** Step types of OSWorld's setup.py that need something the in-VM protocol cannot give. */
    private static final Map<String, String> NOT_RUN_STEPS = Map.of(
            "upload_file", "reads a file on the controller's host (local_path); use download or a command",
            "chrome_open_tabs", "needs Chrome's remote debugging port", "chrome_close_tabs",
            "needs Chrome's remote debugging port", "googledrive", "needs Google Drive credentials", "login",
            "needs a browser session", "update_browse_history", "needs Chrome's profile", "act",
            "is not implemented by OSWorld either", "replay", "is not implemented by OSWorld either", "tidy_desktop",
            "is not implemented by OSWorld either");

    private static final Set<String> GETTER_TYPES = Set.of("vm_file", "vm_command_line", "vm_command_error",
            "accessibility_tree", "list_directory", "rule");

    private TaskInput() {
    }

    /** The {@code config} list as steps; {@code null} or missing is no step. */
    static List<SetupStep> steps(JsonNode config, String field) {
        if (config == null || config.isNull() || config.isMissingNode()) {
            return List.of();
        }
        if (!config.isArray()) {
            throw invalid(field + " must be a list of {type, parameters}", field, -1);
        }
        if (config.size() > MAX_STEPS) {
            throw invalid(field + " may have up to " + MAX_STEPS + " steps; it has " + config.size(), field, -1);
        }
        List<SetupStep> steps = new ArrayList<>();
        Duration slept = Duration.ZERO;
        for (int i = 0; i < config.size(); i++) {
            SetupStep step = step(config.get(i), field, i);
            if (step instanceof SetupStep.Sleep sleep) {
                slept = slept.plus(sleep.duration());
                if (slept.compareTo(MAX_TOTAL_SLEEP) > 0) {
                    throw invalid(field + "'s sleep steps may wait up to " + MAX_TOTAL_SLEEP.toSeconds()
                            + " s together; step " + i + " goes past that", field, i);
                }
            }
            steps.add(step);
        }
        return steps;
    }

    private static SetupStep step(JsonNode node, String field, int index) {
        if (!node.isObject() || !node.path("type").isTextual()) {
            throw invalid(field + "[" + index + "] must be {type, parameters}", field, index);
        }
        String type = node.get("type").asText();
        JsonNode parameters = node.has("parameters") && !node.get("parameters").isNull() ? node.get("parameters")
                : JsonNodeFactory.instance.objectNode();
        if (!parameters.isObject()) {
            throw invalid(field + "[" + index + "].parameters must be an object", field, index);
        }
        Params p = new Params(parameters, field + "[" + index + "].parameters", index);
        SetupStep step = switch (type) {
            case "launch" -> {
                p.allow("command", "shell");
                DesktopInput.Command command = p.command();
                yield new SetupStep.Launch(command.command(), command.shell());
            }
            case "execute", "command" -> {
                // stdout/stderr name files OSWorld writes the output to on its own host; the report carries it
                p.allow("command", "shell", "stdout", "stderr");
                p.optionalString("stdout");
                p.optionalString("stderr");
                DesktopInput.Command command = p.command();
                yield new SetupStep.Execute(type, command.command(), command.shell());
            }
            case "open" -> {
                p.allow("path");
                yield new SetupStep.Open(p.path("path"));
            }
            case "download" -> {
                p.allow("files");
                yield new SetupStep.Download(p.files());
            }
            case "sleep" -> {
                p.allow("seconds");
                JsonNode seconds = parameters.get("seconds");
                if (seconds == null || !seconds.isNumber() || seconds.asDouble() < 0
                        || seconds.asDouble() > MAX_SLEEP.toSeconds()) {
                    throw invalid(p.where + ".seconds must be a number from 0 to " + MAX_SLEEP.toSeconds(), field, index);
                }
                yield new SetupStep.Sleep(Duration.ofMillis(Math.round(seconds.asDouble() * 1000)));
            }
            case "activate_window", "close_window" -> {
                p.allow("window_name", "strict", "by_class");
                String name = p.string("window_name");
                yield new SetupStep.Window(type, name, p.flag("strict"), p.flag("by_class"));
            }
            default -> throw unsupported("config step type '" + type + "' "
                    + NOT_RUN_STEPS.getOrDefault(type, "is not supported") + " (supported: launch, execute, command, "
                    + "open, download, sleep, activate_window, close_window)", field, index, type);
        };
        return step;
    }

    /** The {@code evaluator} block; the {@code func} list and the getter lists pair by index. */
    static EvaluatorSpec evaluator(JsonNode evaluator) {
        if (evaluator == null || !evaluator.isObject()) {
            throw invalid("evaluator must be an object {func, result, expected?, options?, postconfig?, conj?}",
                    "evaluator", -1);
        }
        for (Iterator<String> names = evaluator.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!Set.of("func", "result", "expected", "options", "postconfig", "conj").contains(name)) {
                throw invalid("evaluator." + name + " is not a field of an OSWorld evaluator", "evaluator", -1);
            }
        }
        List<SetupStep> postconfig = steps(evaluator.get("postconfig"), "evaluator.postconfig");
        JsonNode func = evaluator.get("func");
        boolean many = func != null && func.isArray();
        List<JsonNode> funcs = many ? list(func) : func == null ? List.of() : List.of(func);
        if (funcs.isEmpty()) {
            throw invalid("evaluator.func is required: a metric name or a list of them", "evaluator.func", -1);
        }
        String conj = evaluator.path("conj").asText("and");
        if (!conj.equals("and") && !conj.equals("or")) {
            throw invalid("evaluator.conj must be 'and' or 'or'", "evaluator.conj", -1);
        }
        List<EvaluatorSpec.Check> checks = new ArrayList<>();
        for (int i = 0; i < funcs.size(); i++) {
            checks.add(check(funcs.get(i), paired(evaluator, "result", many, i, funcs.size()),
                    paired(evaluator, "expected", many, i, funcs.size()),
                    paired(evaluator, "options", many, i, funcs.size()), i));
        }
        return new EvaluatorSpec(postconfig, checks, conj.equals("and"));
    }

    private static EvaluatorSpec.Check check(JsonNode func, JsonNode result, JsonNode expected, JsonNode options,
            int index) {
        if (!func.isTextual()) {
            throw invalid("evaluator.func must be metric names", "evaluator.func", index);
        }
        if (func.asText().equals("infeasible")) {
            throw unsupported("evaluator func 'infeasible' scores the agent's last action (FAIL), which the desktop "
                    + "does not know; judge it where the actions are", "evaluator.func", index, "infeasible");
        }
        Metric metric = Metric.named(func.asText()).orElseThrow(() -> unsupported("evaluator metric '" + func.asText()
                + "' is not supported (supported: " + String.join(", ", java.util.Arrays.stream(Metric.values())
                        .map(Metric::func).toList()) + ")", "evaluator.func", index, func.asText()));
        JsonNode opts = options == null || options.isNull() ? JsonNodeFactory.instance.objectNode() : options;
        if (!opts.isObject()) {
            throw invalid("evaluator.options must be an object per func", "evaluator.options", index);
        }
        for (Iterator<String> names = opts.fieldNames(); names.hasNext();) {
            String name = names.next();
            if (!metric.options().contains(name)) {
                throw invalid(metric.func() + " takes no option '" + name + "'", "evaluator.options", index);
            }
        }
        if (opts.path("is_yaml").asBoolean(false)) {
            throw unsupported("check_json with is_yaml is not supported (JSON files only)", "evaluator.options", index,
                    "is_yaml");
        }
        if (result == null || result.isNull()) {
            throw invalid("evaluator.result is required for " + metric.func(), "evaluator.result", index);
        }
        if (expected == null || expected.isNull()) {
            throw invalid("evaluator.expected is required for " + metric.func(), "evaluator.expected", index);
        }
        Getter resultGetter = getter(result, "evaluator.result", index);
        Getter expectedGetter = getter(expected, "evaluator.expected", index);
        if (expectedGetter instanceof Getter.Rule rule) {
            try {
                Metrics.checkRules(metric, rule.rules());
            } catch (IllegalArgumentException e) {
                throw invalid(metric.func() + ": " + e.getMessage(), "evaluator.expected", index);
            }
        } else if (metric != Metric.COMPARE_TEXT_FILE) {
            throw invalid(metric.func() + " takes its expectation as a rule getter ({\"type\": \"rule\", \"rules\": "
                    + "{...}})", "evaluator.expected", index);
        }
        return new EvaluatorSpec.Check(metric, resultGetter, expectedGetter, opts);
    }

    private static Getter getter(JsonNode node, String field, int index) {
        if (!node.isObject() || !node.path("type").isTextual()) {
            throw invalid(field + " must be a getter {type, ...}", field, index);
        }
        String type = node.get("type").asText();
        if (!GETTER_TYPES.contains(type)) {
            throw unsupported("evaluator getter '" + type + "' is not supported (supported: "
                    + String.join(", ", GETTER_TYPES.stream().sorted().toList()) + ")", field, index, type);
        }
        Params p = new Params(node, field, index);
        return switch (type) {
            case "vm_file" -> {
                // dest is where OSWorld stores the copy on its own host; envgrid keeps it in memory
                p.allow("type", "path", "dest");
                p.optionalString("dest");
                yield new Getter.VmFile(p.path("path"));
            }
            case "vm_command_line", "vm_command_error" -> {
                p.allow("type", "command", "shell");
                DesktopInput.Command command = p.command();
                yield new Getter.VmCommand(type, command.command(), command.shell());
            }
            case "accessibility_tree" -> {
                p.allow("type");
                yield new Getter.AccessibilityTree();
            }
            case "list_directory" -> {
                p.allow("type", "path");
                yield new Getter.ListDirectory(p.path("path"));
            }
            default -> {
                p.allow("type", "rules");
                if (!node.path("rules").isObject()) {
                    throw invalid(field + ".rules must be an object", field, index);
                }
                yield new Getter.Rule(node.get("rules"));
            }
        };
    }

    private static JsonNode paired(JsonNode evaluator, String name, boolean many, int index, int count) {
        JsonNode value = evaluator.get(name);
        if (!many || value == null || value.isNull()) {
            return value;
        }
        if (!value.isArray() || value.size() != count) {
            throw invalid("evaluator." + name + " must be a list as long as func (" + count + ")", "evaluator." + name,
                    -1);
        }
        return value.get(index);
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }

    private static ApiException invalid(String message, String field, int index) {
        return new ApiException(400, ErrorCode.INVALID_PARAMETERS, message, details(field, index, null));
    }

    private static ApiException unsupported(String message, String field, int index, String name) {
        return new ApiException(400, ErrorCode.UNSUPPORTED_TASK_FEATURE, message, details(field, index, name));
    }

    private static Map<String, Object> details(String field, int index, String name) {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("field", field);
        if (index >= 0) {
            details.put("index", index);
        }
        if (name != null) {
            details.put("unsupported", name);
        }
        return details;
    }

    /** The parameters of one step or getter, read strictly. */
    private static final class Params {
        private final JsonNode node;
        private final String where;
        private final int index;

        Params(JsonNode node, String where, int index) {
            this.node = node;
            this.where = where;
            this.index = index;
        }

        void allow(String... names) {
            Set<String> allowed = Set.of(names);
            for (Iterator<String> it = node.fieldNames(); it.hasNext();) {
                String name = it.next();
                if (!allowed.contains(name)) {
                    throw invalid(where + " has no parameter '" + name + "' (takes " + String.join(", ", names) + ")",
                            where, index);
                }
            }
        }

        DesktopInput.Command command() {
            JsonNode shell = node.get("shell");
            if (shell != null && !shell.isNull() && !shell.isBoolean()) {
                throw invalid(where + ".shell must be true or false", where, index);
            }
            try {
                return DesktopInput.command(new Requests.Command(node.get("command"), shell != null && shell.asBoolean()));
            } catch (ApiException e) {
                throw invalid(where + ": " + e.getMessage(), where, index);
            }
        }

        String string(String name) {
            JsonNode value = node.get(name);
            if (value == null || !value.isTextual() || value.asText().isEmpty()
                    || value.asText().indexOf('\0') >= 0) {
                throw invalid(where + "." + name + " must be a non-empty string without NUL", where, index);
            }
            return value.asText();
        }

        void optionalString(String name) {
            JsonNode value = node.get(name);
            if (value != null && !value.isNull() && !value.isTextual()) {
                throw invalid(where + "." + name + " must be a string", where, index);
            }
        }

        String path(String name) {
            try {
                return DesktopInput.path(where + "." + name, node.path(name).isTextual() ? node.get(name).asText() : null);
            } catch (ApiException e) {
                throw invalid(e.getMessage(), where, index);
            }
        }

        boolean flag(String name) {
            JsonNode value = node.get(name);
            if (value != null && !value.isNull() && !value.isBoolean()) {
                throw invalid(where + "." + name + " must be true or false", where, index);
            }
            return value != null && value.asBoolean();
        }

        List<SetupStep.FileToPlace> files() {
            JsonNode files = node.get("files");
            if (files == null || !files.isArray() || files.isEmpty()) {
                throw invalid(where + ".files must be a non-empty list of {url, path}", where, index);
            }
            List<SetupStep.FileToPlace> out = new ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                JsonNode file = files.get(i);
                Params f = new Params(file, where + ".files[" + i + "]", index);
                if (!file.isObject()) {
                    throw invalid(f.where + " must be {url, path}", where, index);
                }
                f.allow("url", "path", "content");
                String url = f.string("url");
                String path = f.path("path");
                if (!file.path("content").isTextual()) {
                    // the controller does not reach the internet: the gateway fetches under its fetch rules
                    throw unsupported(f.where + ": a download's file must come with its fetched content (base64); "
                            + "send the task through the gateway, which fetches url under its fetch rules",
                            where, index, "download");
                }
                try {
                    out.add(new SetupStep.FileToPlace(url, path, Base64.getDecoder().decode(file.get("content").asText())));
                } catch (IllegalArgumentException e) {
                    throw invalid(f.where + ".content is not base64", where, index);
                }
            }
            return out;
        }
    }
}

package io.envgrid.vmcontroller.api;

import com.fasterxml.jackson.databind.JsonNode;
import io.envgrid.vmcontroller.evaluation.EvaluatorSpec;
import io.envgrid.vmcontroller.evaluation.Getter;
import io.envgrid.vmcontroller.evaluation.Metric;
import io.envgrid.vmcontroller.evaluation.Metrics;
import io.envgrid.vmcontroller.task.Parameters;
import io.envgrid.vmcontroller.task.SetupStep;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * An OSWorld task's {@code evaluator} block, checked whole before anything runs, with the same reader as the steps
 * ({@link Parameters}): an unknown getter or metric is {@code 400 UNSUPPORTED_TASK_FEATURE} naming it, a malformed
 * parameter, option or rule {@code 400 INVALID_PARAMETERS} naming it.
 */
final class EvaluatorInput {

    /**
     * The most checks ({@code func} entries) one evaluator may have. OSWorld's evaluators have one to five (the
     * 486 task files of an OSWorld fork's {@code evaluation_examples}: 455 have one, none more than five); ten times
     * that leaves room for tasks of one's own, while a list of thousands (each reading the desktop afresh) is refused
     * before anything runs.
     */
    static final int MAX_CHECKS = 50;

    private static final Set<String> FIELDS = Set.of("func", "result", "expected", "options", "postconfig", "conj");

    private static final Set<String> GETTER_TYPES = Set.of("vm_file", "vm_command_line", "vm_command_error",
            Getter.DesktopRead.ACCESSIBILITY_TREE, Getter.DesktopRead.SCREEN_SIZE, "list_directory", "rule");

    /** OSWorld getters envgrid does not serve, and why. */
    private static final Map<String, String> NOT_SERVED_GETTERS = Map.of(
            "cloud_file", "downloads a file from the internet, which the vm-controller does not reach",
            "cache_file", "reads OSWorld's controller-side cache (files an execute step's stdout wrote), which envgrid "
                    + "does not keep; read the file on the desktop with vm_file",
            "vm_window_size", "needs the desktop's /window_size route, which the device agent does not serve",
            "vm_wallpaper", "needs the desktop's /wallpaper route, which the device agent does not serve");

    private EvaluatorInput() {
    }

    /** The {@code evaluator} block; the {@code func} list and the getter lists pair by index. */
    static EvaluatorSpec evaluator(JsonNode evaluator) {
        if (evaluator == null || !evaluator.isObject()) {
            throw TaskInput.invalid("evaluator must be an object {func, result, expected?, options?, postconfig?, "
                    + "conj?}", "evaluator", -1);
        }
        Parameters block = Parameters.of(evaluator, "evaluator", "evaluator", -1).allow(FIELDS);
        List<SetupStep> postconfig = TaskInput.steps(evaluator.get("postconfig"), "evaluator.postconfig");
        JsonNode func = block.raw("func");
        boolean many = func != null && func.isArray();
        List<JsonNode> funcs = many ? list(func) : func == null ? List.of() : List.of(func);
        if (funcs.isEmpty()) {
            throw block.invalid("func", "is required: a metric name or a list of them");
        }
        if (funcs.size() > MAX_CHECKS) {
            throw block.invalid("func", "may list up to " + MAX_CHECKS + " metrics; it lists " + funcs.size());
        }
        String conj = block.optionalString("conj") == null ? "and" : block.optionalString("conj");
        if (!conj.equals("and") && !conj.equals("or")) {
            throw block.invalid("conj", "must be 'and' or 'or'");
        }
        if (!many && func.isTextual() && func.asText().equals("infeasible")) {
            // OSWorld's infeasible tasks carry no getters: the score is whether the agent gave up (its last action)
            block.allow("func", "postconfig", "conj");
            return new EvaluatorSpec(postconfig, List.of(), conj.equals("and"), true);
        }
        List<EvaluatorSpec.Check> checks = new ArrayList<>();
        for (int i = 0; i < funcs.size(); i++) {
            checks.add(check(funcs.get(i), paired(block, "result", many, i, funcs.size()),
                    paired(block, "expected", many, i, funcs.size()),
                    paired(block, "options", many, i, funcs.size()), i));
        }
        return new EvaluatorSpec(postconfig, checks, conj.equals("and"), false);
    }

    private static EvaluatorSpec.Check check(JsonNode func, JsonNode result, JsonNode expected, JsonNode options,
            int index) {
        Parameters at = Parameters.of(null, "evaluator", "evaluator", index);
        if (!func.isTextual()) {
            throw at.invalid("func", "must be metric names");
        }
        if (func.asText().equals("infeasible")) {
            throw at.invalid("func", "'infeasible' stands alone ({\"func\": \"infeasible\"}), not in a list");
        }
        Metric metric = Metric.named(func.asText()).orElseThrow(() -> at.unsupported("func", "evaluator metric '"
                + func.asText() + "' is not supported (supported: infeasible, " + String.join(", ",
                        Arrays.stream(Metric.values()).map(Metric::func).toList()) + ")", func.asText()));
        Parameters opts = Parameters.of(options, "evaluator.options", "evaluator.options", index)
                .allow(metric.options());
        metric.options().stream().filter(name -> !name.equals("osname")).forEach(opts::flag); // the others are flags
        if (opts.flag("is_yaml")) {
            throw opts.unsupported("is_yaml", "check_json with is_yaml is not supported (JSON files only)", "is_yaml");
        }
        String osname = opts.optionalString("osname");
        if (osname != null && !osname.equals("ubuntu")) {
            throw opts.unsupported("osname", "check_accessibility_tree reads the ubuntu namespaces of the desktop's "
                    + "tree; osname '" + osname + "' is not supported", "osname");
        }
        if (result == null || result.isNull()) {
            throw at.invalid("result", "is required for " + metric.func());
        }
        if (expected == null || expected.isNull()) {
            throw at.invalid("expected", "is required for " + metric.func());
        }
        Getter resultGetter = getter(result, "evaluator.result", index);
        Parameters expectedAt = Parameters.of(expected, "evaluator.expected", "evaluator.expected", index);
        Getter expectedGetter = getter(expected, "evaluator.expected", index);
        if (expectedGetter instanceof Getter.Rule) {
            Metrics.checkRules(metric, expectedAt);
        } else if (metric != Metric.COMPARE_TEXT_FILE) {
            throw expectedAt.invalid(null, "must be a rule getter ({\"type\": \"rule\", \"rules\": ...}) for "
                    + metric.func());
        }
        return new EvaluatorSpec.Check(metric, resultGetter, expectedGetter, options == null || options.isNull()
                ? com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode() : options);
    }

    private static Getter getter(JsonNode node, String field, int index) {
        if (node == null || !node.isObject() || !node.path("type").isTextual()) {
            throw TaskInput.invalid(field + " must be a getter {type, ...}", field, index);
        }
        String type = node.get("type").asText();
        Parameters p = Parameters.of(node, field, field, index);
        if (!GETTER_TYPES.contains(type)) {
            throw p.unsupported("type", "evaluator getter '" + type + "' " + NOT_SERVED_GETTERS.getOrDefault(type,
                    "is not supported") + " (supported: " + String.join(", ", new TreeSet<>(GETTER_TYPES)) + ")", type);
        }
        return switch (type) {
            case "vm_file" -> {
                // dest is where OSWorld stores the copy on its own host; envgrid keeps it in memory
                p.allow("type", "path", "dest").optionalString("dest");
                yield new Getter.VmFile(type, TaskInput.path(p, "path"));
            }
            case "vm_command_line", "vm_command_error" -> {
                DesktopInput.Command command = TaskInput.command(p.allow("type", "command", "shell"));
                yield new Getter.VmCommand(type, command.command(), command.shell());
            }
            case "list_directory" -> new Getter.ListDirectory(type, TaskInput.path(p.allow("type", "path"), "path"));
            case "rule" -> {
                JsonNode rules = p.allow("type", "rules").raw("rules");
                if (rules == null || !(rules.isObject() || rules.isArray())) {
                    throw p.invalid("rules", "must be an object (or a list, for check_accessibility_tree)");
                }
                yield new Getter.Rule(type, rules);
            }
            default -> {
                p.allow("type");
                yield new Getter.DesktopRead(type);
            }
        };
    }

    private static JsonNode paired(Parameters block, String name, boolean many, int index, int count) {
        JsonNode value = block.raw(name);
        if (!many || value == null) {
            return value;
        }
        if (!value.isArray() || value.size() != count) {
            throw block.invalid(name, "must be a list as long as func (" + count + ")");
        }
        return value.get(index);
    }

    private static List<JsonNode> list(JsonNode array) {
        List<JsonNode> out = new ArrayList<>();
        array.forEach(out::add);
        return out;
    }
}

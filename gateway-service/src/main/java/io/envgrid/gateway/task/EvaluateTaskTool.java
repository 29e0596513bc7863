package io.envgrid.gateway.task;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.desktop.Desktops;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolAnnotations;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * {@code evaluate_task} (MCP; Sandbox {@code vm:evaluate_task}): scores the worker's desktop with an OSWorld
 * {@code evaluator} block, run by the vm-controller on the desktop the worker holds (its lease is checked on the
 * call): {@code {evaluator, resource_id?}} → {@code {score, conj, metrics: [{func, result, expected, score,
 * absent?}], postconfig?}}. Unsupported getters and metrics are refused (400 {@code UNSUPPORTED_TASK_FEATURE}).
 */
@Singleton
public class EvaluateTaskTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("evaluate_task",
            "Score the worker's desktop with an OSWorld task's evaluator block ({func, result, expected, options, "
                    + "postconfig, conj}; getters vm_file, vm_command_line, vm_command_error, accessibility_tree, "
                    + "list_directory, rule; metrics exact_match, check_include_exclude, match_in_list, is_in_list, "
                    + "fuzzy_match, check_list, check_json, compare_text_file) -> {score: 0..1, conj, metrics}",
            Schema.object().workerId()
                    .freeObject("evaluator", "The evaluator block of an OSWorld task JSON", true)
                    .resourceId("The desktop to score, when the worker holds several")
                    .build(),
            Schema.output().typed("score", "The task's score, 0 to 1", true, "number").build(),
            ToolAnnotations.ACTS, ToolScope.session("desktop"), false, "desktop:evaluate_task");

    private final Desktops desktops;

    public EvaluateTaskTool(Desktops desktops) {
        super(SPEC);
        this.desktops = desktops;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        JsonNode evaluator = call.args().optionalObject("evaluator");
        if (evaluator == null) {
            throw ToolFailure.invalid("'evaluator' is required: the evaluator block of an OSWorld task");
        }
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.set("evaluator", evaluator);
        return desktops.act(call.workerId(), call.args().optionalString("resource_id"), "task/evaluate", body)
                .map(ToolResult::of);
    }
}

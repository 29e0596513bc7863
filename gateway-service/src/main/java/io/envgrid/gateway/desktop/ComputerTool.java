package io.envgrid.gateway.desktop;

import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolAnnotations;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.Args;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Seed 000's {@code computer} tool on the worker's desktop. Reads go to the controller's
 * observation endpoints (a screenshot also comes back as an image); actions become computer_13
 * actions, run in order, stopping at the first the controller refuses.
 */
@Singleton
public class ComputerTool extends BaseTool {

    static final String NAME = "computer";

    private static final ToolSpec SPEC = new ToolSpec(NAME,
            "Use the worker's desktop: screenshot, cursor_position, mouse_move, left_click, right_click, middle_click, "
                    + "double_click, triple_click (optional coordinate [x, y]), left_click_drag (start_coordinate, "
                    + "coordinate), left_mouse_down, left_mouse_up, type (text), key (text, e.g. \"Return\" or "
                    + "\"ctrl+c\"; \"ctrl++\" is ctrl with plus; pyautogui or xdotool key names), scroll "
                    + "(scroll_direction, scroll_amount, optional coordinate), wait.",
            Schema.object().workerId()
                    .enumeration("action", "What to do", true, ComputerActions.ACTIONS)
                    .integerPair("coordinate", "[x, y] in screen pixels", false, Computer13Space.MAX_COORDINATE)
                    .integerPair("start_coordinate", "[x, y] where a drag starts", false, Computer13Space.MAX_COORDINATE)
                    .string("text", "Text to type, or the key / key combination to press", false)
                    .enumeration("scroll_direction", "Scroll direction", false, "up", "down", "left", "right")
                    .integer("scroll_amount", "Scroll clicks (default 3)", false, 1, 100)
                    .resourceId("The desktop to act on, when the worker holds several")
                    .build(),
            Schema.output().build(), ToolAnnotations.ACTS, ToolScope.session("desktop"), false, "desktop:computer");

    private final Desktops desktops;

    public ComputerTool(Desktops desktops) {
        super(SPEC);
        this.desktops = desktops;
    }

    /** The action is translated (key names parsed, coordinates required) before anything of the request runs. */
    @Override
    public void checkBeyondSchema(ObjectNode arguments) {
        ComputerActions.translate(arguments.path("action").asText(), Args.of(arguments));
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        String action = call.args().string("action");
        String resourceId = call.args().optionalString("resource_id");
        List<ObjectNode> steps = ComputerActions.translate(action, call.args());
        if ("screenshot".equals(action)) {
            return desktops.read(call.workerId(), resourceId, "screenshot")
                    .map(s -> ToolResult.withImages(s, List.of(s.path("screenshot").asText())));
        }
        if ("cursor_position".equals(action)) {
            return desktops.read(call.workerId(), resourceId, "cursor_position").map(ToolResult::of);
        }
        ArrayNode results = JsonNodeFactory.instance.arrayNode();
        return run(call.workerId(), resourceId, steps, 0, results).map(done -> {
            ObjectNode answer = JsonNodeFactory.instance.objectNode().put("action", action);
            answer.set("steps", results);
            return ToolResult.of(answer);
        });
    }

    private Uni<JsonNode> run(String workerId, String resourceId, List<ObjectNode> steps, int index, ArrayNode results) {
        if (index == steps.size()) {
            return Uni.createFrom().item(results);
        }
        return desktops.act(workerId, resourceId, "actions/computer_13", steps.get(index))
                .chain(result -> {
                    results.add(result);
                    return run(workerId, resourceId, steps, index + 1, results);
                });
    }
}

package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.Tool;
import io.envgrid.gateway.tool.ToolAnnotations;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolSpec;
import io.envgrid.gateway.tool.ToolSource;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The desktop's primitives, one tool each (MCP {@code desktop.<name>}, Sandbox {@code <type>:<name>}):
 * the reads (screenshot, observation, cursor), commands, and each OSWorld computer_13 action with
 * OSWorld's parameters ({@code desktop.click {x, y, button, num_clicks}}), shaped and bounded by {@link Computer13Space}.
 * They act on the worker's desktop: the one named by {@code resource_id} (the Sandbox session's), else its only one. Key names are
 * read with the shared key table here, as the {@code computer} tool reads them ({@link KeyParameters}).
 */
@Singleton
public class DesktopTools implements ToolSource {

    private record Action(String name, String type, String description, UnaryOperator<Schema> parameters) {
    }

    private static final List<Action> ACTIONS = List.of(
            new Action("move_to", "MOVE_TO", "Move the pointer to (x, y)", s -> Computer13Space.pixels(s, true)),
            new Action("click", "CLICK", "Click (at x, y when given)", s -> Computer13Space.click(Computer13Space.pixels(s, false))),
            new Action("mouse_down", "MOUSE_DOWN", "Press a mouse button", Computer13Space::button),
            new Action("mouse_up", "MOUSE_UP", "Release a mouse button", Computer13Space::button),
            new Action("right_click", "RIGHT_CLICK", "Right-click (at x, y when given)", s -> Computer13Space.pixels(s, false)),
            new Action("double_click", "DOUBLE_CLICK", "Double-click (at x, y when given)", s -> Computer13Space.pixels(s, false)),
            new Action("drag_to", "DRAG_TO", "Drag with the left button held to (x, y)", s -> Computer13Space.pixels(s, true)),
            new Action("scroll", "SCROLL", "Scroll by dx columns and dy rows (positive dy scrolls up)",
                    s -> Computer13Space.scroll(s, true)),
            new Action("typing", "TYPING", "Type text", Computer13Space::typing),
            new Action("press", "PRESS", "Press and release a key (OSWorld key names)", Computer13Space::key),
            new Action("key_down", "KEY_DOWN", "Hold a key down", Computer13Space::key),
            new Action("key_up", "KEY_UP", "Release a key", Computer13Space::key),
            new Action("hotkey", "HOTKEY", "Press keys together, e.g. [\"ctrl\", \"c\"]", Computer13Space::keys),
            new Action("wait", "WAIT", "Wait without acting", s -> s));

    private static final String WHICH = "The desktop, when the worker holds several (the Sandbox API passes its session's)";

    private final Desktops desktops;

    public DesktopTools(Desktops desktops) {
        this.desktops = desktops;
    }

    @Override
    public List<Tool> tools() {
        List<Tool> tools = new ArrayList<>();
        tools.add(read("screenshot", "Screenshot of the desktop: {screenshot: base64 PNG}",
                Schema.output().typed("screenshot", "Base64 PNG", true, "string").build()));
        tools.add(read("observation", "Screenshot, accessibility tree, screen size and cursor in one call",
                Schema.output().build()));
        tools.add(read("cursor_position", "Where the pointer is", Schema.output().build()));
        tools.add(tool("execute", "Run a command on the desktop's machine: {command, shell} -> {status, output, error, returncode}",
                Schema.object().string("command", "The command line", true)
                        .bool("shell", "Run through the shell (default: true)", false),
                ToolAnnotations.ACTS, call -> {
                    ObjectNode body = JsonNodeFactory.instance.objectNode().put("command", call.args().string("command"));
                    body.put("shell", !call.arguments().has("shell") || call.arguments().path("shell").asBoolean());
                    return desktops.act(call.workerId(), resourceId(call), "commands", body).map(ToolResult::of);
                }));
        ACTIONS.forEach(a -> tools.add(action(a)));
        return tools;
    }

    private Tool read(String what, String description, ObjectNode output) {
        return tool(what, description, Schema.object(), output, ToolAnnotations.READ,
                call -> desktops.read(call.workerId(), resourceId(call), what).map(ToolResult::of));
    }

    /**
     * One computer_13 action: OSWorld's parameters, sent as {action_type, parameters}; key names are read with the
     * shared table when the call is prepared (so a batch with an unknown key runs nothing) and again when it runs.
     */
    private Tool action(Action action) {
        String name = "desktop." + action.name();
        Consumer<ObjectNode> keys = arguments -> KeyParameters.normalise(name, action.type(), arguments.deepCopy());
        return tool(action.name(), action.description() + " (OSWorld computer_13 " + action.type() + ")",
                action.parameters().apply(Schema.object()), Schema.output().build(), ToolAnnotations.ACTS, keys, call -> {
                    ObjectNode parameters = call.arguments().deepCopy();
                    parameters.remove(List.of("worker_id", "resource_id"));
                    KeyParameters.normalise(name, action.type(), parameters);
                    ObjectNode body = JsonNodeFactory.instance.objectNode().put("action_type", action.type());
                    body.set("parameters", parameters);
                    return desktops.act(call.workerId(), resourceId(call), "actions/computer_13", body).map(ToolResult::of);
                });
    }

    private Tool tool(String name, String description, Schema input, ToolAnnotations annotations,
            Function<ToolCall, Uni<ToolResult>> run) {
        return tool(name, description, input, Schema.output().build(), annotations, run);
    }

    private static Tool tool(String name, String description, Schema input, ObjectNode output, ToolAnnotations annotations,
            Function<ToolCall, Uni<ToolResult>> run) {
        return tool(name, description, input, output, annotations, arguments -> { }, run);
    }

    private static Tool tool(String name, String description, Schema input, ObjectNode output, ToolAnnotations annotations,
            Consumer<ObjectNode> check, Function<ToolCall, Uni<ToolResult>> run) {
        return new BaseTool(new ToolSpec("desktop." + name, description + ". Acts on the worker's desktop.",
                input.workerId().resourceId(WHICH).build(), output, annotations, ToolScope.session("desktop"), false,
                "desktop:" + name)) {
            @Override
            public void checkBeyondSchema(ObjectNode arguments) {
                check.accept(arguments);
            }

            @Override
            public Uni<ToolResult> call(ToolCall call) {
                return run.apply(call);
            }
        };
    }

    private static String resourceId(ToolCall call) {
        return call.args().optionalString("resource_id");
    }
}

package io.envgrid.gateway.sandbox.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.allocation.Allocations;
import io.envgrid.gateway.allocation.ResourceSetup;
import io.envgrid.gateway.client.AllocatorApi;
import io.envgrid.gateway.client.ServiceProbe;
import io.envgrid.gateway.config.Backends;
import io.envgrid.gateway.desktop.Desktops;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.sandbox.profile.ResourceProfile;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.gateway.tool.Schema;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Desktops (OSWorld VMs, device agents' X displays): a session leases one, opens its controller
 * session and runs the profile's init commands. Tools: each computer_13 action as its own tool
 * taking OSWorld's parameters ({@code vm:click {x, y, button, num_clicks}}), the reads
 * (screenshot, observation, cursor), commands, and the MCP action tools ({@code pyautogui},
 * {@code computer_13}, {@code computer}).
 */
final class DesktopBackend extends LeasedBackend {

    private record Action(String name, String type, String description, UnaryOperator<Schema> parameters) {
    }

    private static final List<Action> ACTIONS = List.of(
            new Action("move_to", "MOVE_TO", "Move the pointer to (x, y)", s -> xy(s, true)),
            new Action("click", "CLICK", "Click (at x, y when given)", s -> xy(s, false)
                    .enumeration("button", "Mouse button (default left)", false, "left", "right", "middle")
                    .integer("num_clicks", "Clicks (default 1)", false, 1, 3)),
            new Action("mouse_down", "MOUSE_DOWN", "Press a mouse button", s -> s.enumeration("button", "Mouse button (default left)", false, "left", "right", "middle")),
            new Action("mouse_up", "MOUSE_UP", "Release a mouse button", s -> s.enumeration("button", "Mouse button (default left)", false, "left", "right", "middle")),
            new Action("right_click", "RIGHT_CLICK", "Right-click (at x, y when given)", s -> xy(s, false)),
            new Action("double_click", "DOUBLE_CLICK", "Double-click (at x, y when given)", s -> xy(s, false)),
            new Action("drag_to", "DRAG_TO", "Drag with the left button held to (x, y)", s -> xy(s, true)),
            new Action("scroll", "SCROLL", "Scroll by dx columns and dy rows (positive dy scrolls up)",
                    s -> s.integer("dx", "Horizontal clicks", true, -1000, 1000).integer("dy", "Vertical clicks", true, -1000, 1000)),
            new Action("typing", "TYPING", "Type text", s -> s.string("text", "The text", true)),
            new Action("press", "PRESS", "Press and release a key (OSWorld key names)", s -> s.string("key", "Key name", true)),
            new Action("key_down", "KEY_DOWN", "Hold a key down", s -> s.string("key", "Key name", true)),
            new Action("key_up", "KEY_UP", "Release a key", s -> s.string("key", "Key name", true)),
            new Action("hotkey", "HOTKEY", "Press keys together, e.g. [\"ctrl\", \"c\"]",
                    s -> s.stringList("keys", "Key names, held in order and released in reverse", true, 8)),
            new Action("wait", "WAIT", "Wait without acting", s -> s));

    private final Desktops desktops;
    private final ResourceSetup setup;
    private final ServiceProbe probe;
    private final Backends backends;
    private final DelegatedTools delegated;

    DesktopBackend(ResourceProfile profile, Allocations allocations, WorkerCleanup cleanup, AllocatorApi allocator,
            Desktops desktops, ResourceSetup setup, ServiceProbe probe, Backends backends, DelegatedTools delegated) {
        super(profile, allocations, cleanup, allocator);
        this.desktops = desktops;
        this.setup = setup;
        this.probe = probe;
        this.backends = backends;
        this.delegated = delegated;
    }

    @Override
    public List<BackendTool> tools() {
        List<BackendTool> tools = new ArrayList<>();
        tools.add(read("screenshot", "Screenshot of the desktop: {screenshot: base64 PNG}"));
        tools.add(read("observation", "Screenshot, accessibility tree, screen size and cursor in one call"));
        tools.add(read("cursor_position", "Where the pointer is"));
        tools.add(new BackendTool("execute", "Run a command on the desktop's machine: {command, shell} -> {status, output, error, returncode}",
                Schema.object().string("command", "The command line", true)
                        .bool("shell", "Run through the shell (default: true for a string)", false).build(),
                (session, params) -> {
                    ObjectNode body = params.deepCopy();
                    if (!body.has("shell")) {
                        body.put("shell", body.path("command").isTextual());
                    }
                    return desktops.act(session.workerId(), session.resourceId(), "commands", body);
                }));
        ACTIONS.forEach(a -> tools.add(action(a)));
        tools.add(delegated.delegate("pyautogui", "pyautogui"));
        tools.add(delegated.delegate("computer_13", "computer_13"));
        tools.add(delegated.delegate("computer", "computer"));
        return tools;
    }

    private BackendTool read(String what, String description) {
        return new BackendTool(what, description, Schema.object().build(),
                (session, params) -> desktops.read(session.workerId(), session.resourceId(), what));
    }

    /** One computer_13 action; the vm-controller validates the values (ranges, key names) as it does for MCP. */
    private BackendTool action(Action action) {
        return new BackendTool(action.name(), action.description() + " (OSWorld computer_13 " + action.type() + ")",
                action.parameters().apply(Schema.object()).build(), (session, params) -> {
                    ObjectNode body = JsonNodeFactory.instance.objectNode().put("action_type", action.type());
                    body.set("parameters", params);
                    return desktops.act(session.workerId(), session.resourceId(), "actions/computer_13", body);
                });
    }

    private static Schema xy(Schema schema, boolean mandatory) {
        return schema.integer("x", "Screen x in pixels", mandatory, 0, 100_000)
                .integer("y", "Screen y in pixels", mandatory, 0, 100_000);
    }

    @Override
    Uni<Void> prepare(String workerId, JsonNode resource, ObjectNode config) {
        ObjectNode initConfigs = JsonNodeFactory.instance.objectNode();
        JsonNode commands = config.path("init_commands");
        if (commands.isArray() && !commands.isEmpty()) {
            initConfigs.putObject(resource.path("type").asText()).set("commands", commands);
        }
        return setup.setUp(workerId, Map.of(resource.path("type").asText(), resource), initConfigs, ProgressSink.NONE)
                .invoke(answer -> {
                    if (!"success".equals(answer.path("status").asText())) {
                        throw new ToolFailure(502, ErrorCode.SETUP_FAILED, "desktop " + resource.path("id").asText()
                                + " could not be set up", Map.of("details", answer.path("details")));
                    }
                })
                .replaceWithVoid();
    }

    @Override
    public Uni<JsonNode> warmup() {
        return probe.ready("vm-controller", backends.vmController())
                .chain(ready -> poolStatus().map(status -> (JsonNode) status.put("vm_controller", ready)));
    }
}

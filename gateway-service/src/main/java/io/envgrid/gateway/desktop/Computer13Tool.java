package io.envgrid.gateway.desktop;

import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolAnnotations;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;

/**
 * OSWorld's {@code computer_13} action space. Each action type's {@code parameters} are a case of the input schema
 * ({@link Computer13Space}), so a malformed action (a string for x, DRAG_TO without y, an unknown parameter) is
 * refused with the rest of its request before anything runs; the vm-controller translates each action (and checks
 * it again, and against the real screen size).
 */
@Singleton
public class Computer13Tool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("computer_13",
            "One action of OSWorld's computer_13 action space on the worker's desktop, e.g. {action_type: \"CLICK\", "
                    + "parameters: {x: 100, y: 200, button: \"left\", num_clicks: 1}} or {action_type: \"HOTKEY\", "
                    + "parameters: {keys: [\"ctrl\", \"c\"]}}. Invalid actions are refused before anything runs.",
            input(),
            Schema.output().build(), ToolAnnotations.ACTS, ToolScope.session("desktop"), false, "desktop:computer_13");

    private final Desktops desktops;

    /** The input schema: {@code parameters} shaped by {@code action_type}, one {@code if}/{@code then} case per type. */
    private static ObjectNode input() {
        Schema schema = Schema.object().workerId()
                .enumeration("action_type", "The action", true, Computer13Space.TYPES)
                .freeObject("parameters", "The action's parameters, as OSWorld names them; their shape depends on "
                        + "action_type", false)
                .resourceId("The desktop to act on, when the worker holds several");
        for (String type : Computer13Space.TYPES) {
            schema.whenEquals("action_type", type, "parameters", Computer13Space.parameters(type),
                    Computer13Space.needsParameters(type));
        }
        return schema.build();
    }

    public Computer13Tool(Desktops desktops) {
        super(SPEC);
        this.desktops = desktops;
    }

    /**
     * The key names of a PRESS, KEY_DOWN, KEY_UP or HOTKEY action, checked against the shared key table before
     * anything of the request runs (the vm-controller checks them too, but only when this action's turn comes); an
     * unknown one is refused naming {@code parameters}. The shape of {@code parameters} the schema has checked.
     */
    @Override
    public void checkBeyondSchema(ObjectNode arguments) {
        KeyParameters.unknownKey(arguments.path("action_type").asText(), arguments.path("parameters")).ifPresent(key -> {
            throw ToolFailure.invalidArgument(SPEC.name(), "parameters", KeyParameters.unknownKeyProblem(key));
        });
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        ObjectNode action = JsonNodeFactory.instance.objectNode();
        action.put("action_type", call.args().string("action_type"));
        ObjectNode parameters = call.args().optionalObject("parameters");
        action.set("parameters", parameters == null ? JsonNodeFactory.instance.objectNode() : parameters);
        return desktops.act(call.workerId(), call.args().optionalString("resource_id"), "actions/computer_13", action)
                .map(ToolResult::of);
    }
}

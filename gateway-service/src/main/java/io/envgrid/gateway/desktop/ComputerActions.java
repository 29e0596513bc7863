package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.desktopkeys.Key;
import io.envgrid.desktopkeys.KeyCombination;
import io.envgrid.desktopkeys.KeyTable;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.tool.Args;
import io.envgrid.gateway.tool.ExactInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns an action of the {@code computer} tool (the vocabulary agents use for "computer use":
 * {@code left_click} at a coordinate, {@code type} text, {@code key} "ctrl+c", {@code scroll} …) into
 * OSWorld computer_13 actions, which the vm-controller validates and delivers.
 */
final class ComputerActions {

    static final String[] ACTIONS = {"screenshot", "cursor_position", "mouse_move", "left_click", "right_click",
        "middle_click", "double_click", "triple_click", "left_click_drag", "left_mouse_down", "left_mouse_up",
        "type", "key", "scroll", "wait"};

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ComputerActions() {
    }

    /**
     * The computer_13 actions for one {@code computer} call; empty for the reads (screenshot, cursor_position). Pure:
     * {@link ComputerTool#checkBeyondSchema} runs it before anything runs to refuse a bad key or a missing coordinate.
     *
     * @throws ToolFailure 400 {@code INVALID_PARAMETERS} naming the argument at fault
     */
    static List<ObjectNode> translate(String action, Args args) {
        return switch (action) {
            case "screenshot", "cursor_position" -> List.of();
            case "mouse_move" -> List.of(at("MOVE_TO", coordinate(args, "coordinate", true)));
            case "left_click" -> List.of(click("left", 1, coordinate(args, "coordinate", false)));
            case "right_click" -> List.of(at("RIGHT_CLICK", coordinate(args, "coordinate", false)));
            case "middle_click" -> List.of(click("middle", 1, coordinate(args, "coordinate", false)));
            case "double_click" -> List.of(at("DOUBLE_CLICK", coordinate(args, "coordinate", false)));
            case "triple_click" -> List.of(click("left", 3, coordinate(args, "coordinate", false)));
            case "left_click_drag" -> List.of(at("MOVE_TO", coordinate(args, "start_coordinate", true)),
                    at("DRAG_TO", coordinate(args, "coordinate", true)));
            case "left_mouse_down" -> List.of(action("MOUSE_DOWN", NODES.objectNode().put("button", "left")));
            case "left_mouse_up" -> List.of(action("MOUSE_UP", NODES.objectNode().put("button", "left")));
            case "type" -> List.of(action("TYPING", NODES.objectNode().put("text", args.string("text"))));
            case "key" -> List.of(key(args.string("text")));
            case "scroll" -> scroll(args);
            case "wait" -> List.of(action("WAIT", NODES.objectNode()));
            default -> throw ToolFailure.invalid("unknown action '" + action + "'; one of " + String.join(", ", ACTIONS));
        };
    }

    private static ObjectNode action(String type, ObjectNode parameters) {
        ObjectNode node = NODES.objectNode().put("action_type", type);
        node.set("parameters", parameters);
        return node;
    }

    private static ObjectNode at(String type, int[] xy) {
        ObjectNode parameters = NODES.objectNode();
        if (xy != null) {
            parameters.put("x", xy[0]).put("y", xy[1]);
        }
        return action(type, parameters);
    }

    private static ObjectNode click(String button, int clicks, int[] xy) {
        ObjectNode node = at("CLICK", xy);
        ((ObjectNode) node.get("parameters")).put("button", button).put("num_clicks", clicks);
        return node;
    }

    /**
     * "ctrl+shift+t" is a hotkey, "Return" one key press; "ctrl++" is ctrl with the plus key ({@link KeyCombination}).
     * Each key becomes pyautogui's name for it in the shared {@link KeyTable} (xdotool's {@code Page_Up} as
     * {@code pageup}), so a combination is the hotkey pyautogui would run whichever way the agent spelled it.
     */
    private static ObjectNode key(String combination) {
        List<Key> keys;
        try {
            keys = KeyCombination.parse(combination);
        } catch (IllegalArgumentException e) {
            throw ToolFailure.invalidArgument(ComputerTool.NAME, "text",
                    "must be a key or keys joined by '+' (ctrl+c, ctrl++, Page_Up): " + e.getMessage());
        }
        if (keys.size() == 1) {
            return action("PRESS", NODES.objectNode().put("key", keys.get(0).name()));
        }
        ObjectNode parameters = NODES.objectNode();
        ArrayNode names = parameters.putArray("keys");
        keys.forEach(k -> names.add(k.name()));
        return action("HOTKEY", parameters);
    }

    private static List<ObjectNode> scroll(Args args) {
        String direction = args.string("scroll_direction");
        int amount = (int) args.integer("scroll_amount", 3);
        ObjectNode parameters = NODES.objectNode();
        switch (direction) {
            case "up" -> parameters.put("dx", 0).put("dy", amount);
            case "down" -> parameters.put("dx", 0).put("dy", -amount);
            case "left" -> parameters.put("dx", -amount).put("dy", 0);
            case "right" -> parameters.put("dx", amount).put("dy", 0);
            default -> throw ToolFailure.invalid("'scroll_direction' must be up, down, left or right");
        }
        int[] xy = coordinate(args, "coordinate", false);
        List<ObjectNode> actions = new ArrayList<>();
        if (xy != null) {
            actions.add(at("MOVE_TO", xy));
        }
        actions.add(action("SCROLL", parameters));
        return actions;
    }

    private static int[] coordinate(Args args, String name, boolean mandatory) {
        JsonNode value = args.raw(name);
        if (value == null || value.isNull()) {
            if (mandatory) {
                throw ToolFailure.invalidArgument(ComputerTool.NAME, name, "[x, y] is required for this action");
            }
            return null;
        }
        // the schema has bounded the pair; read exactly all the same, so nothing is ever truncated into range
        return new int[] {
            (int) ExactInteger.within(value.get(0), name + "[0]", 0, Computer13Space.MAX_COORDINATE),
            (int) ExactInteger.within(value.get(1), name + "[1]", 0, Computer13Space.MAX_COORDINATE)};
    }
}

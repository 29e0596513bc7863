package io.envgrid.gateway.mcp.prompts;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The desktop action spaces an agent can drive a desktop with through this gateway, each with
 * the computer-use instructions for its tool: {@code pyautogui} (OSWorld's Python action space),
 * {@code computer_13} (OSWorld's 13 structured actions) and {@code computer} (the gateway's
 * screenshot-and-act tool in the style of computer-use models).
 */
public enum ActionSpace {

    PYAUTOGUI("pyautogui", """
            You operate a Linux desktop through the tool `pyautogui`. Each call takes `code`: a short Python \
            snippet that uses the pyautogui module (already imported) to act on the screen, e.g. \
            `pyautogui.click(640, 360)`, `pyautogui.write('hello')`, `pyautogui.hotkey('ctrl', 's')`. \
            Coordinates are screen pixels from the top-left corner. Look before you act: call \
            `computer` with action `screenshot` (or read the resource envgrid://desktops/{resource_id}/screenshot) \
            and decide from what is on the screen, not from what you expect. Do one logical step per call, \
            check its effect on a new screenshot, and never use time.sleep for more than a few seconds. \
            When the task is done, say DONE; when it cannot be done, say FAIL and why."""),
    COMPUTER_13("computer_13", """
            You operate a Linux desktop through the tool `computer_13`. Each call takes `action_type` and \
            `parameters`, one of OSWorld's 13 actions: MOVE_TO {x, y}, CLICK {x?, y?, button?, num_clicks?}, \
            MOUSE_DOWN/MOUSE_UP {button?}, RIGHT_CLICK {x?, y?}, DOUBLE_CLICK {x?, y?}, DRAG_TO {x, y}, \
            SCROLL {dx, dy}, TYPING {text}, PRESS {key}, KEY_DOWN/KEY_UP {key}, HOTKEY {keys}, and WAIT, \
            DONE, FAIL. Coordinates are screen pixels from the top-left corner. Take a screenshot first \
            (`computer` with action `screenshot`) and after each action that changes the screen, and base \
            every action on what you see. End with DONE when the task is complete or FAIL when it is impossible."""),
    COMPUTER("computer", """
            You operate a Linux desktop through the tool `computer`. Its `action` is one of screenshot, \
            cursor_position, mouse_move, left_click, right_click, middle_click, double_click, triple_click, \
            left_click_drag, left_mouse_down, left_mouse_up, type, key, scroll and wait; `coordinate` is \
            [x, y] in screen pixels from the top-left corner, `text` the text to type or the key to press \
            (xdotool names such as Return, ctrl+c), `scroll_direction` and `scroll_amount` a scroll. Start \
            with a screenshot, act in small steps, and take a new screenshot after each step that changes \
            the screen. Name `resource_id` when you hold more than one desktop. Say DONE when the task is \
            complete, or FAIL and why when it cannot be done.""");

    private final String wireName;
    private final String instructions;

    ActionSpace(String wireName, String instructions) {
        this.wireName = wireName;
        this.instructions = instructions;
    }

    public String wireName() {
        return wireName;
    }

    public String instructions() {
        return instructions;
    }

    public static Optional<ActionSpace> of(String wireName) {
        return Arrays.stream(values()).filter(s -> s.wireName.equals(wireName)).findFirst();
    }

    public static List<String> wireNames() {
        return Arrays.stream(values()).map(ActionSpace::wireName).toList();
    }
}

package io.envgrid.gateway.desktop;

import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolSpec;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.util.Map;

/** OSWorld's {@code pyautogui} action space: Python code run on the worker's desktop, as OSWorld's controller sends it. */
@Singleton
public class PyautoguiTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("pyautogui",
            "Run pyautogui code on the worker's desktop (OSWorld's pyautogui action space), e.g. "
                    + "\"pyautogui.click(100, 200); pyautogui.typewrite('hello')\". The strings WAIT, FAIL and DONE end or "
                    + "pause the episode without touching the desktop.",
            Schema.object().workerId()
                    .string("code", "pyautogui code, or WAIT / FAIL / DONE", true)
                    .string("resource_id", "The desktop to act on, when the worker holds several", false)
                    .build(),
            false, true);

    private final Desktops desktops;

    public PyautoguiTool(Desktops desktops) {
        super(SPEC);
        this.desktops = desktops;
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        String code = call.args().string("code");
        return desktops.act(call.workerId(), call.args().optionalString("resource_id"), "actions/pyautogui",
                Map.of("code", code)).map(ToolResult::of);
    }
}

package io.envgrid.gateway.desktop;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.tool.BaseTool;
import io.envgrid.gateway.tool.Schema;
import io.envgrid.gateway.tool.ToolAnnotations;
import io.envgrid.gateway.tool.ToolCall;
import io.envgrid.gateway.tool.ToolResult;
import io.envgrid.gateway.tool.ToolScope;
import io.envgrid.gateway.tool.ToolSpec;
import io.envgrid.pyautogui.PyautoguiCompiler;
import io.envgrid.pyautogui.PythonSubsetException;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * OSWorld's {@code pyautogui} action space: Python code run on the worker's desktop, as OSWorld's controller sends it.
 * With {@code envgrid.gateway.desktop.pyautogui-check=subset} the code is compiled first with the device agent's
 * subset and refused, before anything of the request runs, when the agent could not run it.
 */
@Singleton
public class PyautoguiTool extends BaseTool {

    private static final ToolSpec SPEC = new ToolSpec("pyautogui",
            "Run pyautogui code on the worker's desktop (OSWorld's pyautogui action space), e.g. "
                    + "\"pyautogui.click(100, 200); pyautogui.typewrite('hello')\". The strings WAIT, FAIL and DONE end or "
                    + "pause the episode without touching the desktop.",
            Schema.object().workerId()
                    .string("code", "pyautogui code, or WAIT / FAIL / DONE", true)
                    .resourceId("The desktop to act on, when the worker holds several")
                    .build(),
            Schema.output().build(), ToolAnnotations.ACTS, ToolScope.session("desktop"), false, "desktop:pyautogui");

    /**
     * The longest code the subset check compiles (characters). The check runs before any I/O, on the request's event
     * loop; the compiler is linear, but a megabyte of statements would still hold that loop for about a second.
     * OSWorld's agents send a few hundred characters to a few kilobytes per action.
     */
    static final int MAX_CHECKED_CODE = 100_000;

    /** Answers for the episode, not code: the vm-controller handles them without reaching the desktop. */
    private static final Set<String> EPISODE_WORDS = Set.of("WAIT", "FAIL", "DONE");

    private final Desktops desktops;
    private final boolean checkSubset;
    private final Duration budget;

    public PyautoguiTool(Desktops desktops, GatewayConfig config) {
        super(SPEC);
        this.desktops = desktops;
        this.checkSubset = config.desktop().pyautoguiCheck() == GatewayConfig.PyautoguiCheck.SUBSET;
        // the code's sleeps and intervals cannot outlast the call that carries them
        this.budget = config.downstream().actionTimeout();
    }

    /**
     * With the subset check on: code the device agent's interpreter would refuse, or longer than {@link
     * #MAX_CHECKED_CODE}, is refused here, 400 {@code INVALID_PARAMETERS} on {@code code} with the agent's message
     * (line and column from 1, the statement and why), so no call slot, backend call or earlier batch entry is spent
     * on it.
     */
    @Override
    public void checkBeyondSchema(ObjectNode arguments) {
        String code = arguments.path("code").asText();
        if (!checkSubset || EPISODE_WORDS.contains(code.trim())) {
            return;
        }
        if (code.length() > MAX_CHECKED_CODE) {
            throw ToolFailure.invalidArgument(SPEC.name(), "code", "longer than " + MAX_CHECKED_CODE
                    + " characters: more than one action's worth of pyautogui");
        }
        try {
            PyautoguiCompiler.compile(code, budget);
        } catch (PythonSubsetException refused) {
            throw ToolFailure.invalidArgument(SPEC.name(), "code", refused.getMessage());
        }
    }

    @Override
    public Uni<ToolResult> call(ToolCall call) {
        String code = call.args().string("code");
        return desktops.act(call.workerId(), call.args().optionalString("resource_id"), "actions/pyautogui",
                Map.of("code", code)).map(ToolResult::of);
    }
}

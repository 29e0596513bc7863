package io.envgrid.vmcontroller.action;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static org.hamcrest.Matchers.equalTo;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/** The computer_13 settings: a configured move duration and easing, and the screen bounds. */
@QuarkusTest
@WithRedis
@TestProfile(Computer13SettingsTest.SmallScreenSlowMoves.class)
class Computer13SettingsTest extends WithFakeVm {

    public static class SmallScreenSlowMoves implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.vm-controller.computer13.move-duration-seconds", "0.5",
                    "envgrid.vm-controller.computer13.move-tween", "pyautogui.easeOutQuad",
                    "envgrid.vm-controller.computer13.screen-width", "800",
                    "envgrid.vm-controller.computer13.screen-height", "600");
        }
    }

    @Test
    void movesTakeTheConfiguredDurationAndEasing() {
        Api.act(token, worker, resource, "actions/computer_13",
                Map.of("action_type", "MOVE_TO", "parameters", Map.of("x", 100, "y", 200))).statusCode(200)
                .body("code", equalTo(List.of("pyautogui.moveTo(100, 200, 0.5, pyautogui.easeOutQuad)")));
    }

    @Test
    void coordinatesAreCheckedAgainstTheConfiguredScreen() {
        expectError(Api.act(token, worker, resource, "actions/computer_13",
                Map.of("action_type", "CLICK", "parameters", Map.of("x", 801, "y", 10))), 400, "INVALID_ACTION");
        Api.act(token, worker, resource, "actions/computer_13",
                Map.of("action_type", "CLICK", "parameters", Map.of("x", 800, "y", 600))).statusCode(200);
    }
}

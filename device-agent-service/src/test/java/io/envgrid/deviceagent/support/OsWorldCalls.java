package io.envgrid.deviceagent.support;

import static io.envgrid.deviceagent.support.AgentCalls.asService;

import io.restassured.http.ContentType;
import io.restassured.response.ValidatableResponse;
import java.util.List;
import java.util.Map;

/** OSWorld-protocol calls on the agent's desktop as OSWorld's controller makes them, with the service token. */
public final class OsWorldCalls {

    /** What OSWorld's controller puts before every pyautogui command. */
    public static final String OSWORLD_PREFIX = "import pyautogui; import time; pyautogui.FAILSAFE = False; ";

    private OsWorldCalls() {
    }

    /** POST /execute as OSWorld's PythonController.execute_python_command builds it; expects 200. */
    public static ValidatableResponse pyautogui(String code) {
        return asService().contentType(ContentType.JSON)
                .body(Map.of("command", List.of("python", "-c", OSWORLD_PREFIX + code), "shell", false))
                .post("/execute").then().statusCode(200);
    }

    /** GET /cursor_position: {@code [x, y]}. */
    public static List<Integer> cursor() {
        return asService().get("/cursor_position").then().statusCode(200).extract().jsonPath().getList("$", Integer.class);
    }
}

package io.envgrid.vmcontroller.action;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/**
 * Both OSWorld action spaces: each computer_13 action becomes the pyautogui code OSWorld's
 * PythonController.execute_action builds, sent to /execute exactly as it sends it.
 */
@QuarkusTest
@WithRedis
class Computer13Test extends WithFakeVm {

    private static final String PREFIX = "import pyautogui; import time; pyautogui.FAILSAFE = False; ";

    static Stream<Arguments> actions() {
        return Stream.of(
                of("{'action_type':'MOVE_TO','parameters':{}}", "pyautogui.moveTo()"),
                of("{'action_type':'MOVE_TO','parameters':{'x':100,'y':200}}", "pyautogui.moveTo(100, 200)"),
                of("{'action_type':'MOVE_TO','parameters':{'x':100.5,'y':200.0}}", "pyautogui.moveTo(100.5, 200.0)"),
                of("{'action_type':'CLICK','parameters':{}}", "pyautogui.click()"),
                of("{'action_type':'CLICK','parameters':{'button':'right','x':1,'y':2,'num_clicks':2}}",
                        "pyautogui.click(button='right', x=1, y=2, clicks=2)"),
                of("{'action_type':'CLICK','parameters':{'button':'left','x':1,'y':2}}",
                        "pyautogui.click(button='left', x=1, y=2)"),
                of("{'action_type':'CLICK','parameters':{'button':'middle','num_clicks':3}}",
                        "pyautogui.click(button='middle', clicks=3)"),
                of("{'action_type':'CLICK','parameters':{'button':'left'}}", "pyautogui.click(button='left')"),
                of("{'action_type':'CLICK','parameters':{'x':1,'y':2,'num_clicks':1}}",
                        "pyautogui.click(x=1, y=2, clicks=1)"),
                of("{'action_type':'CLICK','x':1920,'y':1080}", "pyautogui.click(x=1920, y=1080)"),
                of("{'action_type':'MOUSE_DOWN','parameters':{}}", "pyautogui.mouseDown()"),
                of("{'action_type':'MOUSE_DOWN','parameters':{'button':'left'}}", "pyautogui.mouseDown(button='left')"),
                of("{'action_type':'MOUSE_UP','parameters':{}}", "pyautogui.mouseUp()"),
                of("{'action_type':'MOUSE_UP','parameters':{'button':'right'}}", "pyautogui.mouseUp(button='right')"),
                of("{'action_type':'RIGHT_CLICK','parameters':{}}", "pyautogui.rightClick()"),
                of("{'action_type':'RIGHT_CLICK','parameters':{'x':5,'y':6}}", "pyautogui.rightClick(x=5, y=6)"),
                of("{'action_type':'DOUBLE_CLICK','parameters':{}}", "pyautogui.doubleClick()"),
                of("{'action_type':'DOUBLE_CLICK','parameters':{'x':5.25,'y':6}}", "pyautogui.doubleClick(x=5.25, y=6)"),
                of("{'action_type':'DRAG_TO','parameters':{'x':300,'y':400}}",
                        "pyautogui.dragTo(300, 400, duration=1.0, button='left', mouseDownUp=True)"),
                of("{'action_type':'SCROLL','parameters':{'dx':-3,'dy':5}}",
                        "pyautogui.hscroll(-3)", "pyautogui.vscroll(5)"),
                of("{'action_type':'SCROLL','parameters':{'dx':2}}", "pyautogui.hscroll(2)"),
                of("{'action_type':'SCROLL','parameters':{'dy':-2}}", "pyautogui.vscroll(-2)"),
                of("{'action_type':'TYPING','parameters':{'text':'hello world'}}", "pyautogui.typewrite('hello world')"),
                of(typing("it's"), "pyautogui.typewrite(\"it's\")"),
                of(typing("say \"hi\"\n\tok\\"), "pyautogui.typewrite('say \"hi\"\\n\\tok\\\\')"),
                of(typing("a'b\"c"), "pyautogui.typewrite('a\\'b\"c')"),
                of(typing("日本語 \u0007"), "pyautogui.typewrite('日本語 \\x07')"),
                of("{'action_type':'PRESS','parameters':{'key':'enter'}}", "pyautogui.press('enter')"),
                of("{'action_type':'PRESS','parameters':{'key':'Enter'}}", "pyautogui.press('enter')"),
                of("{'action_type':'PRESS','parameters':{'key':'num0'}}", "pyautogui.press('num0')"),
                of("{'action_type':'PRESS','parameters':{'key':'Page_Up'}}", "pyautogui.press('pageup')"),
                of("{'action_type':'KEY_DOWN','parameters':{'key':'minus'}}", "pyautogui.keyDown('-')"),
                of("{'action_type':'HOTKEY','parameters':{'keys':['Control_L','plus']}}",
                        "pyautogui.hotkey('ctrlleft', '+')"),
                of(new JsonObject().put("action_type", "PRESS").put("parameters", new JsonObject().put("key", "'")),
                        "pyautogui.press(\"'\")"),
                of("{'action_type':'KEY_DOWN','parameters':{'key':'shift'}}", "pyautogui.keyDown('shift')"),
                of("{'action_type':'KEY_UP','parameters':{'key':'shift'}}", "pyautogui.keyUp('shift')"),
                of("{'action_type':'HOTKEY','parameters':{'keys':['ctrl','alt','t']}}",
                        "pyautogui.hotkey('ctrl', 'alt', 't')"));
    }

    /** Actions are written with single quotes for readability. */
    private static Arguments of(String action, String... code) {
        return of(new JsonObject(action.replace('\'', '"')), code);
    }

    private static Arguments of(JsonObject action, String... code) {
        return Arguments.of(action, List.of(code));
    }

    private static JsonObject typing(String text) {
        return new JsonObject().put("action_type", "TYPING").put("parameters", new JsonObject().put("text", text));
    }

    @ParameterizedTest
    @MethodSource("actions")
    void becomesOsWorldsPyautoguiCode(JsonObject body, List<String> code) {
        String type = body.getString("action_type");
        Api.act(token, worker, resource, "actions/computer_13", body.encode()).statusCode(200)
                .body("action_type", equalTo(type))
                .body("sent_to_vm", equalTo(true))
                .body("code", equalTo(code))
                .body("results[0].status", equalTo("success"))
                .body("results[0].returncode", equalTo(0));
        List<FakeVm.Received> sent = vm.received("/execute");
        assertEquals(code.size(), sent.size());
        for (int i = 0; i < code.size(); i++) {
            JsonObject request = sent.get(i).json();
            assertEquals(new JsonArray().add("python").add("-c").add(PREFIX + code.get(i)),
                    request.getJsonArray("command"));
            assertEquals(false, request.getBoolean("shell"));
        }
    }

    @ParameterizedTest
    @MethodSource("localActions")
    void waitFailAndDoneAreAnsweredWithoutTheVm(String action, String type) {
        Api.act(token, worker, resource, "actions/computer_13", action).statusCode(200)
                .body("action_type", equalTo(type))
                .body("sent_to_vm", equalTo(false))
                .body("code", empty());
        assertEquals(0, vm.received().size());
    }

    static Stream<Arguments> localActions() {
        return Stream.of(Arguments.of("{\"action_type\":\"WAIT\"}", "WAIT"),
                Arguments.of("{\"action_type\":\"FAIL\",\"parameters\":{}}", "FAIL"),
                Arguments.of("\"DONE\"", "DONE"));
    }

    static Stream<String> badActions() {
        return Stream.of(
                "{}",
                "\"JUMP\"",
                "[]",
                "{'action_type':'JUMP'}",
                "{'action_type':5}",
                "{'action_type':'CLICK','parameters':{'x':1921,'y':5}}",
                "{'action_type':'CLICK','parameters':{'x':-1,'y':5}}",
                "{'action_type':'CLICK','parameters':{'x':5,'y':1081}}",
                "{'action_type':'CLICK','parameters':{'y':5}}",
                "{'action_type':'CLICK','parameters':{'button':'top'}}",
                "{'action_type':'CLICK','parameters':{'button':'left','num_clicks':4}}",
                "{'action_type':'CLICK','parameters':{'num_clicks':2}}",
                "{'action_type':'CLICK','parameters':{'x':1,'y':2,'z':3}}",
                "{'action_type':'CLICK','parameters':[1,2]}",
                "{'action_type':'MOVE_TO','parameters':{'x':'1','y':2}}",
                "{'action_type':'DRAG_TO','parameters':{}}",
                "{'action_type':'SCROLL','parameters':{}}",
                "{'action_type':'SCROLL','parameters':{'dx':1.5}}",
                "{'action_type':'TYPING','parameters':{}}",
                "{'action_type':'TYPING','parameters':{'text':5}}",
                "{'action_type':'PRESS','parameters':{'key':'enterr'}}",
                "{'action_type':'PRESS','parameters':{'key':'ctrl+c'}}",
                "{'action_type':'PRESS','parameters':{'key':'ä'}}",
                "{'action_type':'KEY_DOWN','parameters':{}}",
                "{'action_type':'HOTKEY','parameters':{'keys':'ctrl'}}",
                "{'action_type':'HOTKEY','parameters':{'keys':[]}}",
                "{'action_type':'HOTKEY','parameters':{'keys':['ctrl',5]}}");
    }

    @ParameterizedTest
    @MethodSource("badActions")
    void badActionsAre400AndNeverReachTheVm(String action) {
        expectError(Api.act(token, worker, resource, "actions/computer_13", action.replace('\'', '"')), 400,
                "INVALID_ACTION");
        assertEquals(0, vm.received().size());
    }

    @Test
    void pyautoguiCodeIsSentAsOsWorldSendsIt() {
        String code = "pyautogui.click(100, 200); time.sleep(0.5)";
        Api.act(token, worker, resource, "actions/pyautogui", new JsonObject().put("code", code).encode()).statusCode(200)
                .body("action_type", equalTo("pyautogui"))
                .body("sent_to_vm", equalTo(true))
                .body("code", equalTo(List.of(code)))
                .body("results[0].output", equalTo("ok\n"));
        JsonObject sent = vm.received("/execute").get(0).json();
        assertEquals(new JsonArray().add("python").add("-c").add(PREFIX + code), sent.getJsonArray("command"));
        assertEquals(false, sent.getBoolean("shell"));
    }

    @Test
    void pyautoguiControlWordsAreAnsweredWithoutTheVm() {
        Api.act(token, worker, resource, "actions/pyautogui", "{\"code\":\"DONE\"}").statusCode(200)
                .body("action_type", equalTo("DONE")).body("sent_to_vm", equalTo(false));
        expectError(Api.act(token, worker, resource, "actions/pyautogui", "{\"code\":\" \"}"), 400, "INVALID_ACTION");
        expectError(Api.act(token, worker, resource, "actions/pyautogui", "{}"), 400, "INVALID_ACTION");
        assertEquals(0, vm.received().size());
    }
}

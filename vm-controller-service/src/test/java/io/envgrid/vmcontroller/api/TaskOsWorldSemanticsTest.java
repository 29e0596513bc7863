package io.envgrid.vmcontroller.api;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.Conditions;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The parts of OSWorld's task semantics beyond one request per step: {@code execute} with {@code until} (tried again
 * until the answer meets it), {@code infeasible} tasks and a last action {@code FAIL} (DesktopEnv.evaluate), the
 * {@code vm_screen_size} getter, {@code check_accessibility_tree}, and the refusals that name the parameter or the
 * getter envgrid does not serve.
 */
@QuarkusTest
@WithRedis
class TaskOsWorldSemanticsTest extends WithFakeVm {

    private static final String UNTIL_READY = """
            {"config": [{"type": "execute", "parameters": {"command": ["cat", "/tmp/state"],
              "until": {"stdout": "ready"}}}]}""";

    private static final String INFEASIBLE = "{\"evaluator\": {\"func\": \"infeasible\"}}";

    private static final String FEASIBLE = """
            {"evaluator": {"func": "exact_match", "result": {"type": "vm_command_line", "command": "true"},
              "expected": {"type": "rule", "rules": {"expected": "ok\\n"}}}}""";

    @Test
    void executeWithUntilRunsAgainUntilTheOutputMatches() throws Exception {
        vm.answer("/setup/execute", new FakeVm.Answer(200, "application/json",
                "{\"status\": \"success\", \"output\": \"starting\\n\", \"error\": \"\", \"returncode\": 0}"));
        var call = CompletableFuture.supplyAsync(() -> Api.act(token, worker, resource, "task/setup", UNTIL_READY));
        Conditions.await(() -> vm.received("/setup/execute").size() >= 2, "the step ran its command again");
        assertTrue(!call.isDone(), "the step waits while the output does not match");
        vm.answer("/setup/execute", new FakeVm.Answer(200, "application/json",
                "{\"status\": \"success\", \"output\": \"ready\\n\", \"error\": \"\", \"returncode\": 0}"));
        call.get(30, TimeUnit.SECONDS).statusCode(200).body("status", equalTo("success"))
                .body("steps[0].status", equalTo("ok")).body("steps[0].message", equalTo("ready"));
        int tries = vm.received("/setup/execute").size();
        assertTrue(tries >= 3, tries + " tries");
        assertTrue(vm.received("/setup/execute").stream().allMatch(r -> r.json().getJsonArray("command").size() == 2));
    }

    @Test
    void untilMetByTheFirstAnswerRunsOnce() {
        Api.act(token, worker, resource, "task/setup", """
                {"config": [{"type": "command", "parameters": {"command": "true", "until": {"returncode": 0}}}]}""")
                .statusCode(200).body("steps[0].status", equalTo("ok")).body("steps[0].returncode", equalTo(0));
        assertEquals(1, vm.received("/setup/execute").size());
    }

    @Test
    void untilGivesUpAfterFiveFailedRequests() {
        vm.answer("/setup/execute", new FakeVm.Answer(500, "text/plain", "boom"));
        Api.act(token, worker, resource, "task/setup", UNTIL_READY).statusCode(200)
                .body("status", equalTo("failed")).body("steps[0].status", equalTo("failed"))
                .body("steps[0].code", equalTo("VM_ERROR"));
        assertEquals(5, vm.received("/setup/execute").size(), "OSWorld's five failed requests");
    }

    @Test
    void anInfeasibleTaskScoresOneOnlyWhenTheLastActionWasFail() {
        expectScore(INFEASIBLE, 0.0f).body("reason", containsString("not FAIL"));
        act("actions/computer_13", "{\"action_type\": \"FAIL\"}").body("sent_to_vm", equalTo(false));
        expectScore(INFEASIBLE, 1.0f).body("reason", containsString("was FAIL"));
        // a feasible task after FAIL scores 0, whatever its metric says
        expectScore(FEASIBLE, 0.0f).body("metrics.size()", equalTo(0));
        act("actions/pyautogui", "{\"code\": \"pyautogui.click(1, 1)\"}").body("sent_to_vm", equalTo(true));
        expectScore(INFEASIBLE, 0.0f);
        expectScore(FEASIBLE, 1.0f);
        act("actions/pyautogui", "{\"code\": \"FAIL\"}");
        expectScore(INFEASIBLE, 1.0f);
        act("actions/computer_13", "{\"action_type\": \"WAIT\"}");
        expectScore(INFEASIBLE, 0.0f);
    }

    @Test
    void theFailOfOneSessionIsNotAnothers() {
        act("actions/computer_13", "{\"action_type\": \"FAIL\"}");
        expectScore(INFEASIBLE, 1.0f);
        leases.release(resource);
        var next = leases.grant(resource, worker + "-next");
        Api.open(worker + "-next", next.entry()).statusCode(201);
        Api.act(next.leaseToken(), worker + "-next", resource, "task/evaluate", INFEASIBLE).statusCode(200)
                .body("score", equalTo(0.0f));
    }

    @Test
    void vmScreenSizeIsTheDesktopsSize() {
        expectScore("""
                {"evaluator": {"func": "exact_match", "result": {"type": "vm_screen_size"},
                  "expected": {"type": "rule", "rules": {"expected": {"width": 1920, "height": 1080}}}}}""", 1.0f);
        expectScore("""
                {"evaluator": {"func": "exact_match", "result": {"type": "vm_screen_size"},
                  "expected": {"type": "rule", "rules": {"expected": {"width": 1280, "height": 720}}}}}""", 0.0f);
        assertEquals(2, vm.received("/screen_size").size());
    }

    @Test
    void checkAccessibilityTreeReadsTheDesktopsTree() {
        // the fake desktop's tree is <desktop-frame name="main"/>
        expectScore("""
                {"evaluator": {"func": "check_accessibility_tree", "result": {"type": "accessibility_tree"},
                  "expected": {"type": "rule", "rules": [{"xpath": "/desktop-frame[@name='main']"}]},
                  "options": {"osname": "ubuntu"}}}""", 1.0f);
        expectScore("""
                {"evaluator": {"func": "check_accessibility_tree", "result": {"type": "accessibility_tree"},
                  "expected": {"type": "rule", "rules": [{"xpath": "//frame"}]}}}""", 0.0f);
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"config\": [{\"type\": \"open\", \"parameters\": {\"path\": \"/a\", \"mode\": \"r\"}}]} | task/setup | mode | config[0].parameters.mode",
        "{\"config\": [{\"type\": \"sleep\", \"parameters\": {\"seconds\": \"1\"}}]} | task/setup | seconds | config[0].parameters.seconds",
        "{\"config\": [{\"type\": \"execute\", \"parameters\": {\"command\": \"ls\", \"until\": {\"stdout\": 1}}}]} | task/setup | stdout | config[0].parameters.until.stdout",
        "{\"config\": [{\"type\": \"close_window\", \"parameters\": {\"window_name\": \"a\", \"by_class\": 1}}]} | task/setup | by_class | config[0].parameters.by_class",
        "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\", \"size\": 1}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}}} | task/evaluate | size | evaluator.result.size",
        "{\"evaluator\": {\"func\": \"compare_text_file\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\"}, \"expected\": {\"type\": \"vm_file\", \"path\": \"/b\"}, \"options\": {\"ignore_case\": \"yes\"}}} | task/evaluate | ignore_case | evaluator.options.ignore_case"
    })
    void aWrongParameterIsRefusedByName(String body, String operation, String parameter, String named) {
        expectError(Api.act(token, worker, resource, operation, body), 400, "INVALID_PARAMETERS")
                .body("error.details.parameter", equalTo(parameter))
                .body("error.message", containsString(named));
        assertEquals(List.of(), vm.received());
    }

    @ParameterizedTest
    @CsvSource({"cache_file, envgrid does not keep", "cloud_file, does not reach", "vm_window_size, /window_size",
        "vm_wallpaper, /wallpaper"})
    void gettersEnvgridDoesNotServeAreRefusedByName(String getter, String why) {
        String body = "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"" + getter
                + "\", \"path\": \"x\"}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}}}";
        expectError(Api.act(token, worker, resource, "task/evaluate", body), 400, "UNSUPPORTED_TASK_FEATURE")
                .body("error.details.unsupported", equalTo(getter))
                .body("error.message", containsString(why));
        assertEquals(List.of(), vm.received());
    }

    private io.restassured.response.ValidatableResponse expectScore(String evaluator, float score) {
        return Api.act(token, worker, resource, "task/evaluate", evaluator).statusCode(200)
                .body("score", equalTo(score));
    }

    private io.restassured.response.ValidatableResponse act(String operation, String body) {
        return Api.act(token, worker, resource, operation, body).statusCode(200);
    }
}

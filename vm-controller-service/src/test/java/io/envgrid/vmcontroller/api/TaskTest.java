package io.envgrid.vmcontroller.api;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.json.JsonObject;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * OSWorld task set-up and evaluation on a session's VM: each step and getter makes the OSWorld request it names, in
 * order; whatever is refused is refused before the VM gets anything; only the lease holder's token gets through.
 */
@QuarkusTest
@WithRedis
class TaskTest extends WithFakeVm {

    private static final String ALL_STEPS = """
            {"id": "t", "instruction": "x", "config": [
              {"type": "execute", "parameters": {"command": "rm -rf /tmp/t && mkdir /tmp/t", "shell": true}},
              {"type": "command", "parameters": {"command": ["touch", "/tmp/t/a"]}},
              {"type": "launch", "parameters": {"command": ["xterm", "-T", "t"]}},
              {"type": "download", "parameters": {"files": [{"url": "http://example.org/a.txt", "path": "/tmp/t/a.txt",
                  "content": "%s"}]}},
              {"type": "open", "parameters": {"path": "/tmp/t/a.txt"}},
              {"type": "sleep", "parameters": {"seconds": 0}},
              {"type": "activate_window", "parameters": {"window_name": "a.txt", "strict": true}},
              {"type": "close_window", "parameters": {"window_name": "t", "by_class": true}}
            ]}""".formatted(Base64.getEncoder().encodeToString("hello".getBytes()));

    @Test
    void everyStepTypeMakesItsOsworldCallInOrder() {
        Api.act(token, worker, resource, "task/setup", ALL_STEPS).statusCode(200)
                .body("status", equalTo("success"))
                .body("steps.size()", equalTo(8))
                .body("steps.type", equalTo(List.of("execute", "command", "launch", "download", "open", "sleep",
                        "activate_window", "close_window")))
                .body("steps.status", equalTo(List.of("ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok")))
                .body("steps[0].returncode", equalTo(0));
        assertEquals(List.of("/setup/execute", "/setup/execute", "/setup/launch", "/setup/upload", "/setup/open_file",
                "/setup/activate_window", "/setup/close_window"), vm.received().stream().map(FakeVm.Received::path).toList());
        assertEquals(new JsonObject().put("command", "rm -rf /tmp/t && mkdir /tmp/t").put("shell", true),
                vm.received().get(0).json());
        assertTrue(vm.received().get(3).body().contains("hello"), "the download's bytes are uploaded");
        assertEquals(new JsonObject().put("path", "/tmp/t/a.txt"), vm.received().get(4).json());
        assertEquals(new JsonObject().put("window_name", "a.txt").put("strict", true).put("by_class", false),
                vm.received().get(5).json());
        assertTrue(vm.received().stream().allMatch(r -> token.equals(r.leaseToken())));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"chrome_open_tabs\", \"parameters\": {}}]}",
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"teleport\"}]}",
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"execute\", \"parameters\": {\"command\": \"ls\", \"until\": {\"returncode\": 0}}}]}",
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"sleep\", \"parameters\": {\"seconds\": 61}}]}",
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"open\", \"parameters\": {}}]}",
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": []}}]}",
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"download\", \"parameters\": {\"files\": [{\"url\": \"http://x/a\", \"path\": \"/tmp/a\"}]}}]}",
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"activate_window\", \"parameters\": {\"window_name\": \"a\", \"strict\": \"yes\"}}]}",
        "{\"config\": {\"type\": \"launch\"}}",
        "[1, 2]",
        // 60 + 60 + 1 s of sleep: each step is within its bound, the list is not
        "{\"config\": [{\"type\": \"launch\", \"parameters\": {\"command\": \"ls\"}}, {\"type\": \"sleep\", \"parameters\": {\"seconds\": 60}}, {\"type\": \"sleep\", \"parameters\": {\"seconds\": 60}}, {\"type\": \"sleep\", \"parameters\": {\"seconds\": 1}}]}"
    })
    void aBadStepAnywhereIsRefusedBeforeAnyStepRuns(String body) {
        Api.act(token, worker, resource, "task/setup", body).statusCode(400).body("error.code",
                org.hamcrest.Matchers.oneOf("INVALID_PARAMETERS", "UNSUPPORTED_TASK_FEATURE"));
        assertEquals(List.of(), vm.received(), "no step ran");
    }

    @Test
    void aListOfMoreThanAHundredStepsIsRefused() {
        String step = "{\"type\": \"sleep\", \"parameters\": {\"seconds\": 0}}";
        String config = "{\"config\": [" + String.join(", ", java.util.Collections.nCopies(101, step)) + "]}";
        expectError(Api.act(token, worker, resource, "task/setup", config), 400, "INVALID_PARAMETERS")
                .body("error.message", containsString("up to 100 steps"));
        String postconfig = "{\"evaluator\": {\"func\": \"exact_match\", \"postconfig\": ["
                + String.join(", ", java.util.Collections.nCopies(101, step)) + "], \"result\": {\"type\": \"rule\","
                + " \"rules\": {\"expected\": \"a\"}}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}}}";
        expectError(Api.act(token, worker, resource, "task/evaluate", postconfig), 400, "INVALID_PARAMETERS");
        String hundred = "{\"config\": [" + String.join(", ", java.util.Collections.nCopies(100, step)) + "]}";
        Api.act(token, worker, resource, "task/setup", hundred).statusCode(200).body("steps.size()", equalTo(100));
    }

    @Test
    void aLeaseThatEndsDuringSetUpStopsTheNextStep() throws Exception {
        // the controller's own 5 s sleep step leaves time to end the lease once the first step has reached the VM
        var call = java.util.concurrent.CompletableFuture.supplyAsync(() -> Api.act(token, worker, resource,
                "task/setup", "{\"config\": [{\"type\": \"command\", \"parameters\": {\"command\": [\"true\"]}},"
                        + " {\"type\": \"sleep\", \"parameters\": {\"seconds\": 5}},"
                        + " {\"type\": \"launch\", \"parameters\": {\"command\": [\"xterm\"]}}]}"));
        io.envgrid.vmcontroller.support.Conditions.await(() -> !vm.received("/setup/execute").isEmpty(),
                "the first step reached the desktop");
        leases.release(resource);
        expectError(call.get(60, java.util.concurrent.TimeUnit.SECONDS), 409, "LEASE_NOT_LIVE");
        assertEquals(List.of(), vm.received("/setup/launch"), "the step after the lease ended never ran");
    }

    @Test
    void unknownStepsAreNamed() {
        expectError(Api.act(token, worker, resource, "task/setup",
                "{\"config\": [{\"type\": \"sleep\", \"parameters\": {\"seconds\": 1}}, {\"type\": \"teleport\"}]}"),
                400, "UNSUPPORTED_TASK_FEATURE").body("error.details.index", equalTo(1))
                .body("error.details.unsupported", equalTo("teleport"))
                .body("error.message", containsString("teleport"));
    }

    @Test
    void aFailedStepStopsTheRestAndSaysWhy() {
        vm.answer("/setup/open_file", new FakeVm.Answer(404, "application/json", "{\"error\": \"File not found: /nope\"}"));
        Api.act(token, worker, resource, "task/setup", """
                {"config": [{"type": "command", "parameters": {"command": ["true"]}},
                            {"type": "open", "parameters": {"path": "/nope"}},
                            {"type": "launch", "parameters": {"command": ["xterm"]}}]}""").statusCode(200)
                .body("status", equalTo("failed"))
                .body("steps.status", equalTo(List.of("ok", "failed", "not_run")))
                .body("steps[1].code", equalTo("NOT_FOUND"))
                .body("steps[1].message", containsString("File not found"));
        assertEquals(List.of(), vm.received("/setup/launch"));
    }

    @Test
    void checkOnlyRunsNothing() {
        Api.as(token).queryParam("check_only", true).contentType("application/json").body(ALL_STEPS)
                .post(Api.session(worker, resource) + "/task/setup").then().statusCode(200)
                .body("status", equalTo("checked")).body("steps.status[0]", equalTo("not_run"));
        assertEquals(List.of(), vm.received());
    }

    @Test
    void evaluationScoresWithGettersAndMetrics() {
        // the fake answers /file with "content of file_path=<path>" and /execute with "ok\n"
        String evaluator = """
                {"evaluator": {"func": ["check_include_exclude", "exact_match"], "conj": "and",
                  "result": [{"type": "vm_file", "path": "/tmp/a.txt", "dest": "a.txt"},
                             {"type": "vm_command_line", "command": ["cat", "/tmp/b"]}],
                  "expected": [{"type": "rule", "rules": {"include": ["content of file_path="]}},
                               {"type": "rule", "rules": {"expected": "ok\\n"}}]}}""";
        Api.act(token, worker, resource, "task/evaluate", evaluator).statusCode(200)
                .body("score", equalTo(1.0f)).body("conj", equalTo("and"))
                .body("metrics.func", equalTo(List.of("check_include_exclude", "exact_match")))
                .body("metrics.score", equalTo(List.of(1.0f, 1.0f)));
        assertEquals(1, vm.received("/file").size());
        assertEquals(1, vm.received("/execute").size());

        vm.answer("/file", new FakeVm.Answer(404, "application/json", "{\"error\": \"File not found\"}"));
        Api.act(token, worker, resource, "task/evaluate", evaluator).statusCode(200)
                .body("score", equalTo(0.0f))
                .body("metrics[0].score", equalTo(0.0f))
                .body("metrics[0].absent", containsString("vm_file"));
    }

    @Test
    void postconfigRunsFirst() {
        Api.act(token, worker, resource, "task/evaluate", """
                {"evaluator": {"postconfig": [{"type": "close_window", "parameters": {"window_name": "gedit"}}],
                  "func": "is_in_list", "result": {"type": "vm_command_line", "command": "ls", "shell": true},
                  "expected": {"type": "rule", "rules": {"expected": "ok"}}}}""").statusCode(200)
                .body("score", equalTo(1.0f)).body("postconfig.status", equalTo("success"));
        assertEquals(List.of("/setup/close_window", "/execute"), vm.received().stream().map(FakeVm.Received::path).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "{\"evaluator\": {\"func\": \"compare_pdfs\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\"}, \"expected\": {\"type\": \"vm_file\", \"path\": \"/b\"}}}",
        "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"cloud_file\", \"path\": \"http://x\"}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}}}",
        "{\"evaluator\": {\"func\": \"infeasible\"}}",
        "{\"evaluator\": {\"func\": [\"exact_match\", \"exact_match\"], \"result\": [{\"type\": \"vm_file\", \"path\": \"/a\"}], \"expected\": [{\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}]}}",
        "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\"}}}",
        "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\"}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}, \"options\": {\"ignore_case\": true}}}",
        "{\"evaluator\": {\"func\": \"check_list\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\"}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expect\": [\"(\"]}}}}",
        "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\"}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}, \"postconfig\": [{\"type\": \"login\"}]}}",
        "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"vm_file\", \"path\": \"/a\"}, \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}, \"conj\": \"xor\"}}",
        "{\"config\": []}"
    })
    void anUnsupportedOrMalformedEvaluatorIsRefusedBeforeAnythingRuns(String body) {
        Api.act(token, worker, resource, "task/evaluate", body).statusCode(400).body("error.code",
                org.hamcrest.Matchers.oneOf("INVALID_PARAMETERS", "UNSUPPORTED_TASK_FEATURE"));
        assertEquals(List.of(), vm.received());
    }

    @Test
    void onlyTheLeaseHolderSetsUpOrEvaluates() {
        String guessed = "guessed-" + java.util.UUID.randomUUID();
        expectError(Api.act(guessed, worker, resource, "task/setup", ALL_STEPS), 409, "LEASE_NOT_LIVE");
        expectError(Api.act(guessed, worker, resource, "task/evaluate",
                "{\"evaluator\": {\"func\": \"exact_match\", \"result\": {\"type\": \"vm_command_line\", \"command\": \"ls\"},"
                        + " \"expected\": {\"type\": \"rule\", \"rules\": {\"expected\": \"a\"}}}}"), 409, "LEASE_NOT_LIVE");
        leases.release(resource);
        expectError(Api.act(token, worker, resource, "task/setup", ALL_STEPS), 409, "LEASE_NOT_LIVE");
        assertEquals(List.of(), vm.received());
    }
}

package io.envgrid.vmcontroller.api;

import static io.envgrid.vmcontroller.support.Api.expectError;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * One {@code task/evaluate} call costs at most one deadline of wall-clock time and one work budget, whatever its
 * evaluator lists (review 11, F2): a list of slow commands or a postconfig sleep ends at the deadline with the rest
 * scored 0 and the reason, the bytes getters read are charged to the budget, and a list of checks past what any
 * OSWorld task uses is refused before anything runs.
 */
@QuarkusTest
@WithRedis
@TestProfile(EvaluationLimitsTest.ShortDeadline.class)
class EvaluationLimitsTest extends WithFakeVm {

    private static final Duration DEADLINE = Duration.ofSeconds(4);
    /** The answer may come this much after the deadline: the last call's wind-down, the answer's way back. */
    private static final Duration SLACK = Duration.ofSeconds(2);

    /** A deadline of seconds, and a desktop command timeout longer than it, so only the deadline can stop a call. */
    public static class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.vm-controller.evaluation.deadline", DEADLINE.toMillis() + "ms",
                    "envgrid.vm-controller.vm.execute-timeout", "30s");
        }
    }

    /** {@code n} checks that each run {@code echo ok} on the desktop and look for {@code ok} in its output. */
    private static JsonObject commandChecks(int n) {
        JsonObject command = new JsonObject().put("type", "vm_command_line")
                .put("command", new JsonArray().add("echo").add("ok"));
        JsonObject include = new JsonObject().put("type", "rule")
                .put("rules", new JsonObject().put("include", new JsonArray().add("ok")));
        return new JsonObject().put("func", repeated("check_include_exclude", n)).put("result", repeated(command, n))
                .put("expected", repeated(include, n));
    }

    private static JsonArray repeated(Object item, int n) {
        JsonArray list = new JsonArray();
        for (int i = 0; i < n; i++) {
            list.add(item);
        }
        return list;
    }

    @Test
    void slowGettersStopAtTheDeadlineAndTheRestScoreZeroWithTheReason() {
        // each command takes 2.5 s: the first ends inside the 4 s deadline, the second is running when it passes
        vm.slow(2_500);
        long start = System.nanoTime();
        Api.act(token, worker, resource, "task/evaluate", new JsonObject().put("evaluator", commandChecks(10)).encode())
                .statusCode(200).body("score", equalTo(0.0f))
                .body("metrics[0].score", equalTo(1.0f)).body("metrics[0].reason", nullValue())
                // the one running at the deadline was given the time left (1.5 s): with its own 30 s it would have
                // answered at 5 s and scored 1
                .body("metrics[1].score", equalTo(0.0f)).body("metrics[1].reason", containsString("deadline"))
                .body("metrics[9].score", equalTo(0.0f)).body("metrics[9].reason", containsString("deadline"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(DEADLINE.plus(SLACK)) < 0, "answered in " + took.toMillis() + " ms");
        // no getter was started after the deadline
        assertEquals(2, vm.received("/execute").size());
    }

    @Test
    void aPostconfigSleepEndsAtTheDeadline() {
        long start = System.nanoTime();
        JsonObject evaluator = commandChecks(1).put("postconfig", new JsonArray().add(new JsonObject()
                .put("type", "sleep").put("parameters", new JsonObject().put("seconds", 30))));
        Api.act(token, worker, resource, "task/evaluate", new JsonObject().put("evaluator", evaluator).encode())
                .statusCode(200).body("score", equalTo(0.0f)).body("reason", equalTo("a postconfig step failed"))
                .body("postconfig.steps[0].status", equalTo("failed"))
                .body("postconfig.steps[0].message", containsString("deadline"));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(DEADLINE.plus(SLACK)) < 0, "answered in " + took.toMillis() + " ms");
        assertEquals(0, vm.received("/execute").size());
    }

    @Test
    void filesReadFromTheDesktopAreChargedToTheBudget() {
        // 4 MiB a read, 262 144 steps of the budget's 5 000 000: the checks past the budget read nothing more
        byte[] file = new byte[4 << 20];
        Arrays.fill(file, (byte) 'x');
        vm.answerBytes("/file", Map.of("Content-Type", "application/octet-stream"), file);
        int n = 30;
        JsonObject getter = new JsonObject().put("type", "vm_file").put("path", "/home/user/big.txt");
        JsonObject include = new JsonObject().put("type", "rule")
                .put("rules", new JsonObject().put("include", new JsonArray().add("x")));
        Api.act(token, worker, resource, "task/evaluate", new JsonObject().put("evaluator", new JsonObject()
                .put("func", repeated("check_include_exclude", n)).put("result", repeated(getter, n))
                .put("expected", repeated(include, n)).put("conj", "or")).encode())
                .statusCode(200).body("score", equalTo(1.0f)).body("metrics[0].score", equalTo(1.0f))
                .body("metrics[" + (n - 1) + "].score", equalTo(0.0f))
                .body("metrics[" + (n - 1) + "].reason", containsString("budget"));
        int reads = vm.received("/file").size();
        assertTrue(reads > 1 && reads < n, reads + " reads");
    }

    @Test
    void moreChecksThanTheLimitAreRefusedBeforeAnythingRuns() {
        expectError(Api.act(token, worker, resource, "task/evaluate", new JsonObject()
                .put("evaluator", commandChecks(EvaluatorInput.MAX_CHECKS + 1)).encode()), 400, "INVALID_PARAMETERS")
                .body("error.message", containsString("up to " + EvaluatorInput.MAX_CHECKS))
                .body("error.details.parameter", equalTo("func"));
        assertEquals(0, vm.received().size());
        Api.act(token, worker, resource, "task/evaluate", new JsonObject()
                .put("evaluator", commandChecks(EvaluatorInput.MAX_CHECKS)).encode())
                .statusCode(200).body("score", equalTo(1.0f));
    }
}

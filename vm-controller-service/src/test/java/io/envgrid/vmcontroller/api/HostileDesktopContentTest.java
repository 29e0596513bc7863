package io.envgrid.vmcontroller.api;

import static io.restassured.RestAssured.get;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ValidatableResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * What a worker leaves on its desktop is hostile input to the evaluation: an accessibility tree nested 100 000 deep
 * or with 200 000 elements, a billion-laughs or external-entity document, an XPath whose cost is quadratic in the
 * tree, a file of gigabytes, a gzip bomb. Each is answered in bounded time with the check scored 0 and a reason, or a
 * 4xx to a direct read (never a 5xx, never a hang), and the service stays healthy and keeps scoring ordinary tasks.
 */
@QuarkusTest
@WithRedis
class HostileDesktopContentTest extends WithFakeVm {

    /** Far above the budgets (XPath's steps take under a second), far below an unbounded evaluation of these inputs. */
    private static final Duration BOUNDED = Duration.ofSeconds(15);

    @Test
    void aTreeNestedDeeperThanTheLimitScoresZeroWithTheReason() {
        int depth = 100_000;
        serveTree("<a>".repeat(depth) + "</a>".repeat(depth));
        expectUnscorable("//a[count(ancestor::*) > 5]", "nests deeper than");
    }

    @Test
    void aTreeWithTooManyElementsScoresZeroWithTheReason() {
        serveTree("<r>" + "<a/>".repeat(200_000) + "</r>");
        expectUnscorable("//*[count(//*) > 0]", "more than");
    }

    @Test
    void anXPathPastItsStepBudgetScoresZeroReleasesTheCpuAndTheServiceKeepsScoring() {
        // under the element limit, so the rule runs: count(//*) for each of 40 000 elements is 1.6e9 steps
        serveTree("<r>" + "<a/>".repeat(40_000) + "</r>");
        expectUnscorable("//*[count(//*) > 0]", "steps");
        // the evaluation stopped itself before the answer: no thread is left inside an XPath engine burning a core
        assertTrue(Thread.getAllStackTraces().values().stream().flatMap(Arrays::stream)
                .noneMatch(frame -> frame.getClassName().startsWith("org.jaxen")
                        || frame.getClassName().startsWith("com.sun.org.apache.xpath")), "an XPath evaluation still runs");
        vm.answer("/accessibility", null);
        long start = System.nanoTime();
        score("/desktop-frame[@name='main']").body("score", equalTo(1.0f));
        assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(BOUNDED) < 0, "a small tree is scored at once");
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void aFuzzyRuleOverAnElementOfAnyLengthIsScoredNotRefused() {
        // the element's text is the desktop's data, not the caller's mistake: it was 422 EVALUATION_FAILED past 10 000
        // characters; now its |a|·|b| cells are charged to the evaluation's budget and it scores as OSWorld's fuzz.ratio
        serveTree("<r><a>" + "x".repeat(20_000) + "</a></r>");
        Api.act(token, worker, resource, "task/evaluate", new JsonObject().put("evaluator", new JsonObject()
                .put("func", "check_accessibility_tree").put("result", new JsonObject().put("type", "accessibility_tree"))
                .put("expected", new JsonObject().put("type", "rule").put("rules", new JsonArray()
                        .add(new JsonObject().put("xpath", "//a").put("text", "x".repeat(100)).put("exact", false)))))
                .encode())
                .statusCode(200).body("score", equalTo((float) (2.0 * 100 / 20_100)));
        // one past the budget stops with it as the reason, still a 200 scoring 0
        serveTree("<r><a>" + "x".repeat(200_000) + "</a></r>");
        Api.act(token, worker, resource, "task/evaluate", new JsonObject().put("evaluator", new JsonObject()
                .put("func", "check_accessibility_tree").put("result", new JsonObject().put("type", "accessibility_tree"))
                .put("expected", new JsonObject().put("type", "rule").put("rules", new JsonArray()
                        .add(new JsonObject().put("xpath", "//a").put("text", "y".repeat(1_000)).put("exact", false)))))
                .encode())
                .statusCode(200).body("score", equalTo(0.0f)).body("metrics[0].reason", containsString("budget"));
    }

    @Test
    void aBillionLaughsTreeIsNotExpanded() {
        StringBuilder dtd = new StringBuilder("<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol0 \"lol\">");
        for (int i = 1; i < 10; i++) {
            dtd.append("<!ENTITY lol").append(i).append(" \"").append(("&lol" + (i - 1) + ";").repeat(10)).append("\">");
        }
        serveTree(dtd + "]><lolz>&lol9;</lolz>");
        expectUnscorable("//lolz", "declares a DTD");
    }

    @Test
    void anExternalEntityIsNeverFetched() {
        serveTree("<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><r>&x;</r>");
        expectUnscorable("//r", "declares a DTD");
    }

    @Test
    void aFileLargerThanTheLimitScoresZeroAndIsRefusedToTheReader() {
        // 3 GiB: more than the web client could even hold in one buffer (2 GiB); the limit is 8 MiB under test
        vm.stream("/file", new FakeVm.Streamed("application/octet-stream", Map.of(), 3L << 30, (byte) 'x'));
        long start = System.nanoTime();
        Api.act(token, worker, resource, "task/evaluate", new JsonObject().put("evaluator", new JsonObject()
                .put("func", "check_include_exclude").put("result", new JsonObject().put("type", "vm_file")
                        .put("path", "/home/user/big.txt"))
                .put("expected", new JsonObject().put("type", "rule").put("rules", new JsonObject()
                        .put("include", new JsonArray().add("x"))))).encode())
                .statusCode(200).body("score", equalTo(0.0f)).body("metrics[0].absent", containsString("larger than"));
        Api.act(token, worker, resource, "files/read", new JsonObject().put("path", "/home/user/big.txt").encode())
                .statusCode(413).body("error.code", equalTo("ANSWER_TOO_LARGE"))
                .body("error.message", containsString(String.valueOf(8L << 20)));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(BOUNDED) < 0, "answered in " + took.toMillis() + " ms");
        assertTrue(vm.streamedBytes() < 1L << 30, "the controller stopped reading: " + vm.streamedBytes() + " bytes sent");
        get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
    }

    @Test
    void aCompressedAnswerIsNeverInflated() throws IOException {
        // a gzip bomb: 512 MiB of zeros in a few hundred kB, sent with Content-Encoding: gzip
        ByteArrayOutputStream bomb = new ByteArrayOutputStream();
        try (GZIPOutputStream gzip = new GZIPOutputStream(bomb)) {
            byte[] zeros = new byte[1 << 20];
            for (int i = 0; i < 512; i++) {
                gzip.write(zeros);
            }
        }
        vm.answerBytes("/file", Map.of("Content-Type", "application/octet-stream", "Content-Encoding", "gzip"),
                bomb.toByteArray());
        Api.act(token, worker, resource, "files/read", new JsonObject().put("path", "/home/user/bomb").encode())
                .statusCode(200).body("size", equalTo(bomb.size()));
    }

    private void serveTree(String xml) {
        vm.answer("/accessibility", new FakeVm.Answer(200, "application/json", new JsonObject().put("AT", xml).encode()));
    }

    private void expectUnscorable(String xpath, String reason) {
        long start = System.nanoTime();
        score(xpath).body("score", equalTo(0.0f)).body("metrics[0].score", equalTo(0.0f))
                .body("metrics[0].reason", containsString(reason));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertTrue(took.compareTo(BOUNDED) < 0, "answered in " + took.toMillis() + " ms");
    }

    private ValidatableResponse score(String xpath) {
        return Api.act(token, worker, resource, "task/evaluate", new JsonObject().put("evaluator", new JsonObject()
                .put("func", "check_accessibility_tree").put("result", new JsonObject().put("type", "accessibility_tree"))
                .put("expected", new JsonObject().put("type", "rule").put("rules", new JsonArray()
                        .add(new JsonObject().put("xpath", xpath))))).encode()).statusCode(200);
    }
}

package io.envgrid.vmcontroller.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.response.ValidatableResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.BiFunction;
import org.junit.jupiter.api.Test;

/**
 * Holder enumeration (hostile review of issue 11): a caller without a valid credential for a resource
 * must learn nothing about its lease or sessions. For every route, the answer to a token that is not
 * the live lease's is the same, byte for byte but the resource id it was sent and the timestamp,
 * whether the resource is leased to the path's worker (with an open, a closed or no session), leased
 * to another worker, not leased, or unknown; and a wrong worker looks like a wrong token.
 */
@QuarkusTest
@WithRedis
class LeaseSecrecyTest extends WithFakeVm {

    private static final String GUESSED = "elt_AAAAAAAAAAAAAAAAAAAAAA";

    /** Every route under {@code /sessions/{worker}/{resource}}, with a body it would accept. */
    private static final Map<String, BiFunction<String, String[], ValidatableResponse>> ROUTES = routes();

    private static Map<String, BiFunction<String, String[], ValidatableResponse>> routes() {
        Map<String, BiFunction<String, String[], ValidatableResponse>> routes = new LinkedHashMap<>();
        routes.put("GET session", (t, ids) -> Api.get(t, ids[0], ids[1]));
        routes.put("DELETE session", (t, ids) -> Api.delete(t, ids[0], ids[1]));
        for (String read : List.of("observation", "screenshot", "accessibility", "screen_size", "cursor_position",
                "platform")) {
            routes.put("GET " + read, (t, ids) -> Api.read(t, ids[0], ids[1], read));
        }
        Map<String, Object> bodies = new LinkedHashMap<>();
        bodies.put("actions/pyautogui", Map.of("code", "pyautogui.click(1, 2)"));
        bodies.put("actions/computer_13", Map.of("action_type", "CLICK"));
        bodies.put("commands", Map.of("command", List.of("ls")));
        bodies.put("launch", Map.of("command", List.of("gedit")));
        bodies.put("python", Map.of("code", "print(1)"));
        bodies.put("bash", Map.of("script", "echo x"));
        bodies.put("files/list", Map.of("path", "/tmp"));
        bodies.put("files/read", Map.of("path", "/tmp/x"));
        bodies.put("files/write", Map.of("path", "/tmp/x", "content", "eA=="));
        bodies.put("recording/start", Map.of());
        bodies.put("recording/end", Map.of());
        bodies.put("task/setup", Map.of("config", List.of(Map.of("type", "launch", "parameters",
                Map.of("command", List.of("gedit"))))));
        bodies.put("task/evaluate", Map.of("evaluator", Map.of("func", "exact_match", "result",
                Map.of("type", "vm_command_line", "command", List.of("ls")), "expected",
                Map.of("type", "rule", "rules", Map.of("expected", "x")))));
        bodies.forEach((op, body) -> routes.put("POST " + op, (t, ids) -> Api.act(t, ids[0], ids[1], op, body)));
        return routes;
    }

    @Test
    void aTokenThatIsNotTheLiveLeasesGetsOneAnswerWhateverTheResourceIsAndWhoeverHoldsIt() {
        String other = "worker-other-" + UUID.randomUUID();
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("leased to the worker, session open", new String[] {worker, resource});
        cases.put("leased to the worker, no session", new String[] {worker, leased(worker, false)});
        String closed = leased(worker, true);
        cases.put("leased to the worker, session closed", new String[] {worker, closed});
        cases.put("leased to another worker, its session open", new String[] {worker, leased(other, true)});
        cases.put("another worker's open session", new String[] {other, cases.get("leased to another worker, "
                + "its session open")[1]});
        String free = "vm-free-" + UUID.randomUUID();
        leases.registerVm(free, vm.port());
        cases.put("not leased", new String[] {worker, free});
        cases.put("unknown", new String[] {worker, "vm-unknown-" + UUID.randomUUID()});
        Api.delete(sessionTokens.get(closed), worker, closed).statusCode(200);
        int vmCalls = vm.received().size();

        // A guessed token, the live token of another resource, and an ended lease's token.
        String endedId = "vm-ended-" + UUID.randomUUID();
        leases.registerVm(endedId, vm.port());
        LeaseRecords.Grant ended = leases.grant(endedId, worker);
        leases.release(ended.id());
        for (String presented : List.of(GUESSED, sessionTokens.get(closed), ended.leaseToken())) {
            for (var route : ROUTES.entrySet()) {
                List<String> answers = new ArrayList<>();
                cases.forEach((what, ids) -> {
                    if (presented.equals(sessionTokens.get(ids[1]))) {
                        return; // that token is a credential for this resource
                    }
                    answers.add(normalized(route.getValue().apply(presented, ids), ids) + "   <- " + what);
                });
                String first = answers.get(0).substring(0, answers.get(0).indexOf("   <- "));
                for (String answer : answers) {
                    assertEquals(first, answer.substring(0, answer.indexOf("   <- ")),
                            route.getKey() + " answered differently:\n" + String.join("\n", answers));
                }
                assertTrue(first.startsWith("409 ") && first.contains("\"code\":\"LEASE_NOT_LIVE\""),
                        route.getKey() + ": " + first);
            }
        }
        assertEquals(vmCalls, vm.received().size(), "no refused call reached the VM");
    }

    @Test
    void openingWithAMadeUpTokenSaysNothingAboutTheHolder() {
        String other = "worker-other-" + UUID.randomUUID();
        String heldByOther = leased(other, false);
        String free = "vm-free-" + UUID.randomUUID();
        leases.registerVm(free, vm.port());
        List<String> answers = new ArrayList<>();
        for (String id : List.of(resource, heldByOther, free, "vm-unknown-" + UUID.randomUUID())) {
            for (String as : List.of(worker, other, "nobody")) {
                Map<String, Object> entry = Map.of("id", id, "lease_token", GUESSED);
                answers.add(normalized(Api.open(as, entry), new String[] {as, id}));
            }
        }
        assertEquals(1, answers.stream().distinct().count(), String.join("\n", answers));
        assertTrue(answers.get(0).startsWith("409 ") && answers.get(0).contains("\"code\":\"LEASE_NOT_LIVE\""),
                answers.get(0));
    }

    /** Lease tokens by resource id, for the resources this test leased. */
    private final Map<String, String> sessionTokens = new LinkedHashMap<>();

    /** A new VM resource leased to {@code to}, with an open session when {@code session}. */
    private String leased(String to, boolean session) {
        String id = "vm-" + UUID.randomUUID();
        leases.registerVm(id, vm.port());
        LeaseRecords.Grant g = leases.grant(id, to);
        sessionTokens.put(id, g.leaseToken());
        if (session) {
            Api.open(to, g.entry()).statusCode(201);
        }
        return id;
    }

    /**
     * {@code <status> {"status", "code", "message", "details"}} with the ids the caller sent replaced
     * by placeholders: all an answer may depend on is what the caller sent.
     */
    private static String normalized(ValidatableResponse response, String[] ids) {
        ExtractableResponse<Response> r = response.extract();
        JsonPath body = r.jsonPath();
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("status", r.statusCode());
        error.put("code", body.getString("error.code"));
        error.put("message", body.getString("error.message"));
        error.put("details", body.getMap("error.details"));
        String text = r.statusCode() + " " + new io.vertx.core.json.JsonObject(error).encode();
        return text.replace(ids[1], "<resource>").replace(ids[0], "<worker>");
    }
}

package io.envgrid.deviceagent.computer.hosting;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.EverythingServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The Computer hosting the reference MCP server {@code @modelcontextprotocol/server-everything} (npm) through the
 * official MCP Java SDK: over stdio (directly, and behind {@code tee} so the test reads what the server received),
 * over Streamable HTTP and over SSE; all through the agent's {@code /computer} REST API with the service token.
 */
@QuarkusTest
class McpServerHostingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration START = Duration.ofSeconds(90);
    private static final String LONG = "trigger-long-running-operation";

    @Inject
    McpServerHost host;

    @Test
    void stdioServerIsListedCalledSeesItsInputsAndRestartsAfterAKill() throws Exception {
        putInputs();
        String marker = "envgrid-test-" + System.nanoTime();
        put("everything", Map.of("type", "stdio", "name", "Everything",
                "forbidden_tools", List.of("get-tiny-image"),
                "tool_meta", Map.of("echo", Map.of("alias", "say", "tags", List.of("talk"), "auto_apply", true)),
                "default_tool_meta", Map.of("tags", List.of("everything")),
                "server_parameters", Map.of("command", EverythingServer.NODE,
                        "args", List.of(EverythingServer.ENTRY, "stdio", marker),
                        "env", Map.of("GREETING", "${input:greeting}", "API_KEY_X", "${input:secret}",
                                "LITERAL_KEY", "literal-env-secret-9"))))
                .statusCode(201);
        awaitTool("everything__say");

        JsonNode tools = tools();
        JsonNode say = byName(tools, "everything__say");
        assertEquals("everything", say.get("bundle_id").asText());
        JsonNode meta = JSON.readTree(say.get("meta").get("a2c_tool_meta").asText());
        assertEquals("say", meta.get("alias").asText());
        assertEquals("[\"talk\"]", meta.get("tags").toString(), "tool_meta wins over default_tool_meta");
        assertTrue(meta.get("auto_apply").asBoolean());
        assertEquals("[\"everything\"]",
                JSON.readTree(byName(tools, "everything__get-sum").get("meta").get("a2c_tool_meta").asText())
                        .get("tags").toString());
        assertTrue(names(tools).stream().noneMatch(n -> n.equals("everything__get-tiny-image")
                || n.equals("everything__echo")), "forbidden and aliased names are not exposed: " + names(tools));

        JsonNode echoed = call("everything__say", Map.of("message", "hello computer"), null, null);
        assertFalse(echoed.get("isError").asBoolean(), echoed.toString());
        assertTrue(echoed.toString().contains("hello computer"), echoed.toString());

        String env = call("everything__get-env", Map.of(), null, null).toString();
        assertTrue(env.contains("greeting-from-env"), "A2C_SMCP_GREETING overrides the default: " + env);
        assertTrue(env.contains("s3cret-value"), "the secret input reached its server");
        assertFalse(env.contains(AgentCalls.SERVICE_TOKEN_SHA256) || env.contains("decoy-secret-7f3a"),
                "the agent's own secrets do not reach a hosted server");

        String config = AgentCalls.asService().get("/computer/config").then().statusCode(200).extract().asString();
        assertTrue(config.contains("${input:greeting}") && config.contains("${input:secret}"), config);
        assertFalse(config.contains("s3cret-value") || config.contains("greeting-from-env"),
                "no rendered value and no password default leaves the host: " + config);
        assertTrue(config.contains("\"LITERAL_KEY\":\"******\"") && !config.contains("literal-env-secret-9"),
                "a secret written into env directly is masked: " + config);

        // the secret reaches the server through its environment, never through its world-readable command line
        ProcessHandle server = serverProcess(marker);
        Path proc = Path.of("/proc", Long.toString(server.pid()));
        String cmdline = Files.readString(proc.resolve("cmdline")).replace('\0', ' ');
        assertTrue(cmdline.contains(marker), cmdline);
        assertFalse(cmdline.contains("s3cret-value") || cmdline.contains("literal-env-secret-9"), cmdline);
        assertTrue(Files.readString(proc.resolve("environ")).contains("API_KEY_X=s3cret-value"));
        String stat = Files.readString(proc.resolve("stat"));
        assertEquals(Long.toString(server.pid()), stat.substring(stat.lastIndexOf(')') + 2).split(" ")[2],
                "the server leads a process group of its own");

        ProcessHandle first = serverProcess(marker);
        first.destroyForcibly();
        // one look per poll: a process seen once may be gone by a second look (the restart is still settling)
        Conditions.await(() -> {
            ProcessHandle now = serverProcessOrNull(marker);
            return now != null && now.pid() != first.pid() && state("everything").equals("running");
        }, "the killed stdio server started again", START);
        assertEquals(2, status("everything").get("starts").asInt());
        JsonNode again = call("everything__say", Map.of("message", "after the kill"), null, null);
        assertTrue(again.toString().contains("after the kill"), again.toString());
        AgentCalls.asService().get("/health").then().statusCode(200);

        AgentCalls.asService().delete("/computer/servers/everything").then().statusCode(204);
        Conditions.await(() -> serverProcessOrNull(marker) == null, "the removed server's process ended", START);
        assertTrue(names(tools()).stream().noneMatch(n -> n.startsWith("everything__")));
    }

    @Test
    void aDisabledServerIsKeptInTheConfigButNotStartedAndDisablingARunningOneStopsIt() {
        String marker = "envgrid-disabled-" + System.nanoTime();
        Map<String, Object> parameters = Map.of("command", EverythingServer.NODE,
                "args", List.of(EverythingServer.ENTRY, "stdio", marker));
        put("dormant", Map.of("type", "stdio", "disabled", true, "server_parameters", parameters)).statusCode(201);
        assertEquals("disabled", state("dormant"));
        assertEquals(0, status("dormant").get("starts").asInt());
        String config = AgentCalls.asService().get("/computer/config").then().statusCode(200).extract().asString();
        assertTrue(config.contains("\"dormant\"") && config.contains(marker), "kept in the config: " + config);
        assertEquals(null, serverProcessOrNull(marker), "no process for a disabled server");
        JsonNode refused = call("dormant__echo", Map.of("message", "asleep"), null, null);
        assertEquals(4001, refused.get("meta").get("error_code").asInt(), refused.toString());

        // the same config enabled starts and serves: what kept it down before was the setting alone
        put("dormant", Map.of("type", "stdio", "server_parameters", parameters)).statusCode(200);
        awaitTool("dormant__echo");
        ProcessHandle running = serverProcess(marker);

        put("dormant", Map.of("type", "stdio", "disabled", true, "server_parameters", parameters)).statusCode(200);
        assertEquals("disabled", state("dormant"));
        Conditions.await(() -> !running.isAlive(), "the server disabled while running ended", START);
        assertTrue(names(tools()).stream().noneMatch(n -> n.startsWith("dormant__")), names(tools()).toString());
        AgentCalls.asService().delete("/computer/servers/dormant").then().statusCode(204);
        assertEquals("absent", state("dormant"));
    }

    @Test
    void aCallThatAsksForProgressGetsTheServersReportsAndOneThatDoesNotGivesNoToken() throws Exception {
        Path trace = traced("progress");

        List<String> reports = new CopyOnWriteArrayList<>();
        CallOutcome outcome = host.call("progress__" + LONG, Map.of("duration", 1, "steps", 3), Duration.ofSeconds(60),
                "progress-1", (progress, total, message) -> reports.add(progress + "/" + total))
                .toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(outcome instanceof CallOutcome.Answered, outcome.toString());
        assertEquals(List.of("1.0/3.0", "2.0/3.0", "3.0/3.0"), reports);

        CallOutcome plain = host.call("progress__" + LONG, Map.of("duration", 1, "steps", 2), Duration.ofSeconds(60),
                "progress-2").toCompletableFuture().get(60, TimeUnit.SECONDS);
        assertTrue(plain instanceof CallOutcome.Answered, plain.toString());
        List<JsonNode> calls = read(trace).lines().map(l -> {
            try {
                return JSON.readTree(l);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }).filter(m -> "tools/call".equals(m.path("method").asText())).toList();
        assertEquals("progress-1", calls.get(0).path("params").path("_meta").path("progressToken").asText(), calls.toString());
        assertFalse(calls.get(1).path("params").path("_meta").has("progressToken"), calls.toString());
    }

    @Test
    void stdioCallsAreCancelledAndTimedOutAtTheServer() throws Exception {
        Path trace = traced("traced");

        CompletableFuture<JsonNode> cancelled = CompletableFuture.supplyAsync(
                () -> call("traced__" + LONG, Map.of("duration", 60, "steps", 60), 120.0, "req-cancel-1"));
        Conditions.await(() -> read(trace).contains("req-cancel-1"), "the long call reached the server", START);
        AgentCalls.asService().post("/computer/calls/req-cancel-1/cancel").then().statusCode(202);
        JsonNode result = cancelled.get(20, TimeUnit.SECONDS);
        assertTrue(result.get("isError").asBoolean());
        assertTrue(result.get("meta").get("a2c_cancelled").asBoolean(), result.toString());
        Conditions.await(() -> read(trace).contains("notifications/cancelled"), "the server was told", START);
        String cancelLine = read(trace).lines().filter(l -> l.contains("notifications/cancelled")).findFirst()
                .orElseThrow();
        Object requestId = JSON.readTree(cancelLine).get("params").get("requestId");
        String callLine = read(trace).lines().filter(l -> l.contains("req-cancel-1")).findFirst().orElseThrow();
        assertEquals(JSON.readTree(callLine).get("id"), requestId, "the cancellation names the call's request id");
        AgentCalls.asService().post("/computer/calls/req-cancel-1/cancel").then().statusCode(404);

        long started = System.nanoTime();
        JsonNode timedOut = call("traced__" + LONG, Map.of("duration", 60, "steps", 60), 1.5, "req-timeout-1");
        long tookMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(timedOut.get("isError").asBoolean());
        assertEquals(4004, timedOut.get("meta").get("error_code").asInt(), timedOut.toString());
        assertTrue(timedOut.get("meta").get("a2c_timeout").asBoolean());
        assertTrue(tookMillis >= 1500 && tookMillis < 20_000, "answered at the timeout: " + tookMillis + " ms");
        Conditions.await(() -> read(trace).lines().filter(l -> l.contains("notifications/cancelled")).count() == 2,
                "the timed-out call was cancelled at the server", START);

        JsonNode after = call("traced__echo", Map.of("message", "still serving"), null, null);
        assertTrue(after.toString().contains("still serving"), after.toString());
        AgentCalls.asService().delete("/computer/servers/traced").then().statusCode(204);
    }

    @Test
    void streamableHttpAndSseServersAreListedCalledCancelledAndTimedOut() throws Exception {
        putInputs();
        try (EverythingServer streamable = EverythingServer.http("streamableHttp");
                EverythingServer sse = EverythingServer.http("sse")) {
            put("remote", Map.of("type", "streamable", "server_parameters",
                    Map.of("url", "http://127.0.0.1:" + streamable.port() + "/mcp", "timeout", "PT120S",
                            "headers", Map.of("X-Test", "${input:greeting}")))).statusCode(201);
            put("legacy", Map.of("type", "sse", "server_parameters",
                    Map.of("url", "http://127.0.0.1:" + sse.port() + "/sse"))).statusCode(201);
            awaitTool("remote__echo");
            awaitTool("legacy__echo");

            for (String bundle : List.of("remote", "legacy")) {
                JsonNode sum = call(bundle + "__get-sum", Map.of("a", 2, "b", 40), null, null);
                assertTrue(sum.toString().contains("42"), bundle + ": " + sum);

                String key = bundle + "-cancel";
                CompletableFuture<JsonNode> running = CompletableFuture.supplyAsync(
                        () -> call(bundle + "__" + LONG, Map.of("duration", 60, "steps", 60), 120.0, key));
                Conditions.await(() -> AgentCalls.asService().post("/computer/calls/" + key + "/cancel")
                        .statusCode() == 202, "cancel " + key, START);
                JsonNode result = running.get(20, TimeUnit.SECONDS);
                assertTrue(result.get("meta").get("a2c_cancelled").asBoolean(), result.toString());

                JsonNode timedOut = call(bundle + "__" + LONG, Map.of("duration", 60, "steps", 60), 1.0, null);
                assertEquals(4004, timedOut.get("meta").get("error_code").asInt(), timedOut.toString());

                JsonNode echo = call(bundle + "__echo", Map.of("message", "after " + bundle), null, null);
                assertTrue(echo.toString().contains("after " + bundle), echo.toString());
            }

            AgentCalls.asService().post("/computer/servers/remote/restart").then().statusCode(202);
            Conditions.await(() -> status("remote") != null && status("remote").get("starts").asInt() == 1
                    && state("remote").equals("running"), "the restarted server runs again", START);
            AgentCalls.asService().delete("/computer/servers/remote").then().statusCode(204);
            AgentCalls.asService().delete("/computer/servers/legacy").then().statusCode(204);
            AgentCalls.asService().delete("/computer/servers/remote").then().statusCode(404)
                    .body("error.code", org.hamcrest.Matchers.equalTo("MCP_SERVER_NOT_FOUND"));
        }
    }

    @Test
    void refusesBadConfigsUnknownToolsAndCallersWithoutTheServiceToken() {
        for (String route : List.of("/computer/config", "/computer/servers", "/computer/tools")) {
            anonymous().get(route).then().statusCode(401)
                    .body("error.code", org.hamcrest.Matchers.equalTo("UNAUTHORIZED"));
            anonymous().header("Authorization", "Bearer wrong").get(route).then().statusCode(401);
        }
        anonymous().contentType(ContentType.JSON).body(Map.of("type", "stdio",
                "server_parameters", Map.of("command", "/bin/true"))).put("/computer/servers/x").then().statusCode(401);
        assertFalse(names(tools()).contains("x"));

        Map<String, Object> ok = Map.of("type", "stdio", "server_parameters", Map.of("command", "/bin/true"));
        put("a__b", ok).statusCode(400).body("error.code", org.hamcrest.Matchers.equalTo("INVALID_PARAMETERS"));
        put("bad.id", ok).statusCode(400);
        put("x", Map.of("type", "stdio", "bundle_id", "y", "server_parameters", Map.of("command", "/bin/true")))
                .statusCode(400);
        put("x", Map.of("type", "http", "server_parameters", Map.of("url", "http://h/"))).statusCode(400);
        put("x", Map.of("type", "stdio")).statusCode(400);
        put("x", Map.of("type", "stdio", "vrl", ".x", "server_parameters", Map.of("command", "/bin/true")))
                .statusCode(400);
        // a command is an executable: no env(1) assignment, no option, no input on the command line
        for (String command : List.of("GREETING=x", "-i", "A=1", "${input:secret}")) {
            put("x", Map.of("type", "stdio", "server_parameters", Map.of("command", command, "args",
                    List.of("/bin/sh", "-c", "touch /tmp/envgrid-should-not-exist")))).statusCode(400)
                    .body("error.code", org.hamcrest.Matchers.equalTo("INVALID_PARAMETERS"));
        }
        put("x", Map.of("type", "stdio", "server_parameters", Map.of("command", "/bin/sh",
                "args", List.of("-c", "srv --key=${input:secret}")))).statusCode(400)
                .body("error.message", org.hamcrest.Matchers.containsString("pass inputs through env"));
        assertFalse(Files.exists(Path.of("/tmp/envgrid-should-not-exist")));
        put("x", Map.of("type", "streamable", "server_parameters", Map.of("url", "ftp://h/"))).statusCode(400);
        put("x", Map.of("type", "streamable", "server_parameters", Map.of("url", "http://h/", "timeout", "30s")))
                .statusCode(400);
        AgentCalls.asService().contentType(ContentType.JSON).body("[1,2").put("/computer/servers/x").then()
                .statusCode(400);
        AgentCalls.asService().post("/computer/servers/none/restart").then().statusCode(404);
        AgentCalls.asService().post("/computer/calls/none/cancel").then().statusCode(404)
                .body("error.code", org.hamcrest.Matchers.equalTo("CALL_NOT_FOUND"));

        JsonNode unknown = call("nobody__nothing", Map.of(), null, null);
        assertTrue(unknown.get("isError").asBoolean());
        assertEquals(4001, unknown.get("meta").get("error_code").asInt());
        AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("timeout", -1))
                .post("/computer/tools/nobody__nothing/call").then().statusCode(400);

        // a server whose start fails (its input has no value) waits to restart and never takes the agent down
        put("broken", Map.of("type", "stdio", "server_parameters",
                Map.of("command", "/bin/true", "env", Map.of("X", "${input:undefined-input}")))).statusCode(201);
        Conditions.await(() -> state("broken").equals("waiting_to_restart"), "the failed start is retried", START);
        assertTrue(status("broken").get("last_error").asText().contains("undefined-input"));
        AgentCalls.asService().get("/health").then().statusCode(200);
        AgentCalls.asService().delete("/computer/servers/broken").then().statusCode(204);
    }

    /**
     * A caller without the service token, connecting from 127.0.0.2: the agent's rate limit counts such callers per
     * address, and RateLimitTest expects a fresh budget at 127.0.0.1.
     */
    private static io.restassured.specification.RequestSpecification anonymous() {
        try {
            return given().config(io.restassured.RestAssured.config().httpClient(
                    io.restassured.config.HttpClientConfig.httpClientConfig().setParam("http.route.local-address",
                            java.net.InetAddress.getByName("127.0.0.2"))));
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException("a literal address always resolves", e);
        }
    }

    /** Adds server-everything over stdio as {@code bundle}, behind {@code tee}: answers the file of what it received. */
    private static Path traced(String bundle) throws IOException {
        Path trace = Files.createTempFile("mcp-" + bundle, ".jsonl");
        // tee copies every message the Computer sends to the server into the trace
        put(bundle, Map.of("type", "stdio", "server_parameters", Map.of("command", "/bin/sh",
                "args", List.of("-c", "tee -a \"$0\" | \"$1\" \"$2\" stdio", trace.toString(),
                        EverythingServer.NODE, EverythingServer.ENTRY)))).statusCode(201);
        awaitTool(bundle + "__" + LONG);
        return trace;
    }

    private static void putInputs() {
        AgentCalls.asService().contentType(ContentType.JSON).body(List.of(
                Map.of("type", "promptString", "id", "greeting", "description", "a greeting",
                        "default", "default-greeting"),
                Map.of("type", "promptString", "id", "secret", "description", "an API key",
                        "default", "s3cret-value", "password", true)))
                .put("/computer/inputs").then().statusCode(200);
    }

    private static io.restassured.response.ValidatableResponse put(String bundleId, Map<String, ?> config) {
        return AgentCalls.asService().contentType(ContentType.JSON).body(config)
                .put("/computer/servers/" + bundleId).then();
    }

    private static JsonNode call(String tool, Map<String, ?> arguments, Double timeout, String reqId) {
        Map<String, Object> body = new HashMap<>();
        body.put("arguments", arguments);
        if (timeout != null) {
            body.put("timeout", timeout);
        }
        if (reqId != null) {
            body.put("req_id", reqId);
        }
        String out = AgentCalls.asService().contentType(ContentType.JSON).body(body)
                .post("/computer/tools/" + tool + "/call").then().statusCode(200).extract().asString();
        try {
            return JSON.readTree(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode tools() {
        try {
            return JSON.readTree(AgentCalls.asService().get("/computer/tools").then().statusCode(200).extract()
                    .asString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static List<String> names(JsonNode tools) {
        return tools.findValuesAsText("name");
    }

    private static JsonNode byName(JsonNode tools, String name) {
        for (JsonNode t : tools) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no tool " + name + " in " + names(tools));
    }

    private static void awaitTool(String name) {
        Conditions.await(() -> names(tools()).contains(name), name + " is listed", START);
    }

    private static JsonNode status(String bundleId) {
        try {
            JsonNode all = JSON.readTree(AgentCalls.asService().get("/computer/servers").then().statusCode(200)
                    .extract().asString());
            for (JsonNode s : all) {
                if (s.get("bundle_id").asText().equals(bundleId)) {
                    return s;
                }
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String state(String bundleId) {
        JsonNode s = status(bundleId);
        return s == null ? "absent" : s.get("state").asText();
    }

    private static ProcessHandle serverProcess(String marker) {
        ProcessHandle p = serverProcessOrNull(marker);
        assertNotEquals(null, p, "a process carrying " + marker);
        return p;
    }

    private static ProcessHandle serverProcessOrNull(String marker) {
        return ProcessHandle.current().descendants()
                .filter(p -> p.isAlive() && p.info().arguments().map(a -> List.of(a).contains(marker)).orElse(false))
                .findFirst().orElse(null);
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

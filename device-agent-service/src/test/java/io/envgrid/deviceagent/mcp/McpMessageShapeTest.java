package io.envgrid.deviceagent.mcp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@code /mcp} answers a JSON-RPC message of the wrong shape with HTTP 400 and a JSON-RPC error, never a 5xx, and its
 * HTTP refusals (unknown session, method, Accept header) are JSON-RPC errors too. Found by {@code DoorsFuzzTest}: the
 * MCP server answered 500 (a ClassCastException or NullPointerException inside it) to the first cases below.
 */
@QuarkusTest
class McpMessageShapeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int PARSE_ERROR = -32700;
    private static final int INVALID_REQUEST = -32600;
    private static final int INVALID_PARAMS = -32602;
    private static final String INITIALIZE = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":"
            + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"shape-test\","
            + "\"version\":\"1\"}}}";

    /** A message of a wrong shape, the JSON-RPC error code it must get, and the id the error must carry (null: none). */
    private record Case(String name, String body, int code, JsonNode id) {
    }

    @Test
    void theFuzzFindingsAre400WithAJsonRpcError() throws IOException {
        String session = initialize();
        JsonNode one = NODES.numberNode(1);
        List<Case> cases = List.of(
                new Case("params a boolean", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\",\"params\":true}",
                        INVALID_REQUEST, one),
                new Case("params a string", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":\"x\"}",
                        INVALID_REQUEST, one),
                new Case("a message that is a boolean", "true", INVALID_REQUEST, null),
                new Case("a message that is a string", "\"tools/list\"", INVALID_REQUEST, null),
                new Case("a message that is null", "null", INVALID_REQUEST, null),
                new Case("initialize without clientInfo", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                        + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{}}}", INVALID_PARAMS, one),
                new Case("initialize with clientInfo null", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\","
                        + "\"params\":{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":null}}",
                        INVALID_PARAMS, one),
                new Case("an empty body", "", PARSE_ERROR, null),
                new Case("a batch holding a boolean", "[{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"ping\"},true]",
                        INVALID_REQUEST, null),
                new Case("an empty batch", "[]", INVALID_REQUEST, null),
                new Case("tools/call with arguments a list", "{\"jsonrpc\":\"2.0\",\"id\":\"a\",\"method\":\"tools/call\","
                        + "\"params\":{\"name\":\"device.list\",\"arguments\":[1]}}", INVALID_PARAMS, NODES.textNode("a")),
                new Case("not JSON", "{\"jsonrpc\":", PARSE_ERROR, null),
                new Case("JSON and more", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"} {}", PARSE_ERROR, null));
        List<String> failures = new ArrayList<>();
        for (Case c : cases) {
            for (String sessionId : new String[] {session, null}) {
                String problem = refusalProblem(post(c.body(), sessionId), c);
                if (problem != null) {
                    failures.add(c.name() + (sessionId == null ? " (no session)" : "") + ": " + problem);
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures: " + String.join("\n", failures));
        assertTheSessionStillWorks(session);
    }

    /**
     * Valid messages with one field set to a JSON value of the wrong type or removed (seeded, {@code -Dmcp.shape.seed},
     * printed): each a 400 with the code of what is wrong and the message's id when that id itself is valid.
     */
    @Test
    void seededWrongShapesAre400WithTheRightCode() throws IOException {
        long seed = Long.getLong("mcp.shape.seed", System.nanoTime());
        System.out.println("mcp shape test: seed " + seed + " (replay with -Dmcp.shape.seed=" + seed + ")");
        Random random = new Random(seed);
        int count = Integer.getInteger("mcp.shape.messages", 80);
        String session = initialize();
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Case c = mutated(random);
            String problem = refusalProblem(post(c.body(), random.nextBoolean() ? session : null), c);
            if (problem != null) {
                failures.add(c.name() + " " + c.body() + ": " + problem);
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + seed + "): " + String.join("\n", failures));
        assertTheSessionStillWorks(session);
    }

    @Test
    void httpRefusalsOfMcpAreJsonRpcErrors() throws IOException {
        String session = initialize();
        String ping = "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"ping\"}";
        RawHttp.Response unknownSession = RawHttp.send(RestAssured.port, "POST", "/mcp", "application/json",
                Map.of("Accept", "application/json, text/event-stream", "Mcp-Session-Id", "no-such-session"),
                ping.getBytes(StandardCharsets.UTF_8));
        RawHttp.Response wrongMethod = RawHttp.send(RestAssured.port, "PUT", "/mcp", "application/json",
                Map.of("Accept", "application/json, text/event-stream", "Mcp-Session-Id", session),
                ping.getBytes(StandardCharsets.UTF_8));
        RawHttp.Response wrongAccept = RawHttp.send(RestAssured.port, "POST", "/mcp", "application/json",
                Map.of("Accept", "text/html", "Mcp-Session-Id", session), ping.getBytes(StandardCharsets.UTF_8));
        assertRefusal(404, unknownSession);
        assertRefusal(405, wrongMethod);
        assertRefusal(400, wrongAccept);
        assertTheSessionStillWorks(session);
    }

    private static void assertRefusal(int status, RawHttp.Response answer) throws IOException {
        assertEquals(status, answer.status(), answer.body());
        JsonNode error = JSON.readTree(answer.body());
        assertEquals("2.0", error.path("jsonrpc").asText(), answer.body());
        assertTrue(error.has("id") && error.get("id").isNull(), answer.body());
        assertEquals(INVALID_REQUEST, error.path("error").path("code").asInt(), answer.body());
        assertTrue(error.path("error").path("message").isTextual(), answer.body());
    }

    /** One valid message of a few kinds with one thing made wrong; the code and id the refusal must carry. */
    private static Case mutated(Random random) {
        ObjectNode message = (ObjectNode) read(switch (random.nextInt(4)) {
            case 0 -> INITIALIZE.replace("\"id\":1", "\"id\":" + random.nextInt(1000));
            case 1 -> "{\"jsonrpc\":\"2.0\",\"id\":\"r-" + random.nextInt(1000) + "\",\"method\":\"tools/call\","
                    + "\"params\":{\"name\":\"device.list\",\"arguments\":{},\"_meta\":{\"progressToken\":1}}}";
            case 2 -> "{\"jsonrpc\":\"2.0\",\"id\":" + random.nextInt(1000) + ",\"method\":\"resources/read\","
                    + "\"params\":{\"uri\":\"mcp://test-devices/\"}}";
            default -> "{\"jsonrpc\":\"2.0\",\"id\":" + random.nextInt(1000) + ",\"method\":\"tools/list\"}";
        });
        JsonNode id = message.get("id");
        String method = message.get("method").asText();
        Map<String, Integer> targets = new LinkedHashMap<>();
        targets.put("jsonrpc", INVALID_REQUEST);
        targets.put("id", INVALID_REQUEST);
        targets.put("method", INVALID_REQUEST);
        targets.put("params", INVALID_REQUEST);
        targets.put("whole", INVALID_REQUEST);
        switch (method) {
            case "initialize" -> List.of("clientInfo", "clientInfo.name", "clientInfo.version", "protocolVersion",
                    "capabilities").forEach(t -> targets.put("params." + t, INVALID_PARAMS));
            case "tools/call" -> List.of("name", "arguments", "_meta").forEach(t -> targets.put("params." + t,
                    INVALID_PARAMS));
            case "resources/read" -> targets.put("params.uri", INVALID_PARAMS);
            default -> {
                // tools/list: its params are optional and of no required shape beyond an object
            }
        }
        List<String> names = new ArrayList<>(targets.keySet());
        String target = names.get(random.nextInt(names.size()));
        JsonNode wrong = wrongValue(random, target);
        String body;
        if (target.equals("whole")) {
            body = wrong == null ? "" : wrong.toString();
            return new Case("whole message " + body, body, wrong == null ? PARSE_ERROR : INVALID_REQUEST, null);
        }
        ObjectNode holder = message;
        String field = target;
        if (target.startsWith("params.clientInfo.")) {
            holder = (ObjectNode) message.get("params").get("clientInfo");
            field = target.substring("params.clientInfo.".length());
        } else if (target.startsWith("params.")) {
            holder = (ObjectNode) message.get("params");
            field = target.substring("params.".length());
        }
        if (wrong == null) {
            holder.remove(field);
        } else {
            holder.set(field, wrong);
        }
        boolean idStillValid = !target.equals("id");
        if (target.equals("params") && wrong == null && !method.equals("tools/list")) {
            // without params a method whose params are required is wrong in its params
            return new Case("no params of " + method, message.toString(), INVALID_PARAMS, id);
        }
        if (target.equals("params") && wrong == null) {
            return mutated(random); // tools/list without params is valid: draw another
        }
        if (target.equals("id") && wrong == null) {
            return mutated(random); // without an id it is a notification, valid in shape: draw another
        }
        return new Case(target + " " + (wrong == null ? "removed" : "= " + wrong), message.toString(),
                targets.get(target), idStillValid ? id : null);
    }

    /** A JSON value of a type {@code target} must not have; null: remove it (or, for the whole message, no body). */
    private static JsonNode wrongValue(Random random, String target) {
        List<JsonNode> values = new ArrayList<>(List.of(NODES.booleanNode(random.nextBoolean()), NODES.nullNode(),
                NODES.arrayNode().add(1), NODES.numberNode(random.nextInt(100))));
        switch (target) {
            case "jsonrpc" -> values.addAll(List.of(NODES.textNode("1.0"), NODES.numberNode(2.0), NODES.objectNode()));
            case "id" -> values.add(NODES.objectNode());
            case "method", "params.clientInfo.name", "params.clientInfo.version", "params.protocolVersion",
                    "params.name", "params.uri" -> values.add(NODES.objectNode().put("a", 1));
            default -> values.add(NODES.textNode("x")); // params, clientInfo, capabilities, arguments, _meta, whole
        }
        if (target.equals("id")) {
            values.removeIf(JsonNode::isNumber); // a number is an id
        }
        if (!target.equals("id") && !target.equals("params.arguments") && !target.equals("params._meta")
                || target.equals("whole")) {
            values.add(null); // removed; an absent id is a notification, absent arguments and _meta are allowed
        }
        return values.get(random.nextInt(values.size()));
    }

    /** Null when {@code answer} is 400 with a JSON-RPC error of {@code expected}'s code and id. */
    private static String refusalProblem(RawHttp.Response answer, Case expected) {
        if (answer.status() != 400) {
            return "status " + answer.status() + " '" + cut(answer.body()) + "'";
        }
        JsonNode error;
        try {
            error = JSON.readTree(answer.body());
        } catch (IOException e) {
            return "not JSON '" + cut(answer.body()) + "'";
        }
        if (error == null || !"2.0".equals(error.path("jsonrpc").asText()) || !error.has("id")
                || !error.path("error").path("message").isTextual()) {
            return "not a JSON-RPC error '" + cut(answer.body()) + "'";
        }
        if (error.path("error").path("code").asInt() != expected.code()) {
            return "code " + error.path("error").path("code") + " not " + expected.code() + " '" + cut(answer.body()) + "'";
        }
        JsonNode id = expected.id() == null ? NODES.nullNode() : expected.id();
        if (!id.equals(error.get("id"))) {
            return "id " + error.get("id") + " not " + id;
        }
        return null;
    }

    /** A valid initialize opens a session, and a valid tools/list in it answers the 16 tools. */
    private static void assertTheSessionStillWorks(String session) throws IOException {
        RawHttp.Response tools = post("{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"tools/list\"}", session);
        assertEquals(200, tools.status(), tools.body());
        assertTrue(tools.body().contains("device.list"), tools.body());
        initialize();
    }

    private static RawHttp.Response post(String body, String session) throws IOException {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json, text/event-stream");
        if (session != null) {
            headers.put("Mcp-Session-Id", session);
        }
        return RawHttp.send(RestAssured.port, "POST", "/mcp", "application/json", headers,
                body.getBytes(StandardCharsets.UTF_8));
    }

    /** Opens an MCP session; its id. */
    private static String initialize() throws IOException {
        RawHttp.Response answer = post(INITIALIZE, null);
        assertEquals(200, answer.status(), answer.body());
        String session = answer.headers().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Mcp-Session-Id"))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no session: " + answer.headers()));
        RawHttp.Response initialized = post("{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", session);
        assertEquals(202, initialized.status(), initialized.body());
        return session;
    }

    private static JsonNode read(String json) {
        try {
            return JSON.readTree(json);
        } catch (IOException e) {
            throw new IllegalArgumentException(json, e);
        }
    }

    private static String cut(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}

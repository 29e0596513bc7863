package io.envgrid.gateway.tool;

import static io.envgrid.gateway.support.McpHttp.mcp;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.redis.GatewayKeys;
import io.envgrid.gateway.support.McpHttp;
import io.envgrid.gateway.support.McpSteps;
import io.envgrid.gateway.support.SandboxHttp;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The one argument check, table-driven over every tool: the same bad arguments (unknown name,
 * wrong type, missing required, out of bounds, bad id), built from each tool's own input schema,
 * are refused alike through MCP ({@code isError} tool result) and the Sandbox API (400 envelope):
 * same error code, same argument named, same problems; and nothing changed (the worker holds no
 * lease, the gateway keeps nothing for it, the MCP session stays unbound). Also: every tool is
 * listed with annotations and an output schema, a batch is checked whole, and a session's config
 * is checked after merging with the profile.
 */
@QuarkusTest
@WithCluster
class OneArgumentCheckTest {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    @Inject
    RedisDataSource redis;

    @Inject
    GatewayKeys keys;

    /** One bad call: what is sent and which argument the refusal must name. */
    private record Case(String kind, ObjectNode arguments, String argument) {
    }

    /** How a door refused: the error code, the argument named, the problems listed. */
    private record Refusal(String code, String argument, JsonNode problems) {
    }

    @Test
    void everyToolRefusesTheSameBadArgumentsAlikeOnBothDoorsAndNothingChanges() {
        String worker = "onecheck-" + UUID.randomUUID();
        String session = McpHttp.initialize(mcp());
        Map<String, JsonNode> mcpTools = mcpTools(session);
        JsonNode sandboxTools = sandboxTools();
        Map<String, String> sandboxNameOf = sandboxNamesByMcpName(sandboxTools);
        String before = state(worker);
        int compared = 0;
        int cases = 0;
        for (JsonNode tool : mcpTools.values()) {
            String name = tool.path("name").asText();
            for (Case c : cases(tool.path("inputSchema"))) {
                Refusal viaMcp = viaMcp(session, name, c);
                assertEquals(c.argument(), viaMcp.argument(), name + " " + c.kind() + " over MCP: " + viaMcp);
                cases++;
                String sandboxName = sandboxNameOf.get(name);
                if (sandboxName != null) {
                    Refusal viaSandbox = viaSandbox(worker, sandboxName, c);
                    assertEquals(viaMcp, viaSandbox, name + " / " + sandboxName + " " + c.kind());
                    compared++;
                }
            }
        }
        // the Sandbox-only tools (API tools) get the same table on their one door
        for (JsonNode tool : sandboxTools) {
            if (tool.path("mcp_name").isNull()) {
                for (Case c : cases(tool.path("input_schema"))) {
                    Refusal viaSandbox = viaSandbox(worker, tool.path("name").asText(), c);
                    assertEquals(c.argument(), viaSandbox.argument(), tool.path("name") + " " + c.kind());
                    cases++;
                }
            }
        }
        assertTrue(mcpTools.size() >= 30, "every tool: " + mcpTools.keySet());
        assertTrue(compared >= 100, "compared on both doors: " + compared + " of " + cases);
        assertEquals(before, state(worker), "a refused call changes nothing");
        assertNull(redis.hash(String.class).hget("{envgrid-gw}:session:" + session, "worker"), "the MCP session stays unbound");
    }

    @Test
    void everyToolIsListedWithAnnotationsAndAnOutputSchema() {
        for (JsonNode tool : mcpTools(McpHttp.initialize(mcp())).values()) {
            JsonNode annotations = tool.path("annotations");
            for (String hint : List.of("readOnlyHint", "destructiveHint", "idempotentHint")) {
                assertTrue(annotations.path(hint).isBoolean(), tool.path("name") + " " + hint);
            }
            assertEquals("object", tool.path("outputSchema").path("type").asText(), tool.path("name").asText());
            assertFalse(tool.path("inputSchema").path("additionalProperties").asBoolean(true), tool.path("name").asText());
        }
    }

    @Test
    void aBatchIsCheckedWholeBeforeAnyEntryRuns() {
        String worker = "onecheck-batch-" + UUID.randomUUID();
        String before = state(worker);
        // no worker: refused, even though rag:search needs no session
        Response noWorker = SandboxHttp.post("/execute/batch", "{\"actions\": [{\"action\": \"rag:search\", \"params\": {\"query\": \"q\"}}]}");
        assertEquals(400, noWorker.statusCode(), noWorker.asString());
        // one bad entry: the first, which would lease a desktop for a temporary session, does not run either
        Response oneBad = SandboxHttp.post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": ["
                + "{\"action\": \"vm:screenshot\"}, {\"action\": \"vm:click\", \"params\": {\"x\": \"left\"}}]}");
        assertEquals(400, oneBad.statusCode(), oneBad.asString());
        JsonNode error = McpSteps.readTree(oneBad.asString()).path("error");
        assertEquals("INVALID_PARAMETERS", error.path("code").asText());
        assertEquals("x", error.path("details").path("argument").asText());
        assertTrue(error.path("message").asText().startsWith("actions[1]"), error.toString());
        assertEquals(before, state(worker));
    }

    @Test
    void aBatchWhoseThirdEntryNamesAnUnknownKeyRunsNothing() {
        // each third entry names a key outside the shared table, in each tool's own way, and the argument holding it
        Map<String, String> thirdEntries = new LinkedHashMap<>();
        thirdEntries.put("{\"action\": \"vm:press\", \"params\": {\"key\": \"no_such_key\"}}", "key");
        thirdEntries.put("{\"action\": \"vm:key_down\", \"params\": {\"key\": \"ctrl+c\"}}", "key");
        thirdEntries.put("{\"action\": \"vm:hotkey\", \"params\": {\"keys\": [\"ctrl\", \"no_such_key\"]}}", "keys");
        thirdEntries.put("{\"action\": \"vm:computer\", \"params\": {\"action\": \"key\", \"text\": \"ctrl+no_such_key\"}}", "text");
        thirdEntries.put("{\"action\": \"vm:computer_13\", \"params\": {\"action_type\": \"HOTKEY\", "
                + "\"parameters\": {\"keys\": [\"ctrl\", \"no_such_key\"]}}}", "parameters");
        for (Map.Entry<String, String> third : thirdEntries.entrySet()) {
            JsonNode error = batchRefusedAtEntry("onecheck-keys-" + UUID.randomUUID(),
                    "{\"action\": \"vm:execute\", \"params\": {\"command\": \"echo one\"}}, "
                    + "{\"action\": \"vm:typing\", \"params\": {\"text\": \"two\"}}, " + third.getKey(), 2);
            assertEquals(third.getValue(), error.path("details").path("argument").asText(), error.toString());
        }
    }

    @Test
    void anUnknownKeyIsAnArgumentRefusedOverMcpBeforeTheSessionIsBound() {
        String session = McpHttp.initialize(mcp());
        String worker = "onecheck-mcpkeys-" + UUID.randomUUID();
        Map<String, String> calls = new LinkedHashMap<>();
        calls.put("desktop.press", "{\"worker_id\": \"" + worker + "\", \"key\": \"no_such_key\"}");
        calls.put("desktop.hotkey", "{\"worker_id\": \"" + worker + "\", \"keys\": [\"ctrl\", \"no_such_key\"]}");
        calls.put("computer", "{\"worker_id\": \"" + worker + "\", \"action\": \"key\", \"text\": \"ctrl+no_such_key\"}");
        calls.put("computer_13", "{\"worker_id\": \"" + worker + "\", \"action_type\": \"PRESS\", "
                + "\"parameters\": {\"key\": \"no_such_key\"}}");
        String before = state(worker);
        for (Map.Entry<String, String> call : calls.entrySet()) {
            JsonNode result = McpSteps.readTree(McpHttp.call(session, 9, call.getKey(), call.getValue()).asString()).path("result");
            assertTrue(result.path("isError").asBoolean(), call.getKey() + ": " + result);
            JsonNode error = result.path("structuredContent").path("error");
            assertEquals("INVALID_PARAMETERS", error.path("code").asText(), call.getKey() + ": " + error);
            assertEquals(call.getKey(), error.path("details").path("tool").asText(), error.toString());
            assertTrue(error.path("details").path("problems").get(0).asText().contains("no_such_key"), error.toString());
        }
        assertEquals(before, state(worker));
        assertNull(redis.hash(String.class).hget(keys.mcpSession(session), "worker"), "the MCP session stays unbound");
    }

    @Test
    void aBatchWhoseComputer13EntryHasBadParametersRunsNothing() {
        // each second entry is a computer_13 action whose parameters OSWorld's action space does not allow, and the
        // field the refusal must name; the click before it would run on the desktop of a temporary session
        Map<String, String> secondEntries = new LinkedHashMap<>();
        secondEntries.put("{\"action_type\": \"CLICK\", \"parameters\": {\"x\": \"abc\", \"y\": 5}}", "parameters.x");
        secondEntries.put("{\"action_type\": \"CLICK\", \"parameters\": {\"x\": 5, \"y\": 5, \"clicks\": 2}}", "parameters.clicks");
        secondEntries.put("{\"action_type\": \"CLICK\", \"parameters\": {\"x\": 5}}", "parameters.y");
        // num_clicks needs a button or a point: the first alternative is named
        secondEntries.put("{\"action_type\": \"CLICK\", \"parameters\": {\"num_clicks\": 2}}", "parameters.button");
        secondEntries.put("{\"action_type\": \"CLICK\", \"parameters\": {\"button\": \"left\", \"num_clicks\": 1.5}}",
                "parameters.num_clicks");
        secondEntries.put("{\"action_type\": \"DRAG_TO\", \"parameters\": {\"x\": 5}}", "parameters.y");
        secondEntries.put("{\"action_type\": \"DRAG_TO\"}", "parameters");
        secondEntries.put("{\"action_type\": \"MOVE_TO\", \"parameters\": {\"x\": 99999999999999999999, \"y\": 1}}", "parameters.x");
        secondEntries.put("{\"action_type\": \"MOVE_TO\", \"parameters\": {\"x\": -1, \"y\": 1}}", "parameters.x");
        secondEntries.put("{\"action_type\": \"SCROLL\", \"parameters\": {}}", "parameters.dx");
        secondEntries.put("{\"action_type\": \"SCROLL\", \"parameters\": {\"dy\": 1e30}}", "parameters.dy");
        secondEntries.put("{\"action_type\": \"TYPING\", \"parameters\": {}}", "parameters.text");
        secondEntries.put("{\"action_type\": \"TYPING\", \"parameters\": {\"text\": 5}}", "parameters.text");
        secondEntries.put("{\"action_type\": \"PRESS\", \"parameters\": {\"keys\": [\"a\"]}}", "parameters.key");
        secondEntries.put("{\"action_type\": \"HOTKEY\", \"parameters\": {\"keys\": []}}", "parameters.keys");
        secondEntries.put("{\"action_type\": \"WAIT\", \"parameters\": {\"seconds\": 2}}", "parameters.seconds");
        String session = McpHttp.initialize(mcp());
        for (Map.Entry<String, String> second : secondEntries.entrySet()) {
            String worker = "onecheck-c13-" + UUID.randomUUID();
            JsonNode error = batchRefusedAtEntry(worker, "{\"action\": \"vm:click\", \"params\": {\"x\": 10, \"y\": 10}}, "
                    + "{\"action\": \"vm:computer_13\", \"params\": " + second.getKey() + "}", 1);
            assertEquals("parameters", error.path("details").path("argument").asText(), error.toString());
            assertEquals(second.getValue(), error.path("details").path("field").asText(), error.toString());
            // the same action over MCP: a tool error naming the same field, before the session is bound
            ObjectNode arguments = (ObjectNode) McpSteps.readTree(second.getKey());
            arguments.put("worker_id", worker);
            JsonNode result = McpSteps.readTree(McpHttp.call(session, 11, "computer_13", arguments.toString()).asString())
                    .path("result");
            assertTrue(result.path("isError").asBoolean(), second.getKey() + ": " + result);
            assertEquals(error.path("details"), result.path("structuredContent").path("error").path("details"), second.getKey());
        }
        assertNull(redis.hash(String.class).hget(keys.mcpSession(session), "worker"), "the MCP session stays unbound");
    }

    @Test
    void everyComputer13ActionTypeListsItsParametersAndAcceptsOsWorldsShapes() {
        JsonNode schema = mcpTools(McpHttp.initialize(mcp())).get("computer_13").path("inputSchema");
        Map<String, JsonNode> byType = computer13Parameters(schema);
        assertEquals(16, byType.size(), byType.keySet().toString());
        assertEquals(List.of("x", "y"), fieldNames(byType.get("DRAG_TO").path("required")));
        assertEquals("number", byType.get("MOVE_TO").path("properties").path("x").path("type").asText(), "OSWorld's x is a float");
        assertEquals(List.of(), fieldNames(byType.get("DONE").path("properties")));
    }

    @Test
    void anIntegerThatIsNotRepresentableOrOutOfRangeIsRefusedNamingItsFieldOnEveryTool() {
        String worker = "onecheck-int-" + UUID.randomUUID();
        String session = McpHttp.initialize(mcp());
        Map<String, JsonNode> mcpTools = mcpTools(session);
        Map<String, String> sandboxNameOf = sandboxNamesByMcpName(sandboxTools());
        String before = state(worker);
        List<String> checked = new ArrayList<>();
        for (JsonNode tool : mcpTools.values()) {
            String name = tool.path("name").asText();
            List<Case> cases = new ArrayList<>();
            JsonNode schema = tool.path("inputSchema");
            numberCases(schema, valid(schema), "", cases);
            computer13Parameters(schema).forEach((type, parameters) -> {
                ObjectNode arguments = NODES.objectNode().put("action_type", type);
                arguments.set("parameters", valid(parameters));
                numberCases(parameters, arguments, "parameters", cases);
            });
            for (Case c : cases) {
                JsonNode viaMcp = McpSteps.readTree(McpHttp.call(session, 13, name, c.arguments().toString()).asString())
                        .path("result");
                assertTrue(viaMcp.path("isError").asBoolean(), name + " " + c.kind() + " must be refused: " + viaMcp);
                JsonNode error = viaMcp.path("structuredContent").path("error");
                assertEquals("INVALID_PARAMETERS", error.path("code").asText(), name + " " + c.kind() + ": " + error);
                assertEquals(c.argument(), error.path("details").path("field").asText(), name + " " + c.kind() + ": " + error);
                String sandboxName = sandboxNameOf.get(name);
                if (sandboxName != null) {
                    ObjectNode body = NODES.objectNode().put("worker_id", worker).put("action", sandboxName);
                    body.set("params", c.arguments());
                    Response response = SandboxHttp.post("/execute", body.toString());
                    assertEquals(400, response.statusCode(), sandboxName + " " + c.kind() + ": " + response.asString());
                    assertEquals(error.path("details"), McpSteps.readTree(response.asString()).path("error").path("details"),
                            sandboxName + " " + c.kind());
                }
                checked.add(name + " " + c.kind());
            }
        }
        // every tool with a number among its arguments was tried, computer_13's parameters included
        for (String tool : List.of("desktop.click", "desktop.scroll", "computer", "computer_13", "rag_search",
                "allocate_batch_resources", "renew_resources")) {
            assertTrue(checked.stream().anyMatch(c -> c.startsWith(tool + " ")), tool + " in " + checked);
        }
        assertTrue(checked.stream().anyMatch(c -> c.contains("parameters.x")), checked.toString());
        // a session's config: the lease length is passed on to the allocator, and asInt read 4294967297 as 1
        for (String config : List.of("{\"lease_timeout\": 4294967297}", "{\"lease_timeout\": 1e30}",
                "{\"lease_timeout\": 1.5}", "{\"wait_ms\": 99999999999999999999}", "{\"lease_timeout\": 86401}")) {
            Response refused = SandboxHttp.post("/session/create", "{\"worker_id\": \"" + worker
                    + "\", \"resource_type\": \"vm\", \"config\": " + config + "}");
            assertEquals(400, refused.statusCode(), config + " -> " + refused.asString());
            String field = McpSteps.readTree(refused.asString()).path("error").path("details").path("field").asText();
            assertEquals("config." + config.substring(2, config.indexOf("\":")), field, config + " -> " + refused.asString());
        }
        assertEquals(before, state(worker), "a refused call changes nothing");
        assertNull(redis.hash(String.class).hget(keys.mcpSession(session), "worker"), "the MCP session stays unbound");
    }

    /** The values no integer (or number) argument takes: too large for any integer type, a fraction, below its minimum. */
    private static void numberCases(JsonNode schema, ObjectNode valid, String prefix, List<Case> cases) {
        String at = prefix.isEmpty() ? "" : prefix + ".";
        schema.path("properties").fields().forEachRemaining(p -> {
            JsonNode property = p.getValue();
            String type = property.path("type").asText();
            boolean pair = "array".equals(type) && property.path("items").path("type").asText().matches("integer|number");
            if (!pair && !type.matches("integer|number")) {
                return;
            }
            String itemType = pair ? property.path("items").path("type").asText() : type;
            JsonNode bounds = pair ? property.path("items") : property;
            List<JsonNode> bad = new ArrayList<>(List.of(NODES.numberNode(new java.math.BigInteger("99999999999999999999")),
                    NODES.numberNode(1e30), NODES.numberNode(-1e30)));
            if ("integer".equals(itemType)) {
                bad.add(NODES.numberNode(1.5));
            }
            if (bounds.has("minimum")) {
                bad.add(NODES.numberNode(bounds.get("minimum").asLong() - 1));
            }
            for (JsonNode value : bad) {
                ObjectNode arguments = valid.deepCopy();
                ObjectNode target = prefix.isEmpty() ? arguments : (ObjectNode) arguments.get(prefix);
                if (pair) {
                    target.putArray(p.getKey()).add(value).add(1);
                } else {
                    target.set(p.getKey(), value);
                }
                cases.add(new Case(at + p.getKey() + "=" + value, arguments, at + p.getKey() + (pair ? "[0]" : "")));
            }
        });
    }

    /** Arguments that pass {@code schema}: its required members, and both of a pair that go together (x and y). */
    private static ObjectNode valid(JsonNode schema) {
        ObjectNode valid = NODES.objectNode();
        schema.path("required").forEach(r -> valid.set(r.asText(), validValue(schema.path("properties").path(r.asText()))));
        schema.path("dependentRequired").fieldNames().forEachRemaining(
                n -> valid.set(n, validValue(schema.path("properties").path(n))));
        return valid;
    }

    /** computer_13's parameters schema of each action type, from the if/then cases of its input schema. */
    private static Map<String, JsonNode> computer13Parameters(JsonNode schema) {
        Map<String, JsonNode> byType = new LinkedHashMap<>();
        schema.path("allOf").forEach(c -> {
            JsonNode type = c.path("if").path("properties").path("action_type").path("const");
            if (type.isTextual()) {
                byType.put(type.asText(), c.path("then").path("properties").path("parameters"));
            }
        });
        return byType;
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(n -> names.add(n.asText()));
        } else {
            node.fieldNames().forEachRemaining(names::add);
        }
        return names;
    }

    /** Commands the stand-in desktops have been sent so far (typing and commands alike reach their {@code /execute}). */
    private static int desktopCommands() {
        return TestCluster.get().desktops().stream().mapToInt(d -> d.executed().size()).sum();
    }

    @Test
    void aSessionsConfigIsCheckedAfterMergingWithTheProfile() {
        String worker = "onecheck-config-" + UUID.randomUUID();
        String before = state(worker);
        for (String config : List.of("{\"lease_timeout\": 0}", "{\"wait_ms\": -1}", "{\"allocator_type\": \"rag\"}",
                "{\"no_such_key\": 1}")) {
            Response refused = SandboxHttp.post("/session/create", "{\"worker_id\": \"" + worker
                    + "\", \"resource_type\": \"vm\", \"config\": " + config + "}");
            assertEquals(400, refused.statusCode(), config + " -> " + refused.asString());
        }
        assertEquals(before, state(worker));
        // a config that overrides one setting keeps the profile's others (allocator_type is required of the merged whole)
        Response created = SandboxHttp.post("/session/create", "{\"worker_id\": \"" + worker
                + "\", \"resource_type\": \"vm\", \"config\": {\"lease_timeout\": 120}}");
        assertEquals(200, created.statusCode(), created.asString());
        Response destroyed = SandboxHttp.post("/session/destroy", "{\"worker_id\": \"" + worker + "\", \"resource_type\": \"vm\"}");
        assertEquals(200, destroyed.statusCode(), destroyed.asString());
    }

    /**
     * Posts {@code worker}'s batch of {@code actions} (the entries, comma-separated) and checks that it is refused
     * whole for its entry {@code entry}: 400 {@code INVALID_PARAMETERS} naming {@code actions[entry]}, no desktop
     * command run by an earlier entry, nothing leased for a temporary session; answers the error envelope's {@code error}.
     */
    private JsonNode batchRefusedAtEntry(String worker, String actions, int entry) {
        String before = state(worker);
        int commandsBefore = desktopCommands();
        Response refused = SandboxHttp.post("/execute/batch", "{\"worker_id\": \"" + worker + "\", \"actions\": ["
                + actions + "]}");
        assertEquals(400, refused.statusCode(), actions + " -> " + refused.asString());
        JsonNode error = McpSteps.readTree(refused.asString()).path("error");
        assertEquals("INVALID_PARAMETERS", error.path("code").asText(), error.toString());
        assertTrue(error.path("message").asText().startsWith("actions[" + entry + "]"), error.toString());
        assertEquals(commandsBefore, desktopCommands(), "no entry before the bad one ran: " + actions);
        assertEquals(before, state(worker), "nothing leased for a temporary session: " + actions);
        return error;
    }

    /** The Sandbox API's tool list ({@code GET /tools}). */
    private static JsonNode sandboxTools() {
        return McpSteps.readTree(given().get("/tools").asString()).path("tools");
    }

    /** The Sandbox name of each tool that MCP also lists: {@code mcp_name} to {@code name} of {@link #sandboxTools()}. */
    private static Map<String, String> sandboxNamesByMcpName(JsonNode sandboxTools) {
        Map<String, String> names = new LinkedHashMap<>();
        for (JsonNode tool : sandboxTools) {
            if (!tool.path("mcp_name").isNull()) {
                names.put(tool.path("mcp_name").asText(), tool.path("name").asText());
            }
        }
        return names;
    }

    private static Map<String, JsonNode> mcpTools(String session) {
        JsonNode listed = McpSteps.readTree(mcp().header("Mcp-Session-Id", session)
                .body("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}").post("/mcp").asString());
        Map<String, JsonNode> tools = new LinkedHashMap<>();
        listed.path("result").path("tools").forEach(t -> tools.put(t.path("name").asText(), t));
        return tools;
    }

    /** The table: each kind of bad argument this schema allows, on arguments otherwise valid. */
    private static List<Case> cases(JsonNode schema) {
        JsonNode properties = schema.path("properties");
        List<String> required = new ArrayList<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        ObjectNode valid = NODES.objectNode();
        required.forEach(r -> valid.set(r, validValue(properties.path(r))));
        List<Case> cases = new ArrayList<>();
        cases.add(new Case("unknown argument", with(valid, "no_such_argument", NODES.numberNode(1)), "no_such_argument"));
        Iterator<String> names = properties.fieldNames();
        String first = names.hasNext() ? names.next() : null;
        if (first != null) {
            cases.add(new Case("wrong type", with(valid, first, wrongType(properties.path(first))), first));
        }
        if (!required.isEmpty()) {
            ObjectNode missing = valid.deepCopy();
            missing.remove(required.get(0));
            cases.add(new Case("missing required", missing, required.get(0)));
        }
        properties.fields().forEachRemaining(p -> {
            JsonNode outOfBounds = outOfBounds(p.getValue());
            if (outOfBounds != null && cases.stream().noneMatch(c -> c.kind().equals("out of bounds"))) {
                cases.add(new Case("out of bounds", with(valid, p.getKey(), outOfBounds), p.getKey()));
            }
        });
        if (properties.has("worker_id")) {
            cases.add(new Case("bad id", with(valid, "worker_id", NODES.textNode("../etc/passwd")), "worker_id"));
        } else if (properties.has("resource_id")) {
            cases.add(new Case("bad id", with(valid, "resource_id", NODES.textNode("a b")), "resource_id"));
        }
        return cases;
    }

    private static ObjectNode with(ObjectNode valid, String name, JsonNode value) {
        ObjectNode arguments = valid.deepCopy();
        arguments.set(name, value);
        return arguments;
    }

    private static JsonNode validValue(JsonNode property) {
        if (property.has("enum")) {
            return property.get("enum").get(0);
        }
        return switch (property.path("type").asText()) {
            case "integer", "number" -> NODES.numberNode(property.path("minimum").asLong(1));
            case "boolean" -> NODES.booleanNode(true);
            case "object" -> NODES.objectNode();
            case "array" -> {
                ArrayNode items = NODES.arrayNode();
                for (int i = 0; i < Math.max(1, property.path("minItems").asInt(1)); i++) {
                    items.add(validValue(property.path("items")));
                }
                yield items;
            }
            default -> NODES.textNode("x1");
        };
    }

    private static JsonNode wrongType(JsonNode property) {
        return switch (property.path("type").asText()) {
            case "string" -> NODES.numberNode(12345);
            case "array" -> NODES.textNode("not a list");
            default -> NODES.textNode("not a " + property.path("type").asText());
        };
    }

    private static JsonNode outOfBounds(JsonNode property) {
        if (property.has("maximum")) {
            return NODES.numberNode(property.get("maximum").asLong() + 1);
        }
        if (property.has("maxItems")) {
            ArrayNode items = NODES.arrayNode();
            for (int i = 0; i <= property.get("maxItems").asInt(); i++) {
                items.add(validValue(property.path("items")));
            }
            return items;
        }
        if (property.has("enum")) {
            return NODES.textNode("not-an-option");
        }
        return null;
    }

    private static Refusal viaMcp(String session, String tool, Case c) {
        JsonNode answer = McpSteps.readTree(McpHttp.call(session, 7, tool, c.arguments().toString()).asString());
        JsonNode result = answer.path("result");
        assertTrue(result.path("isError").asBoolean(), tool + " " + c.kind() + " must be refused: " + answer);
        return refusal(result.path("structuredContent").path("error"));
    }

    private static Refusal viaSandbox(String worker, String action, Case c) {
        ObjectNode body = NODES.objectNode().put("worker_id", worker).put("action", action);
        body.set("params", c.arguments());
        Response response = SandboxHttp.post("/execute", body.toString());
        assertEquals(400, response.statusCode(), action + " " + c.kind() + ": " + response.asString());
        return refusal(McpSteps.readTree(response.asString()).path("error"));
    }

    private static Refusal refusal(JsonNode error) {
        JsonNode details = error.path("details");
        String argument = details.hasNonNull("argument") ? details.path("argument").asText()
                : details.path("field").asText("").replaceAll("\\[\\d+]$", "");
        return new Refusal(error.path("code").asText(), argument, details.path("problems"));
    }

    /** What a refusal must not change for this worker: its leases at the allocator, the gateway's keys for it. */
    private String state(String worker) {
        JsonNode leases = McpSteps.readTree(TestCluster.get().allocatorCall("GET", "/leases?worker_id=" + worker, null).body());
        TreeSet<String> keys = new TreeSet<>(redis.key().keys("{envgrid-gw}:*" + worker + "*"));
        return leases + "\n" + keys + "\n" + redis.set(String.class).sismember("{envgrid-gw}:workers", worker);
    }
}

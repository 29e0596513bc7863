package io.envgrid.gateway.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.ClusterResource;
import io.envgrid.gateway.support.TestCluster;
import io.quarkus.redis.datasource.RedisDataSource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import net.jqwik.api.sessions.JqwikSession;
import io.envgrid.gateway.id.KeyPart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the gateway's two front doors with jqwik-generated requests: the Sandbox API from the
 * gateway's own OpenAPI document ({@code /q/openapi}) and the tools' input schemas ({@code /tools}),
 * MCP JSON-RPC from the tools' {@code inputSchema}s ({@code tools/list}), each mixed with hostile
 * values (huge, empty, deeply nested, wrong types, unicode and control characters, path
 * traversal, numbers at their limits, foreign and malformed ids, bad tokens). For every request:
 * never a 5xx; a 4xx of the Sandbox API carries the error envelope, one of MCP a JSON-RPC error
 * (a failed tool call a result with {@code isError} and the envelope); and after a refusal the
 * allocator's {@code /leases} and {@code /stats} and the gateway's Redis keys are as before.
 * The seed is fixed so a failure replays; {@code -Dfuzz.seed=} and {@code -Dfuzz.requests=} change it.
 */
@QuarkusTest
@QuarkusTestResource(value = ClusterResource.class, restrictToAnnotatedClass = false)
@TestProfile(GatewayFuzzTest.WithToken.class)
class GatewayFuzzTest {

    static final String TOKEN = "fuzz-token-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final AtomicInteger REQUESTS = new AtomicInteger();
    private static final AtomicInteger SERVER_ERRORS = new AtomicInteger();
    private static final int PER_DOOR = Integer.getInteger("fuzz.requests", 400);
    private static final String SEED = System.getProperty("fuzz.seed", "20261129");

    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.gateway.auth.tokens", TOKEN + "=fuzz:fuzz/");
        }
    }

    @TestHTTPResource("/")
    URL base;

    @Inject
    RedisDataSource redis;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @AfterAll
    static void report() {
        System.out.printf("gateway fuzz: %d requests, %d 5xx%n", REQUESTS.get(), SERVER_ERRORS.get());
    }

    // ---------------------------------------------------------------- values

    /** Hostile JSON values: wrong types, limits, unicode, control characters, traversal, huge and deep. */
    static Arbitrary<JsonNode> hostile() {
        Arbitrary<JsonNode> strings = Arbitraries.oneOf(
                Arbitraries.strings().all().ofMaxLength(40),
                Arbitraries.strings().withChars('\u0000', '\u001f', '\u007f', '\u2028', '\ud83d', '\ufeff').ofMaxLength(8),
                Arbitraries.of("", " ", "../../etc/passwd", "..%2f..%2fetc", "/", "%", "%00", "a/../b", "\\\\x",
                        "fuzz/..", "fuzz/w 1", "fuzz/\u00e9", "other/w1", "job43/w1", "*", "null", "vm_pyautogui#2",
                        "{envgrid}:gw:workers", "a:b", "${jndi:ldap://x}", "<script>", "'; DROP TABLE x; --"),
                Arbitraries.of(200, 201, 4096, 1_100_000).map("x"::repeat))
                .map(NODES::textNode);
        Arbitrary<JsonNode> numbers = Arbitraries.of(0L, -1L, 1L, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE)
                .map(NODES::numberNode).map(n -> (JsonNode) n);
        Arbitrary<JsonNode> odd = Arbitraries.of(NODES.numberNode(1e308), NODES.numberNode(-0.5),
                NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890")), NODES.booleanNode(true),
                NODES.nullNode(), NODES.arrayNode(), NODES.objectNode(), deep(300), deep(3));
        return Arbitraries.frequencyOf(
                Tuple.of(5, strings), Tuple.of(2, numbers), Tuple.of(2, odd));
    }

    private static JsonNode deep(int depth) {
        JsonNode node = NODES.textNode("bottom");
        for (int i = 0; i < depth; i++) {
            node = i % 2 == 0 ? NODES.arrayNode().add(node) : NODES.objectNode().set("k", node);
        }
        return node;
    }

    /** Worker ids: mostly the token's own, sometimes foreign, malformed or hostile. */
    static Arbitrary<JsonNode> workerIds() {
        Arbitrary<JsonNode> own = Arbitraries.strings().withChars("abcxyz019._:@/-").ofMinLength(1).ofMaxLength(20)
                .map(s -> NODES.textNode("fuzz/" + s));
        return Arbitraries.frequencyOf(Tuple.of(6, own), Tuple.of(3, hostile()));
    }

    /** A value for one schema property: valid for its type most of the time, hostile otherwise. */
    static Arbitrary<JsonNode> valueFor(String name, JsonNode property) {
        if (name.equals("worker_id")) {
            return workerIds();
        }
        Arbitrary<JsonNode> valid = switch (property.path("type").asText("")) {
            case "integer" -> Arbitraries.longs().between(property.path("minimum").asLong(-1000),
                    Math.min(property.path("maximum").asLong(1000), 100_000)).map(l -> (JsonNode) NODES.numberNode(l));
            case "boolean" -> Arbitraries.of(true, false).map(b -> (JsonNode) NODES.booleanNode(b));
            case "array" -> Arbitraries.strings().alpha().ofMaxLength(12).list().ofMaxSize(4)
                    .map(l -> { ArrayNode a = NODES.arrayNode(); l.forEach(a::add); return (JsonNode) a; });
            case "object" -> Arbitraries.just(NODES.objectNode());
            default -> property.has("enum")
                    ? Arbitraries.of(iterable(property.get("enum")))
                    : Arbitraries.strings().ofMaxLength(30).map(s -> (JsonNode) NODES.textNode(s));
        };
        return Arbitraries.frequencyOf(Tuple.of(3, valid), Tuple.of(2, hostile()));
    }

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    /** Arguments for a tool from its input schema: each property present or not, a stray name now and then. */
    static Arbitrary<ObjectNode> arguments(JsonNode schema) {
        List<Arbitrary<ObjectNode>> parts = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> properties = schema.path("properties").fields();
        Arbitrary<ObjectNode> args = Arbitraries.just(0).map(x -> NODES.objectNode());
        while (properties.hasNext()) {
            Map.Entry<String, JsonNode> p = properties.next();
            Arbitrary<JsonNode> value = valueFor(p.getKey(), p.getValue()).injectNull(0.2);
            args = Combinators.combine(args, value).as((o, v) -> {
                ObjectNode copy = o.deepCopy();
                if (v != null) {
                    copy.set(p.getKey(), v);
                }
                return copy;
            });
        }
        Arbitrary<ObjectNode> stray = Combinators.combine(args, hostile(), Arbitraries.strings().alpha().ofLength(5))
                .as((o, v, k) -> (ObjectNode) o.deepCopy().set("x_" + k, v));
        parts.add(args);
        return Arbitraries.frequencyOf(Tuple.of(8, args), Tuple.of(1, stray));
    }

    // ---------------------------------------------------------------- requests

    private record Request(String method, String path, Map<String, String> headers, byte[] body) {
    }

    private record Answer(int status, String body) {
    }

    private Answer send(Request request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + request.path()))
                .timeout(Duration.ofSeconds(60))
                .method(request.method(), request.body() == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(request.body()));
        request.headers().forEach(builder::header);
        try {
            HttpResponse<String> response = http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
            REQUESTS.incrementAndGet();
            if (response.statusCode() >= 500) {
                SERVER_ERRORS.incrementAndGet();
            }
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(request.method() + " " + request.path() + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** What a refusal must not change: live leases, pool counts, the gateway's Redis keys. */
    private String state() {
        JsonNode leases = read(TestCluster.get().allocatorCall("GET", "/leases", null).body());
        TreeSet<String> view = new TreeSet<>();
        leases.forEach(l -> view.add(l.path("resource_id").asText() + "|" + l.path("worker_id").asText() + "|"
                + l.path("lease_id").asText()));
        TreeSet<String> keys = new TreeSet<>(redis.key().keys("{envgrid}:gw:*"));
        keys.removeIf(k -> k.endsWith("keepalive-lock"));
        return view + "\n" + read(TestCluster.get().allocatorCall("GET", "/stats", null).body()).path("types") + "\n" + keys;
    }

    private static JsonNode read(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return NODES.textNode(text);
        }
    }

    private static Map<String, String> jsonHeaders(String authorization) {
        return authorization == null ? Map.of("Content-Type", "application/json")
                : Map.of("Content-Type", "application/json", "Authorization", authorization);
    }

    /** Mostly the valid token; sometimes none, a wrong one, or a hostile header value. */
    static Arbitrary<String> authorization() {
        return Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just("Bearer " + TOKEN)),
                Tuple.of(1, Arbitraries.of(null, "Bearer ", "Bearer egw2.e30.x", "Bearer egw1.a.b.c", "Basic Zm9v",
                        "Bearer " + TOKEN + "x", "bearer " + TOKEN)));
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Raw bodies that are not the JSON object an endpoint expects. */
    static Arbitrary<byte[]> rawBodies() {
        return Arbitraries.oneOf(
                Arbitraries.of("", "{", "[1,2", "null", "\"str\"", "[]", "{\"a\":}", "\u0000", "{\"worker_id\": \"fuzz/w\"}x")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                hostile().map(GatewayFuzzTest::bytes),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(64));
    }

    /** Sandbox API requests from the OpenAPI document's paths and the tools' schemas. */
    private Arbitrary<Request> sandboxRequests() {
        JsonNode openapi = read(send(new Request("GET", "/q/openapi?format=json", jsonHeaders("Bearer " + TOKEN), null)).body());
        JsonNode tools = read(send(new Request("GET", "/tools", jsonHeaders("Bearer " + TOKEN), null)).body()).path("tools");
        List<String[]> operations = new ArrayList<>();
        openapi.path("paths").fields().forEachRemaining(p -> p.getValue().fieldNames().forEachRemaining(m -> {
            if (!p.getKey().startsWith("/mcp") && !p.getKey().startsWith("/sse") && !p.getKey().startsWith("/messages")
                    && !p.getKey().startsWith("/q/")) {
                operations.add(new String[] {m.toUpperCase(java.util.Locale.ROOT), p.getKey()});
            }
        }));
        assertTrue(operations.size() >= 8, "the OpenAPI document lists the Sandbox API: " + operations.size());
        List<JsonNode> toolList = iterable(tools);
        assertTrue(toolList.size() >= 10, "the Sandbox tools: " + tools);
        Arbitrary<JsonNode> actionNames = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(toolList).map(t -> t.get("name"))),
                Tuple.of(1, hostile()));
        Arbitrary<ObjectNode> executeBodies = Arbitraries.of(toolList).flatMap(tool -> Combinators.combine(
                workerIds().injectNull(0.2), actionNames, arguments(tool.path("input_schema")))
                .as((w, a, params) -> {
                    ObjectNode body = NODES.objectNode();
                    if (w != null) {
                        body.set("worker_id", w);
                    }
                    body.set("action", a.isTextual() && a.asText().equals(tool.path("name").asText()) ? a : tool.get("name"));
                    body.set("params", params);
                    return body;
                }));
        Arbitrary<ObjectNode> genericBodies = Combinators.combine(workerIds().injectNull(0.2),
                Arbitraries.frequencyOf(Tuple.of(3, Arbitraries.of("vm", "rag", "device")
                        .map(s -> (JsonNode) NODES.textNode(s))), Tuple.of(1, hostile())),
                Arbitraries.of("resource_type", "resources", "actions", "config", "parallel"), hostile())
                .as((w, type, key, junk) -> {
                    ObjectNode body = NODES.objectNode();
                    if (w != null) {
                        body.set("worker_id", w);
                    }
                    body.set("resource_type", type);
                    body.set(key, junk);
                    return body;
                });
        Arbitrary<ObjectNode> batchBodies = Combinators.combine(workerIds().injectNull(0.2), executeBodies.list().ofMaxSize(3),
                Arbitraries.of(true, false)).as((w, actions, parallel) -> {
                    ObjectNode body = NODES.objectNode();
                    if (w != null) {
                        body.set("worker_id", w);
                    }
                    ArrayNode list = body.putArray("actions");
                    actions.forEach(a -> list.add(a.deepCopy().without("worker_id")));
                    return body.put("parallel", parallel);
                });
        Arbitrary<byte[]> bodies = Arbitraries.frequencyOf(
                Tuple.of(4, executeBodies.map(GatewayFuzzTest::bytes)),
                Tuple.of(2, batchBodies.map(GatewayFuzzTest::bytes)),
                Tuple.of(3, genericBodies.map(GatewayFuzzTest::bytes)),
                Tuple.of(2, rawBodies()));
        Arbitrary<String> hostilePaths = Arbitraries.of("/execute/..%2f..%2fetc", "/session/%00", "/tools/../q/metrics",
                "/%2e%2e/", "/execute?x=" + "%ff".repeat(10), "/tools?resource_type=%00%ff", "/warmup/status/x",
                "/session/create/" + "a".repeat(3000), "/nope");
        Arbitrary<String[]> ops = Arbitraries.frequencyOf(Tuple.of(10, Arbitraries.of(operations)),
                Tuple.of(1, Combinators.combine(Arbitraries.of("GET", "POST", "PUT", "DELETE"), hostilePaths)
                        .as((m, p) -> new String[] {m, p})));
        return Combinators.combine(ops, bodies, authorization(), hostile()).as((op, body, auth, query) -> {
            String path = op[1];
            if (op[0].equals("GET") && path.equals("/tools")) {
                path += "?resource_type=" + java.net.URLEncoder.encode(query.isTextual() ? query.asText() : query.toString(),
                        StandardCharsets.UTF_8);
            }
            return new Request(op[0], path, jsonHeaders(auth), op[0].equals("GET") ? null : body);
        });
    }

    /** MCP messages: tools/call from the tools' input schemas, plus hostile JSON-RPC. */
    private Arbitrary<Request> mcpRequests(String session, List<JsonNode> tools) {
        Arbitrary<JsonNode> calls = Arbitraries.of(tools).flatMap(tool -> arguments(tool.path("inputSchema"))
                .map(args -> {
                    ObjectNode params = NODES.objectNode().put("name", tool.path("name").asText());
                    params.set("arguments", args);
                    return (JsonNode) params;
                }));
        Arbitrary<JsonNode> ids = Arbitraries.oneOf(Arbitraries.integers().map(i -> (JsonNode) NODES.numberNode(i)),
                Arbitraries.strings().ofMaxLength(10).map(s -> (JsonNode) NODES.textNode(s)), hostile());
        Arbitrary<JsonNode> wellFormed = Combinators.combine(ids, calls).as((id, params) -> {
            ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0").put("method", "tools/call");
            message.set("id", id);
            message.set("params", params);
            return message;
        });
        Arbitrary<JsonNode> hostileRpc = Combinators.combine(ids, hostile(),
                Arbitraries.of("tools/call", "tools/list", "ping", "initialize", "notifications/cancelled", "nope", "")
                        .map(s -> (JsonNode) NODES.textNode(s)).injectNull(0.1),
                Arbitraries.of("2.0", "1.0", "").map(s -> (JsonNode) NODES.textNode(s)))
                .as((id, params, method, version) -> {
                    ObjectNode message = NODES.objectNode();
                    message.set("jsonrpc", version);
                    message.set("id", id);
                    if (method != null) {
                        message.set("method", method);
                    }
                    message.set("params", params);
                    return message;
                });
        Arbitrary<byte[]> bodies = Arbitraries.frequencyOf(
                Tuple.of(6, wellFormed.map(GatewayFuzzTest::bytes)),
                Tuple.of(3, hostileRpc.map(GatewayFuzzTest::bytes)),
                Tuple.of(1, rawBodies()));
        Arbitrary<String> sessions = Arbitraries.frequencyOf(Tuple.of(12, Arbitraries.just(session)),
                Tuple.of(1, Arbitraries.of("", "nope", "../" + session, session + "\u0000")));
        return Combinators.combine(bodies, authorization(), sessions).as((body, auth, sid) -> {
            Map<String, String> headers = new java.util.HashMap<>(jsonHeaders(auth));
            headers.put("Accept", "application/json, text/event-stream");
            if (!sid.isEmpty() && sid.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                headers.put("Mcp-Session-Id", sid);
            }
            return new Request("POST", "/mcp", headers, body);
        });
    }

    // ---------------------------------------------------------------- properties

    /**
     * Gives back what the accepted requests took (explicit Sandbox sessions of fuzz workers, the MCP
     * session's worker), so the classes after this one find the shared pool as they expect.
     */
    @AfterEach
    void cleanUp() {
        for (String member : redis.sortedSet(String.class).zrange("{envgrid}:gw:sandbox:used", 0, -1)) {
            int colon = member.indexOf(':');
            String type = KeyPart.decode(member.substring(0, colon));
            String worker = KeyPart.decode(member.substring(colon + 1));
            if (worker.startsWith("fuzz/")) {
                ObjectNode body = NODES.objectNode().put("worker_id", worker).put("resource_type", type);
                send(new Request("POST", "/session/destroy", jsonHeaders("Bearer " + TOKEN), bytes(body)));
            }
        }
        if (mcpSession != null) {
            send(new Request("DELETE", "/mcp", Map.of("Authorization", "Bearer " + TOKEN, "Mcp-Session-Id", mcpSession), null));
            mcpSession = null;
        }
    }

    private String mcpSession;

    @Test
    void theSandboxApiNeverFailsAndRefusesCleanly() {
        JqwikSession.run(SEED, () -> {
            Iterator<Request> requests = sandboxRequests().sampleStream().limit(PER_DOOR).iterator();
            while (requests.hasNext()) {
                Request request = requests.next();
                check(request, answer -> {
                    JsonNode body = read(answer.body());
                    JsonNode error = body.path("error");
                    assertTrue(error.path("code").isTextual() && error.path("message").isTextual()
                            && error.has("details") && error.path("timestamp").isTextual(),
                            "a 4xx carries the envelope: " + describe(request, answer));
                });
            }
        });
    }

    @Test
    void mcpNeverFailsAndRefusesCleanly() {
        String session = initializeSession();
        mcpSession = session;
        JsonNode listed = read(send(new Request("POST", "/mcp", Map.of("Content-Type", "application/json",
                "Accept", "application/json, text/event-stream", "Authorization", "Bearer " + TOKEN,
                "Mcp-Session-Id", session), "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}"
                .getBytes(StandardCharsets.UTF_8))).body());
        List<JsonNode> tools = iterable(listed.path("result").path("tools"));
        assertTrue(tools.size() >= 10, listed.toString());
        JqwikSession.run(SEED, () -> {
            Iterator<Request> requests = mcpRequests(session, tools).sampleStream().limit(PER_DOOR).iterator();
            while (requests.hasNext()) {
                Request request = requests.next();
                check(request, answer -> {
                    JsonNode body = read(answer.body());
                    assertEquals("2.0", body.path("jsonrpc").asText(), "a JSON-RPC error: " + describe(request, answer));
                    assertTrue(body.path("error").path("code").isInt() && body.path("error").path("message").isTextual(),
                            "a JSON-RPC error: " + describe(request, answer));
                });
            }
        });
    }

    private String initializeSession() {
        HttpRequest request = HttpRequest.newBuilder(URI.create(base.toString().replaceAll("/$", "") + "/mcp"))
                .header("Content-Type", "application/json").header("Accept", "application/json, text/event-stream")
                .header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString("{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":"
                        + "{\"protocolVersion\":\"2025-11-25\",\"capabilities\":{},\"clientInfo\":{\"name\":\"fuzz\",\"version\":\"1\"}}}"))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.headers().firstValue("Mcp-Session-Id")
                    .orElseThrow(() -> new IllegalStateException("initialize: " + response.statusCode() + " " + response.body()));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private interface RefusalShape {
        void check(Answer answer);
    }

    /**
     * The properties for one request: no 5xx; a 4xx has its door's error shape; a refusal (4xx, a
     * JSON-RPC error, a failed tool call) leaves the allocator and the gateway's keys as they were.
     */
    private void check(Request request, RefusalShape shape) {
        String before = state();
        Answer answer = send(request);
        if (answer.status() >= 500) {
            fail("5xx: " + describe(request, answer));
        }
        boolean refused = answer.status() >= 400;
        // 414/431: the HTTP codec refuses an over-long request line or header block before any
        // route exists (Vert.x's own answer, no body); nothing of the gateway ran
        if (refused && answer.status() != 414 && answer.status() != 431) {
            shape.check(answer);
        } else if (request.path().equals("/mcp") && answer.status() == 200) {
            JsonNode body = read(answer.body());
            JsonNode result = body.path("result");
            refused = body.has("error") || result.path("isError").asBoolean(false);
            if (result.path("isError").asBoolean(false)) {
                JsonNode error = result.path("structuredContent").path("error");
                assertTrue(error.path("code").isTextual() && error.path("timestamp").isTextual(),
                        "a failed tool call carries the envelope: " + describe(request, answer));
                assertTrue(!error.path("code").asText().equals("INTERNAL_ERROR"), describe(request, answer));
            }
        }
        if (refused) {
            assertEquals(before, state(), "a refusal changed nothing: " + describe(request, answer));
        }
    }

    private static String describe(Request request, Answer answer) {
        String body = request.body() == null ? "" : new String(request.body(), StandardCharsets.UTF_8);
        return request.method() + " " + request.path() + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body)
                + " -> " + answer.status() + " " + (answer.body().length() > 400 ? answer.body().substring(0, 400) : answer.body());
    }
}

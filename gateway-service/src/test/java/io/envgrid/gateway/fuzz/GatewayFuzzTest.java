package io.envgrid.gateway.fuzz;

import static io.envgrid.testsupport.fuzz.Gen.weight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.WithCluster;
import io.envgrid.testsupport.fuzz.Gen;
import io.quarkus.redis.datasource.RedisDataSource;
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
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;

import io.envgrid.gateway.id.KeyPart;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Fuzzing the gateway's two front doors with generated requests ({@link Gen}, seeded): the Sandbox API from the
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
@WithCluster
@TestProfile(GatewayFuzzTest.WithToken.class)
class GatewayFuzzTest {

    static final String TOKEN = "fuzz-token-for-tests";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final AtomicInteger REQUESTS = new AtomicInteger();
    private static final AtomicInteger SERVER_ERRORS = new AtomicInteger();
    private static final int PER_DOOR = Integer.getInteger("fuzz.requests", 400);
    /** Fixed so that a run replays; {@code -Dfuzz.seed=} picks another. Each door starts from it. */
    private static final long SEED = Long.getLong("fuzz.seed", 20261129L);

    public static class WithToken implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("envgrid.gateway.auth", "tokens", "envgrid.gateway.auth.tokens", TOKEN + "=fuzz:fuzz/");
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
        System.out.printf("gateway fuzz: %d requests, %d 5xx (seed %d)%n", REQUESTS.get(), SERVER_ERRORS.get(), SEED);
    }

    // ---------------------------------------------------------------- values

    /** Hostile JSON values: wrong types, limits, unicode, control characters, traversal, huge and deep. */
    static Gen<JsonNode> hostile() {
        Gen<String> strings = Gen.oneOf(
                Gen.anyStrings(40),
                Gen.strings("\u0000\u001f\u007f\u2028\ud83d\ufeff", 0, 8),
                Gen.of("", " ", "../../etc/passwd", "..%2f..%2fetc", "/", "%", "%00", "a/../b", "\\\\x",
                        "fuzz/..", "fuzz/w 1", "fuzz/\u00e9", "other/w1", "job43/w1", "*", "null", "vm_pyautogui#2",
                        "{envgrid-gw}:workers", "a:b", "${jndi:ldap://x}", "<script>", "'; DROP TABLE x; --"),
                Gen.of(200, 201, 4096, 1_100_000).map("x"::repeat));
        Gen<JsonNode> numbers = Gen.of(0L, -1L, 1L, Integer.MAX_VALUE + 1L, Long.MAX_VALUE, Long.MIN_VALUE)
                .map(NODES::numberNode);
        Gen<JsonNode> odd = Gen.of(NODES.numberNode(1e308), NODES.numberNode(-0.5),
                NODES.numberNode(new java.math.BigInteger("123456789012345678901234567890")), NODES.booleanNode(true),
                NODES.nullNode(), NODES.arrayNode(), NODES.objectNode(), deep(300), deep(3));
        return Gen.frequency(weight(5, strings.map(NODES::textNode)), weight(2, numbers), weight(2, odd));
    }

    private static JsonNode deep(int depth) {
        JsonNode node = NODES.textNode("bottom");
        for (int i = 0; i < depth; i++) {
            node = i % 2 == 0 ? NODES.arrayNode().add(node) : NODES.objectNode().set("k", node);
        }
        return node;
    }

    /** Worker ids: mostly the token's own, sometimes foreign, malformed or hostile. */
    static Gen<JsonNode> workerIds() {
        Gen<JsonNode> own = Gen.strings("abcxyz019._:@/-", 1, 20).map(s -> NODES.textNode("fuzz/" + s));
        return Gen.frequency(weight(6, own), weight(3, hostile()));
    }

    /** A value for one schema property: valid for its type most of the time, hostile otherwise. */
    static Gen<JsonNode> valueFor(String name, JsonNode property) {
        if (name.equals("worker_id")) {
            return workerIds();
        }
        Gen<JsonNode> valid = switch (property.path("type").asText("")) {
            case "integer" -> {
                long min = property.path("minimum").asLong(-1000);
                long max = Math.min(property.path("maximum").asLong(1000), 100_000);
                yield r -> NODES.numberNode(r.nextLong(min, max + 1));
            }
            case "boolean" -> Gen.of(true, false).map(NODES::booleanNode);
            case "array" -> Gen.strings(ALPHA, 0, 12).list(0, 4)
                    .map(l -> { ArrayNode a = NODES.arrayNode(); l.forEach(a::add); return a; });
            case "object" -> r -> NODES.objectNode();
            default -> property.has("enum")
                    ? Gen.of(iterable(property.get("enum")))
                    : Gen.anyStrings(30).map(NODES::textNode);
        };
        return Gen.frequency(weight(3, valid), weight(2, hostile()));
    }

    private static final String ALPHA = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

    private static List<JsonNode> iterable(JsonNode array) {
        List<JsonNode> items = new ArrayList<>();
        array.forEach(items::add);
        return items;
    }

    /** Arguments for a tool from its input schema: each property present (80%) or not, a stray name now and then. */
    static Gen<ObjectNode> arguments(JsonNode schema) {
        Map<String, Gen<JsonNode>> values = new java.util.LinkedHashMap<>();
        schema.path("properties").fields().forEachRemaining(p -> values.put(p.getKey(), valueFor(p.getKey(), p.getValue()).orNull(0.2)));
        Gen<ObjectNode> args = r -> {
            ObjectNode o = NODES.objectNode();
            values.forEach((name, value) -> {
                JsonNode v = value.next(r);
                if (v != null) {
                    o.set(name, v);
                }
            });
            return o;
        };
        Gen<ObjectNode> stray = r -> {
            ObjectNode o = args.next(r);
            JsonNode v = hostile().next(r);
            return (ObjectNode) o.set("x_" + Gen.strings(ALPHA, 5, 5).next(r), v);
        };
        return Gen.frequency(weight(8, args), weight(1, stray));
    }

    // ---------------------------------------------------------------- requests

    private record Request(String method, String path, Map<String, String> headers, byte[] body) {
    }

    /**
     * The gateway's {@code quarkus.http.limits.max-body-size} (1M): a longer body is refused (413) on its declared length
     * and the connection closed, so a client still writing it may see the connection cut instead of the answer.
     */
    private static final int BODY_LIMIT = 1024 * 1024;

    /** What came back: an HTTP status and body, or {@link #CUT}. */
    private record Answer(int status, String body) {
        /** No answer: the connection was cut while a body over {@link #BODY_LIMIT} was being sent. */
        static final int CUT = 0;
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
            if (request.body() != null && request.body().length > BODY_LIMIT) {
                return new Answer(Answer.CUT, "connection cut while the body over the limit was sent: " + e);
            }
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
        TreeSet<String> keys = new TreeSet<>(redis.key().keys("{envgrid-gw}:*"));
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
    static Gen<String> authorization() {
        return Gen.frequency(weight(12, Gen.constant("Bearer " + TOKEN)),
                weight(1, Gen.of(null, "Bearer ", "Bearer egw2.e30.x", "Bearer egw1.a.b.c", "Basic Zm9v",
                        "Bearer " + TOKEN + "x", "bearer " + TOKEN)));
    }

    private static byte[] bytes(JsonNode node) {
        return node.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Raw bodies that are not the JSON object an endpoint expects. */
    static Gen<byte[]> rawBodies() {
        return Gen.oneOf(
                Gen.of("", "{", "[1,2", "null", "\"str\"", "[]", "{\"a\":}", "\u0000", "{\"worker_id\": \"fuzz/w\"}x")
                        .map(s -> s.getBytes(StandardCharsets.UTF_8)),
                hostile().map(GatewayFuzzTest::bytes),
                r -> {
                    byte[] random = new byte[r.nextInt(65)];
                    r.nextBytes(random);
                    return random;
                });
    }

    /** Sandbox API requests from the OpenAPI document's paths and the tools' schemas. */
    private Gen<Request> sandboxRequests() {
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
        Gen<JsonNode> actionNames = Gen.frequency(
                weight(4, Gen.of(toolList).map(t -> t.get("name"))),
                weight(1, hostile()));
        Gen<ObjectNode> executeBodies = Gen.of(toolList).flatMap(tool -> {
            Gen<ObjectNode> arguments = arguments(tool.path("input_schema"));
            return r -> {
                JsonNode w = workerIds().orNull(0.2).next(r);
                JsonNode a = actionNames.next(r);
                ObjectNode params = arguments.next(r);
                ObjectNode body = NODES.objectNode();
                if (w != null) {
                    body.set("worker_id", w);
                }
                body.set("action", a.isTextual() && a.asText().equals(tool.path("name").asText()) ? a : tool.get("name"));
                body.set("params", params);
                return body;
            };
        });
        Gen<JsonNode> types = Gen.frequency(weight(3, Gen.of("vm", "rag", "device").map(NODES::textNode)),
                weight(1, hostile()));
        Gen<String> genericKeys = Gen.of("resource_type", "resources", "actions", "config", "parallel");
        Gen<ObjectNode> genericBodies = r -> {
            JsonNode w = workerIds().orNull(0.2).next(r);
            JsonNode type = types.next(r);
            String key = genericKeys.next(r);
            JsonNode junk = hostile().next(r);
            ObjectNode body = NODES.objectNode();
            if (w != null) {
                body.set("worker_id", w);
            }
            body.set("resource_type", type);
            body.set(key, junk);
            return body;
        };
        Gen<ObjectNode> batchBodies = r -> {
            JsonNode w = workerIds().orNull(0.2).next(r);
            List<ObjectNode> actions = executeBodies.list(0, 3).next(r);
            ObjectNode body = NODES.objectNode();
            if (w != null) {
                body.set("worker_id", w);
            }
            ArrayNode list = body.putArray("actions");
            actions.forEach(a -> list.add(a.deepCopy().without("worker_id")));
            return body.put("parallel", r.nextBoolean());
        };
        Gen<byte[]> bodies = Gen.frequency(
                weight(4, executeBodies.map(GatewayFuzzTest::bytes)),
                weight(2, batchBodies.map(GatewayFuzzTest::bytes)),
                weight(3, genericBodies.map(GatewayFuzzTest::bytes)),
                weight(2, rawBodies()));
        Gen<String> hostilePaths = Gen.of("/execute/..%2f..%2fetc", "/session/%00", "/tools/../q/metrics",
                "/%2e%2e/", "/execute?x=" + "%ff".repeat(10), "/tools?resource_type=%00%ff", "/warmup/status/x",
                "/session/create/" + "a".repeat(3000), "/nope");
        Gen<String> hostileMethods = Gen.of("GET", "POST", "PUT", "DELETE");
        Gen<String[]> ops = Gen.frequency(weight(10, Gen.of(operations)),
                weight(1, r -> new String[] {hostileMethods.next(r), hostilePaths.next(r)}));
        Gen<String> auths = authorization();
        Gen<JsonNode> queries = hostile();
        return r -> {
            String[] op = ops.next(r);
            byte[] body = bodies.next(r);
            String auth = auths.next(r);
            JsonNode query = queries.next(r);
            String path = op[1];
            if (op[0].equals("GET") && path.equals("/tools")) {
                path += "?resource_type=" + java.net.URLEncoder.encode(query.isTextual() ? query.asText() : query.toString(),
                        StandardCharsets.UTF_8);
            }
            return new Request(op[0], path, jsonHeaders(auth), op[0].equals("GET") ? null : body);
        };
    }

    /** MCP messages: tools/call from the tools' input schemas, plus hostile JSON-RPC. */
    private Gen<Request> mcpRequests(String session, List<JsonNode> tools) {
        Gen<JsonNode> calls = Gen.of(tools).flatMap(tool -> arguments(tool.path("inputSchema"))
                .map(args -> {
                    ObjectNode params = NODES.objectNode().put("name", tool.path("name").asText());
                    params.set("arguments", args);
                    return params;
                }));
        Gen<JsonNode> ids = Gen.oneOf(r -> NODES.numberNode(r.nextInt()),
                Gen.anyStrings(10).map(NODES::textNode), hostile());
        Gen<JsonNode> wellFormed = r -> {
            JsonNode id = ids.next(r);
            JsonNode params = calls.next(r);
            ObjectNode message = NODES.objectNode().put("jsonrpc", "2.0").put("method", "tools/call");
            message.set("id", id);
            message.set("params", params);
            return message;
        };
        Gen<JsonNode> methods = Gen.of("tools/call", "tools/list", "ping", "initialize", "notifications/cancelled", "nope", "")
                .map(s -> (JsonNode) NODES.textNode(s)).orNull(0.1);
        Gen<JsonNode> versions = Gen.of("2.0", "1.0", "").map(NODES::textNode);
        Gen<JsonNode> hostileRpc = r -> {
            JsonNode id = ids.next(r);
            JsonNode params = hostile().next(r);
            JsonNode method = methods.next(r);
            JsonNode version = versions.next(r);
            ObjectNode message = NODES.objectNode();
            message.set("jsonrpc", version);
            message.set("id", id);
            if (method != null) {
                message.set("method", method);
            }
            message.set("params", params);
            return message;
        };
        Gen<byte[]> bodies = Gen.frequency(
                weight(6, wellFormed.map(GatewayFuzzTest::bytes)),
                weight(3, hostileRpc.map(GatewayFuzzTest::bytes)),
                weight(1, rawBodies()));
        Gen<String> sessions = Gen.frequency(weight(12, Gen.constant(session)),
                weight(1, Gen.of("", "nope", "../" + session, session + "\u0000")));
        Gen<String> auths = authorization();
        return r -> {
            byte[] body = bodies.next(r);
            String auth = auths.next(r);
            String sid = sessions.next(r);
            Map<String, String> headers = new java.util.HashMap<>(jsonHeaders(auth));
            headers.put("Accept", "application/json, text/event-stream");
            if (!sid.isEmpty() && sid.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                headers.put("Mcp-Session-Id", sid);
            }
            return new Request("POST", "/mcp", headers, body);
        };
    }

    // ---------------------------------------------------------------- properties

    /**
     * Gives back what the accepted requests took (explicit Sandbox sessions of fuzz workers, the MCP
     * session's worker), so the classes after this one find the shared pool as they expect.
     */
    @AfterEach
    void cleanUp() {
        for (String member : redis.sortedSet(String.class).zrange("{envgrid-gw}:sandbox:used", 0, -1)) {
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
        run("sandbox", sandboxRequests(), (request, answer) -> {
            JsonNode error = read(answer.body()).path("error");
            assertTrue(error.path("code").isTextual() && error.path("message").isTextual()
                    && error.has("details") && error.path("timestamp").isTextual(),
                    "a 4xx carries the envelope: " + describe(request, answer));
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
        run("mcp", mcpRequests(session, tools), (request, answer) -> {
            JsonNode body = read(answer.body());
            assertEquals("2.0", body.path("jsonrpc").asText(), "a JSON-RPC error: " + describe(request, answer));
            assertTrue(body.path("error").path("code").isInt() && body.path("error").path("message").isTextual(),
                    "a JSON-RPC error: " + describe(request, answer));
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

    /** The error shape a refused request of one door must have. */
    private interface RefusalShape {
        void check(Request request, Answer answer);
    }

    /**
     * Sends {@link #PER_DOOR} requests of {@code requests}, drawn from a random source seeded with
     * {@link #SEED}, and checks each; the first failure names the door, seed, request number and request.
     */
    private void run(String door, Gen<Request> requests, RefusalShape shape) {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 1; i <= PER_DOOR; i++) {
            Request request = requests.next(random);
            try {
                check(request, shape);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("gateway fuzz (" + door + "), seed " + SEED + " (replay: -Dfuzz.seed=" + SEED
                        + "), request " + i + " of " + PER_DOOR + ": " + e.getMessage(), e);
            }
        }
    }

    /**
     * The properties for one request: no 5xx; a 4xx has its door's error shape; a refusal (4xx, a
     * JSON-RPC error, a failed tool call) leaves the allocator and the gateway's keys as they were.
     */
    private void check(Request request, RefusalShape shape) {
        String before = state();
        Answer answer = send(request);
        if (answer.status() == Answer.CUT) {
            // refused on its length before it was read (the 413 itself is BadInputTest's): nothing may have changed
            assertEquals(before, state(), "a body over the limit changed nothing: " + describe(request, answer));
            return;
        }
        if (answer.status() >= 500) {
            fail("5xx: " + describe(request, answer));
        }
        boolean refused = answer.status() >= 400;
        // 414/431: the HTTP codec refuses an over-long request line or header block before any
        // route exists (Vert.x's own answer, no body); nothing of the gateway ran
        if (refused && answer.status() != 414 && answer.status() != 431) {
            shape.check(request, answer);
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

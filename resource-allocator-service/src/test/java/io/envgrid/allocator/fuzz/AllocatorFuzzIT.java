package io.envgrid.allocator.fuzz;

import static io.envgrid.testsupport.fuzz.Gen.weight;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.allocator.support.AllocatorCluster;
import io.envgrid.allocator.support.EmbeddedRedis;
import io.envgrid.allocator.support.SyncRedis;
import io.envgrid.testsupport.fuzz.Gen;
import io.vertx.redis.client.Response;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of every public endpoint of the allocator, generated from the service's own
 * OpenAPI document ({@code /q/openapi?format=json}: paths, methods, path/query parameters and request
 * body schemas), against the packaged application on a real Redis.
 *
 * <p>Each generated request mixes plausible values (registered ids, known types, live lease tokens)
 * with hostile ones: huge, empty, unicode and control-character strings, path traversal, numbers at
 * and beyond their limits, wrong JSON types, deep nesting, duplicate keys, invalid UTF-8, non-JSON
 * bodies, missing or wrong content types, invalid percent-escapes. For every request it asserts:
 * no 5xx; every 4xx carries the error envelope; and a refused (4xx) request, like every GET, leaves
 * Redis exactly as it was (a digest of every key's type and DUMP, the audit stream included).
 *
 * <p>Time: so that nothing changes Redis behind the test's back, valid lease lengths and heartbeat
 * TTLs are at least ten minutes (no lease or heartbeat runs out within the run) and valid waits are
 * short; every value outside the valid ranges is fuzzed freely. The one counter a refused waiting
 * request legitimately moves, {@code seq:ticket} (the queue's order), is left out of the digest for
 * a 409 after a wait. One refusal comes from the HTTP layer before any application code and
 * carries no envelope: a request line over 4 KB (bare 414, Netty's decoder); such refusals (and a
 * bare 413 for a chunked body over the size limit, should one come) are counted separately and must
 * still change nothing. A request URI with an invalid percent-escape must carry the envelope (it was
 * a bare 400 until the allocator made Quarkus' URI check itself).
 *
 * <p>Requests come from the small seeded generators of {@link Gen}: each run prints its seed, {@code -Dfuzz.seed=} replays it and
 * {@code -Dfuzz.requests=} sets the count; there is no shrinking, a failure names the request as sent.
 */
class AllocatorFuzzIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final String DIGEST_SCRIPT = "local out = {} for _, k in ipairs(redis.call('KEYS', '*')) do "
            + "out[#out + 1] = k; out[#out + 1] = redis.call('TYPE', k)['ok']; out[#out + 1] = redis.call('DUMP', k) end "
            + "return out";

    private static EmbeddedRedis redisServer;
    private static AllocatorCluster cluster;
    private static SyncRedis redis;
    private static int port;
    private static List<Operation> operations;
    private static final List<String> LIVE_TOKENS = new ArrayList<>();
    private static final AtomicLong SENT = new AtomicLong();
    private static final AtomicLong BARE = new AtomicLong();
    private static final AtomicLong SERVER_ERRORS = new AtomicLong();
    private static final Map<String, AtomicLong> BY_STATUS = new ConcurrentHashMap<>();
    private static long startedAt;
    /** The run's seed: {@code -Dfuzz.seed=} replays a run, otherwise a fresh one each run (printed). */
    private static final long SEED = Long.getLong("fuzz.seed", -3899961127460535614L); // fixed so a run is reproducible; -Dfuzz.seed=N explores
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 2500);

    /** One operation of the OpenAPI document. */
    record Operation(String method, String path, List<Param> params, JsonNode bodySchema) {
    }

    /** A path or query parameter and its schema type ("string", "boolean", "array"). */
    record Param(String name, String in, String type) {
    }

    /** A request on the wire: method, raw request target, headers and body bytes. */
    record Wire(String method, String target, Map<String, String> headers, byte[] body, boolean chunked) {
        @Override
        public String toString() {
            String text = new String(body, StandardCharsets.UTF_8);
            return method + " " + abbreviate(target) + " " + headers + (chunked ? " (chunked)" : "") + " body["
                    + body.length + "]=" + abbreviate(text);
        }
    }

    @BeforeAll
    static void start() throws Exception {
        redisServer = EmbeddedRedis.start();
        // The reaper has nothing to do (no lease or heartbeat runs out); a long period keeps it quiet anyway.
        cluster = AllocatorCluster.start(1, redisServer.url(), Path.of("target", "allocator-fuzz-it"),
                Map.of("envgrid.allocator.reap-interval", "1h"),
                List.of("-Xmx256m"));
        port = cluster.instance(0).port();
        redis = new SyncRedis(redisServer.url());
        operations = operations(JSON.readTree(send(new Wire("GET", "/q/openapi?format=json", Map.of(), new byte[0], false))
                .body()));
        seed();
        System.out.printf("allocator fuzz: seed %d (replay with -Dfuzz.seed=%d)%n", SEED, SEED);
        startedAt = System.nanoTime();
    }

    @AfterAll
    static void stop() {
        long seconds = (System.nanoTime() - startedAt) / 1_000_000_000L;
        System.out.printf("allocator fuzz: %d requests, %d 5xx (seed %d; %d operations from the OpenAPI document, %d s; "
                + "by status %s; %d bare HTTP-layer refusals)%n", SENT.get(), SERVER_ERRORS.get(), SEED,
                operations == null ? 0 : operations.size(), seconds, new TreeMap<>(BY_STATUS), BARE.get());
        if (redis != null) {
            redis.close();
        }
        if (cluster != null) {
            cluster.close();
        }
        if (redisServer != null) {
            redisServer.close();
        }
    }

    /**
     * Sends {@code -Dfuzz.requests} (default 2500) generated requests and checks each; the first
     * failing one ends the run with its seed, its number and the request in the message.
     */
    @Test
    void noInputYieldsA5xxAndEveryRefusalChangesNothing() {
        SplittableRandom random = new SplittableRandom(SEED);
        Gen<Wire> requests = requests();
        for (int i = 1; i <= REQUESTS; i++) {
            Wire request = requests.next(random);
            try {
                check(request);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("allocator fuzz, seed " + SEED + " (replay: -Dfuzz.seed=" + SEED + "), request " + i
                        + " of " + REQUESTS + ": " + e.getMessage(), e);
            }
        }
    }

    private static void check(Wire request) {
        Map<String, String> before = snapshot();
        Answer answer = send(request);
        SENT.incrementAndGet();
        BY_STATUS.computeIfAbsent(Integer.toString(answer.status()), s -> new AtomicLong()).incrementAndGet();
        if (answer.status() >= 500) {
            SERVER_ERRORS.incrementAndGet();
            fail("5xx for " + request + ": " + answer);
        }
        if (answer.status() >= 400) {
            // a target with an invalid percent-escape is the allocator's to refuse (HttpFailures), with the envelope
            if (answer.body().isEmpty() && (answer.status() == 413 && request.chunked() || answer.status() == 414)) {
                BARE.incrementAndGet();
            } else {
                assertEnvelope(request, answer);
            }
            Map<String, String> after = snapshot();
            if (answer.status() == 409 && answer.body().contains("\"waited_ms\"")) {
                // A wait that ended in 409 did queue (and withdrew) its ticket: the queue counter moved, nothing else.
                before.keySet().removeIf(k -> k.endsWith("seq:ticket"));
                after.keySet().removeIf(k -> k.endsWith("seq:ticket"));
            }
            assertSame("a refusal changed Redis", request, answer, before, after);
        } else if (request.method().equals("GET")) {
            assertSame("a GET changed Redis", request, answer, before, snapshot());
        } else {
            remember(answer);
        }
    }

    private static void assertSame(String what, Wire request, Answer answer, Map<String, String> before,
            Map<String, String> after) {
        if (!before.equals(after)) {
            List<String> changed = new ArrayList<>();
            before.forEach((k, v) -> {
                if (!v.equals(after.get(k))) {
                    changed.add(k);
                }
            });
            after.keySet().stream().filter(k -> !before.containsKey(k)).forEach(k -> changed.add(k + " (new)"));
            fail(what + " (keys " + changed + "): " + request + " -> " + answer);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // The OpenAPI document, walked

    private static List<Operation> operations(JsonNode doc) {
        List<Operation> out = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> paths = doc.path("paths").fields(); paths.hasNext(); ) {
            Map.Entry<String, JsonNode> path = paths.next();
            for (Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields(); methods.hasNext(); ) {
                Map.Entry<String, JsonNode> method = methods.next();
                List<Param> params = new ArrayList<>();
                for (JsonNode p : method.getValue().path("parameters")) {
                    params.add(new Param(p.path("name").asText(), p.path("in").asText(), p.path("schema").path("type").asText()));
                }
                JsonNode schema = method.getValue().path("requestBody").path("content").path("application/json").path("schema");
                out.add(new Operation(method.getKey().toUpperCase(), path.getKey(), params,
                        schema.isMissingNode() ? null : resolve(doc, schema)));
            }
        }
        if (out.size() < 15) {
            throw new IllegalStateException("the OpenAPI document lists only " + out.size() + " operations: " + out);
        }
        return out;
    }

    private static JsonNode resolve(JsonNode doc, JsonNode schema) {
        String ref = schema.path("$ref").asText("");
        return ref.isEmpty() ? schema : doc.at(ref.substring(1));
    }

    // ---------------------------------------------------------------------------------------------
    // Generators

    private static final String[] HOSTILE_STRINGS = {
        "", " ", "\t", "a b", "x".repeat(201), "y".repeat(70_000), "y".repeat(900), "é", "名前", "😀", "\u202Eevil", "\u0000", "a\u0000b",
        "line\nbreak", "\r\n", "../../etc/passwd", "..", ".", "/", "//", "a/../b", "%2e%2e%2f", "%00", "*", "?", "#",
        "{envgrid}:r:x", "r:*", "\\", "'; DROP TABLE x; --", "<script>alert(1)</script>", "${jndi:ldap://x}", "null",
        "-leading", ".hidden", "_under", "x#2", "\uFFFF", "\uD800", "a\u007Fb", "elt_" + "A".repeat(22), "elt_short"
    };
    private static final String[] VALID_ODD_IDS = {"a", "A9", "w:1/2@3.4", "x".repeat(200), "pool:eu/vm-1@host.example",
        "team.a-b_c", "0", "w:x", "req:x"};
    private static final String[] TYPES = {"vm", "rag", "vm.linux-x86_64", "gpu", "x".repeat(64)};
    private static final String[] NUMBERS = {"0", "1", "-1", "600", "3600", "86400", "86401", "2147483647", "2147483648",
        "-2147483648", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "1e308", "1e309", "-0",
        "0.5", "3600.0", "1E3", "99999999999999999999999999", "NaN", "Infinity", "600000", "600001", "50", "100"};

    private static Gen<String> ids() {
        return Gen.frequency(
                weight(6, Gen.of("vm-1", "vm-2", "vm-3", "rag-1", "w:x", "pool:eu/vm-1@host.example")),
                weight(4, Gen.of("w1", "w2", "org:team/worker@node.7", "ghost")),
                weight(2, Gen.of(VALID_ODD_IDS)),
                weight(2, Gen.strings("abcXYZ019._:@/-", 1, 12)),
                weight(4, Gen.of(HOSTILE_STRINGS)),
                weight(1, Gen.anyStrings(20)));
    }

    private static Gen<String> types() {
        return Gen.frequency(
                weight(6, Gen.of(TYPES)),
                weight(3, Gen.of(HOSTILE_STRINGS)),
                weight(1, Gen.anyStrings(10)));
    }

    private static Gen<String> tokens() {
        return Gen.frequency(
                weight(4, Gen.ints(0, 63).map(i -> {
                    synchronized (LIVE_TOKENS) {
                        return LIVE_TOKENS.isEmpty() ? "elt_AAAAAAAAAAAAAAAAAAAAAA" : LIVE_TOKENS.get(i % LIVE_TOKENS.size());
                    }
                })),
                weight(1, Gen.strings("ABCabc019_-", 22, 22).map(s -> "elt_" + s)),
                weight(2, Gen.of(HOSTILE_STRINGS)));
    }

    /** A JSON number literal (as text, so limits beyond long and double are sent as written). */
    private static Gen<String> numberLiterals(String field) {
        // Valid lease lengths and TTLs that cannot run out during the run; valid waits that end quickly.
        Gen<String> valid = switch (field) {
            case "timeout" -> Gen.of("600", "3600", "86400");
            case "heartbeat_ttl" -> Gen.of("0", "3600", "86400");
            case "wait_ms" -> Gen.of("0", "50", "100");
            default -> Gen.of("1", "10");
        };
        Gen<String> invalid = Gen.of(java.util.Arrays.stream(NUMBERS).filter(n -> !inValidRange(field, n)).toList());
        return Gen.frequency(weight(3, valid), weight(2, invalid));
    }

    /** Valid values that would let time change Redis during the run: short leases and TTLs, long waits. */
    private static boolean inValidRange(String field, String literal) {
        double v;
        try {
            v = Double.parseDouble(literal);
        } catch (NumberFormatException e) {
            return false;
        }
        long whole = (long) v;   // Jackson truncates a fractional number for an integer field
        return switch (field) {
            case "timeout", "heartbeat_ttl" -> whole >= 1 && whole < 300;
            case "wait_ms" -> whole > 100 && whole <= 600_000;
            default -> false;
        };
    }

    /** A JSON value of the wrong kind, or a hostile structure, for any field. */
    private static Gen<JsonNode> wrongValues() {
        return Gen.of(
                NODES.nullNode(), NODES.booleanNode(true), NODES.numberNode(42), NODES.textNode("42"),
                NODES.objectNode().put("a", 1), NODES.arrayNode().add("vm"), NODES.arrayNode(),
                NODES.arrayNode().addNull(), NODES.arrayNode().add(1).add(true), nested(200), nested(2_000),
                NODES.objectNode().set("worker_id", NODES.textNode("w1")));
    }

    /** Arrays nested {@code depth} deep, as raw text (deeper than Jackson itself would write). */
    private static JsonNode nested(int depth) {
        return NODES.rawValueNode(new com.fasterxml.jackson.databind.util.RawValue("[".repeat(depth) + "1" + "]".repeat(depth)));
    }

    private static Gen<JsonNode> fieldValue(String field, JsonNode schema) {
        Gen<JsonNode> plausible = switch (field) {
            case "worker_id", "resource_id", "id", "request_id" -> ids().map(NODES::textNode);
            case "type" -> types().map(NODES::textNode);
            case "lease_token" -> tokens().map(NODES::textNode);
            case "resource_types" -> withRare(types().list(0, 4).map(AllocatorFuzzIT::arrayOf),
                    arrayOf(java.util.Collections.nCopies(65, "vm")));
            case "resource_ids" -> withRare(ids().list(0, 4).map(AllocatorFuzzIT::arrayOf),
                    arrayOf(java.util.Collections.nCopies(65, "vm-1")));
            case "timeout", "heartbeat_ttl", "wait_ms" -> numberLiterals(field).map(AllocatorFuzzIT::numberNode);
            case "endpoint" -> Gen.of(
                    (JsonNode) NODES.objectNode().put("ip", "10.0.0.1").put("port", 5000),
                    NODES.objectNode(), NODES.objectNode().put("lease_id", "forged"),
                    NODES.objectNode().set("deep", nested(100)), NODES.objectNode().put("big", "z".repeat(100_000)));
            case "labels" -> withRare(r -> NODES.objectNode().put(types().next(r), ids().next(r)),
                    NODES.objectNode().set("zone", NODES.numberNode(1)));
            default -> switch (schema.path("type").asText()) {
                case "integer" -> numberLiterals(field).map(AllocatorFuzzIT::numberNode);
                case "array" -> ids().list(0, 3).map(AllocatorFuzzIT::arrayOf);
                case "object" -> r -> NODES.objectNode();
                default -> ids().map(NODES::textNode);
            };
        };
        return Gen.frequency(weight(8, plausible), weight(1, wrongValues()));
    }

    /** Mostly {@code usual}, now and then the one {@code rare} value (an over-long list, a wrongly typed label). */
    private static Gen<JsonNode> withRare(Gen<? extends JsonNode> usual, JsonNode rare) {
        return Gen.frequency(weight(12, usual), weight(1, Gen.constant(rare)));
    }

    private static JsonNode arrayOf(List<String> values) {
        ArrayNode array = NODES.arrayNode();
        values.forEach(array::add);
        return array;
    }

    /** Number literals go on the wire exactly as written (1e309, 2^63, ...), through a raw-JSON marker. */
    private static JsonNode numberNode(String literal) {
        return NODES.rawValueNode(new com.fasterxml.jackson.databind.util.RawValue(literal));
    }

    /** A body for a schema: each property present with a plausible or hostile value, or left out (12%). */
    private static Gen<String> body(JsonNode schema) {
        Map<String, Gen<JsonNode>> fields = new java.util.LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            fields.put(property.getKey(), fieldValue(property.getKey(), property.getValue()).orNull(0.12));
        }
        Gen<String> object = r -> {
            ObjectNode node = NODES.objectNode();
            fields.forEach((name, value) -> {
                JsonNode v = value.next(r);
                if (v != null) {
                    node.set(name, v);
                }
            });
            return node.toString();
        };
        Gen<String> mutated = r -> {
            String json = object.next(r);
            return switch (r.nextInt(10)) {
                case 0 -> json.replaceFirst("\\{", "{\"worker_id\":\"w1\",");                 // duplicate key (usually)
                case 1 -> json.length() > 2 ? json.substring(0, json.length() / 2) : "{";    // truncated
                case 2 -> "[" + json + "]";                                                    // wrong top-level type
                case 3 -> json.replaceFirst("\\}$", ",\"unknown_field\":{\"x\":[1,2,3]}}");    // unknown field
                case 4 -> "{\"a\":" + nested(5_000) + "}";                                       // deep nesting
                case 5 -> "not json at all";
                case 6 -> "\"" + json.replace("\"", "'") + "\"";
                case 7 -> "null";
                case 8 -> "";
                default -> json.replace("\"w1\"", "\"w\\u0000\"");                             // escaped control character
            };
        };
        return Gen.frequency(weight(7, object), weight(3, mutated));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static Gen<String> queryValue(Param param) {
        return switch (param.name()) {
            case "worker_id" -> ids();
            case "type" -> types();
            case "state" -> Gen.oneOf(Gen.of("free", "leased", "draining", "down"), Gen.of(HOSTILE_STRINGS));
            case "label" -> Gen.oneOf(r -> types().next(r) + "=" + ids().next(r), Gen.of(HOSTILE_STRINGS));
            case "force" -> Gen.of("true", "false", "", "maybe", "1", "TRUE");
            default -> ids();
        };
    }

    private static final Gen<Map<String, String>> HEADERS = Gen.frequency(
            weight(16, Gen.constant(Map.of("Content-Type", "application/json"))),
            weight(1, Gen.constant(Map.<String, String>of())),
            weight(1, Gen.constant(Map.of("Content-Type", "text/plain"))),
            weight(1, Gen.constant(Map.of("Content-Type", "application/json; charset=ISO-8859-1"))),
            weight(1, Gen.constant(Map.of("Content-Type", "application/json", "Accept", "text/html"))));
    private static final Gen<String> ODD_SEGMENTS = Gen.of("..", ".", "%ZZ", "%", "a%2", "%C0%AF", "%FF", "a;b", "a%00b");

    private static Gen<Wire> request(Operation op) {
        Gen<byte[]> body = op.bodySchema() == null
                ? Gen.of("", "{}", "garbage").map(s -> s.getBytes(StandardCharsets.UTF_8))
                : Gen.frequency(
                        weight(19, body(op.bodySchema()).map(s -> s.getBytes(StandardCharsets.UTF_8))),
                        weight(1, Gen.of(invalidUtf8(), hugeBody())));
        Gen<String> method = Gen.frequency(weight(30, Gen.constant(op.method())),
                weight(1, Gen.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS")));
        return r -> {
            String m = method.next(r);
            String target = op.path();
            for (Param p : op.params()) {
                if (p.in().equals("path")) {
                    String segment = r.nextInt(9) < 8 ? encode(ids().next(r)) : ODD_SEGMENTS.next(r);
                    target = target.replace("{" + p.name() + "}", segment);
                } else if (p.in().equals("query")) {
                    String query = String.join("&", queryValue(p).map(v -> p.name() + "=" + encode(v))
                            .list(0, p.type().equals("array") ? 3 : 1).next(r));
                    target = query.isEmpty() ? target : target + (target.contains("?") ? "&" : "?") + query;
                }
            }
            return new Wire(m, target, HEADERS.next(r), body.next(r), r.nextInt(20) == 0);
        };
    }

    private static byte[] invalidUtf8() {
        return new byte[] {'{', '"', 'w', 'o', 'r', 'k', 'e', 'r', '_', 'i', 'd', '"', ':', '"', (byte) 0xC3, (byte) 0x28,
            (byte) 0xFF, '"', ',', '"', 'i', 'd', '"', ':', '"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"', '}'};
    }

    private static byte[] hugeBody() {
        return ("{\"worker_id\":\"" + "x".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    /** Requests for every operation of the document, uniformly. */
    private static Gen<Wire> requests() {
        List<Gen<Wire>> perOperation = operations.stream().map(AllocatorFuzzIT::request).toList();
        return Gen.of(perOperation).flatMap(g -> g);
    }

    // ---------------------------------------------------------------------------------------------
    // State: a pool with leases, so that refusals meet real holders, tokens and request ids

    private static void seed() {
        String[][] resources = {{"vm-1", "vm"}, {"vm-2", "vm"}, {"vm-3", "vm"}, {"rag-1", "rag"}, {"w:x", "rag"},
            {"pool:eu/vm-1@host.example", "vm.linux-x86_64"}};
        for (String[] r : resources) {
            Answer a = send(post("/resources", "{\"id\":\"" + r[0] + "\",\"type\":\"" + r[1]
                    + "\",\"endpoint\":{\"ip\":\"10.0.0.1\"},\"labels\":{\"zone\":\"a\"}}"));
            assertEquals(201, a.status(), a.toString());
        }
        remember(send(post("/allocate", "{\"worker_id\":\"w1\",\"resource_types\":[\"vm\",\"rag\"],\"timeout\":3600,"
                + "\"request_id\":\"seed-1\"}")));
        remember(send(post("/allocate", "{\"worker_id\":\"org:team/worker@node.7\",\"resource_types\":[\"vm.linux-x86_64\"],"
                + "\"timeout\":3600}")));
    }

    private static Wire post(String path, String json) {
        return new Wire("POST", path, Map.of("Content-Type", "application/json"), json.getBytes(StandardCharsets.UTF_8), false);
    }

    /** Keeps the lease tokens of grants, so verify sees live tokens as well as dead and forged ones. */
    private static void remember(Answer answer) {
        if (answer.status() != 200 || !answer.body().contains("lease_token")) {
            return;
        }
        try {
            JsonNode body = JSON.readTree(answer.body());
            synchronized (LIVE_TOKENS) {
                body.forEach(entry -> {
                    if (entry.has("lease_token")) {
                        LIVE_TOKENS.add(entry.path("lease_token").asText());
                    }
                });
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Checks

    private static void assertEnvelope(Wire request, Answer answer) {
        JsonNode error;
        try {
            error = JSON.readTree(answer.body()).path("error");
        } catch (IOException e) {
            throw new AssertionError("a " + answer.status() + " without a JSON envelope for " + request + ": " + answer, e);
        }
        if (!error.path("code").isTextual() || !error.path("message").isTextual() || !error.path("timestamp").isTextual()
                || !error.path("details").isObject()) {
            fail("a " + answer.status() + " without the error envelope for " + request + ": " + answer);
        }
    }

    /** Every key with its type and DUMP (serialized value), in one script run: an atomic picture of Redis. */
    private static Map<String, String> snapshot() {
        Response all = redis.call("EVAL", DIGEST_SCRIPT, "0");
        Map<String, String> keys = new TreeMap<>();
        for (int i = 0; i + 2 < all.size(); i += 3) {
            keys.put(all.get(i).toString(), all.get(i + 1).toString() + ":" + HexFormat.of().formatHex(all.get(i + 2).toBytes()));
        }
        return keys;
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP over a plain socket: any bytes, any header, any request target, one connection per request

    record Answer(int status, String body) {
        @Override
        public String toString() {
            return status + " " + abbreviate(body);
        }
    }

    private static Answer send(Wire request) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            socket.setSoTimeout(30_000);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            StringBuilder h = new StringBuilder(request.method() + " " + request.target() + " HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nConnection: close\r\n");
            request.headers().forEach((k, v) -> h.append(k).append(": ").append(v).append("\r\n"));
            if (request.chunked()) {
                h.append("Transfer-Encoding: chunked\r\n\r\n");
            } else {
                h.append("Content-Length: ").append(request.body().length).append("\r\n\r\n");
            }
            head.write(h.toString().getBytes(StandardCharsets.ISO_8859_1));
            if (request.chunked()) {
                head.write((Integer.toHexString(request.body().length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                head.write(request.body());
                head.write("\r\n0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            } else {
                head.write(request.body());
            }
            try {
                socket.getOutputStream().write(head.toByteArray());
                socket.getOutputStream().flush();
            } catch (IOException refusedMidBody) {
                // The server may answer (413) and close before a large body is fully written: read what it said.
            }
            return parse(socket.getInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException("no answer to " + request, e);
        }
    }

    private static Answer parse(InputStream in) throws IOException {
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        try {
            in.transferTo(raw);
        } catch (java.net.SocketException reset) {
            // a connection reset after the answer was sent (the server closed while the body was still coming)
        }
        String text = raw.toString(StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) {
            throw new IOException("not an HTTP answer: " + abbreviate(text));
        }
        int status = Integer.parseInt(text.substring(9, 12));
        String headers = text.substring(0, end).toLowerCase();
        byte[] body = java.util.Arrays.copyOfRange(raw.toByteArray(), end + 4, raw.size());
        if (headers.contains("transfer-encoding: chunked")) {
            body = dechunk(body);
        }
        return new Answer(status, new String(body, StandardCharsets.UTF_8));
    }

    private static byte[] dechunk(byte[] chunked) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < chunked.length) {
            int lineEnd = indexOf(chunked, i);
            int size = Integer.parseInt(new String(chunked, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim(), 16);
            if (size == 0) {
                break;
            }
            out.write(chunked, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i + 1 < bytes.length; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        throw new IllegalStateException("bad chunked encoding");
    }

    private static String abbreviate(String s) {
        String printable = s.replaceAll("\\p{Cntrl}", "?");
        return printable.length() <= 300 ? printable : printable.substring(0, 300) + "...(" + s.length() + " chars)";
    }
}

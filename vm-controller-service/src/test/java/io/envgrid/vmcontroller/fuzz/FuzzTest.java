package io.envgrid.vmcontroller.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import io.envgrid.vmcontroller.support.FakeVm;
import io.envgrid.vmcontroller.support.LeaseRecords;
import io.envgrid.vmcontroller.support.WithFakeVm;
import io.envgrid.vmcontroller.support.Api;
import io.envgrid.vmcontroller.support.WithRedis;

/**
 * Fuzzes every operation of the service's own OpenAPI document ({@code /q/openapi}) with seeded
 * generators ({@link Gen}), and asserts the service's promise about bad input: no input yields a 5xx, every 4xx carries the
 * error envelope, and a refused request changes nothing (a digest of every Redis key and value is
 * the same before and after, and the fake VM received nothing).
 *
 * <p>Requests go over a raw socket so that paths, headers and bodies are sent byte for byte as
 * generated (no client normalises {@code ..}, rejects a bad percent-escape or fixes a content type).
 * Half are sent with the live session's ids and lease token, so the generators reach the action
 * handlers; the rest use wrong, missing or hostile ids and tokens.
 *
 * <p>All values come from one {@link Random}; the seed is printed; {@code -Dfuzz.seed=<n>} replays a
 * run and {@code -Dfuzz.requests=<n>} changes its size.
 */
@QuarkusTest
@WithRedis
class FuzzTest extends WithFakeVm {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final int REQUESTS = Integer.getInteger("fuzz.requests", 2500);
    /** Digest of every key (sorted), its value as DUMP gives it, and whether it has a time to live. */
    private static final String DIGEST = """
            local keys = redis.call('KEYS', '*')
            table.sort(keys)
            local parts = {}
            for _, k in ipairs(keys) do
              parts[#parts + 1] = k
              parts[#parts + 1] = redis.call('DUMP', k)
              parts[#parts + 1] = tostring(redis.call('PTTL', k) >= 0)
            end
            return redis.sha1hex(table.concat(parts, '\\0'))""";

    private final long seed = Long.getLong("fuzz.seed", 6727713162289L); // fixed so a run is reproducible; -Dfuzz.seed=N explores
    private final Random random = new Random(seed);

    /** A second VM leased to the same worker without a session, and a VM leased to another worker. */
    private LeaseRecords.Grant noSession;
    private LeaseRecords.Grant others;

    private JsonNode openapi;

    /** Besides the session {@link WithFakeVm} opens, two more leases on the same fake VM. */
    @BeforeEach
    void leaseTwoMore() {
        leases.registerVm(resource + "-b", vm.port());
        leases.registerVm(resource + "-c", vm.port());
        noSession = leases.grant(resource + "-b", worker);
        others = leases.grant(resource + "-c", "other-" + UUID.randomUUID());
    }

    /** A fresh grant of the main VM and its session (after a fuzzed DELETE closed the last one). */
    private void reopen() {
        grant = leases.grant(resource, worker);
        Api.open(worker, grant.entry()).statusCode(201);
    }

    @Test
    void noInputYieldsA5xxAndRefusalsChangeNothing() throws IOException {
        Reply doc = send("GET", "/q/openapi?format=json", List.of(), null);
        assertTrue(doc.status == 200, "openapi: " + doc.status);
        openapi = JSON.readTree(doc.body);
        List<Operation> operations = operations();
        assertTrue(operations.size() >= 25, "operations: " + operations);
        System.out.println("vm-controller fuzz: seed " + seed + ", " + operations.size() + " operations");

        fuzz(operations);
    }

    private void fuzz(List<Operation> operations) throws IOException {
        java.nio.file.Files.deleteIfExists(java.nio.file.Path.of("target", "fuzz-faults.txt"));
        List<String> failures = new ArrayList<>();
        Map<String, Integer> statuses = new java.util.TreeMap<>();
        // Which answers each operation got: shows the generators reach the handlers (2xx) as well as the refusals.
        Map<String, Map<Integer, Integer>> perOperation = new java.util.TreeMap<>();
        int sent = 0;
        int fiveHundreds = 0;
        long started = System.nanoTime();
        for (int i = 0; i < REQUESTS && failures.size() < 200; i++) {
            Operation op = operations.get(random.nextInt(operations.size()));
            Request request = build(op);
            String before = digest();
            int vmCallsBefore = vm.received().size();
            Reply reply = send(request.method, request.target, request.headers, request.body);
            sent++;
            statuses.merge(reply.status / 100 + "xx", 1, Integer::sum);
            perOperation.computeIfAbsent(op.toString(), k -> new java.util.TreeMap<>())
                    .merge(reply.status, 1, Integer::sum);
            String where = request.describe() + " -> " + reply.status + " " + reply.text(300);
            for (FakeVm.Received forwarded : vm.received().subList(vmCallsBefore, vm.received().size())) {
                String mistake = clientMistake(forwarded);
                if (mistake != null) {
                    failures.add("a client mistake reached the VM (" + mistake + "): " + where);
                }
            }
            if (reply.status >= 500 || reply.status < 100) {
                fiveHundreds++;
                failures.add("5xx: " + where);
            } else if (reply.status >= 400) {
                if (request.malformedHttp()) {
                    if (!List.of(400, 413, 414, 431).contains(reply.status) && envelopeProblem(reply) != null) {
                        failures.add("malformed HTTP answered with neither a codec status nor the envelope: " + where);
                    }
                } else if (!"HEAD".equals(request.method)) {
                    String problem = envelopeProblem(reply);
                    if (problem != null) {
                        failures.add("no envelope (" + problem + "): " + where);
                    }
                }
                if (!before.equals(digest())) {
                    failures.add("Redis changed by a refusal: " + where);
                }
                if (vm.received().size() != vmCallsBefore) {
                    failures.add("VM called by a refused request: " + where);
                }
            }
            if (!sessionLive()) {
                reopen();
            }
        }
        long ms = (System.nanoTime() - started) / 1_000_000;
        perOperation.forEach((op, counts) -> System.out.println("vm-controller fuzz:   " + op + " " + counts));
        System.out.println("vm-controller fuzz: statuses " + statuses + " in " + ms + " ms");
        System.out.println("vm-controller fuzz: " + sent + " requests, " + fiveHundreds + " 5xx");
        if (!failures.isEmpty()) {
            java.nio.file.Files.write(java.nio.file.Path.of("target", "fuzz-faults.txt"), failures);
            fail("seed " + seed + ": " + failures.size() + " faults:\n" + String.join("\n", failures));
        }
    }

    /**
     * Why the desktop could only refuse or crash on a request the controller forwarded, or null: the
     * client mistakes the controller checks before forwarding (hostile review of issue 11), judged here
     * from what the VM received, independently of how the controller checks them.
     */
    private static String clientMistake(FakeVm.Received r) {
        String nul = switch (r.path()) {
            case "/file" -> java.net.URLDecoder.decode(r.body(), StandardCharsets.UTF_8);
            case "/list_directory" -> r.json().getString("path", "");
            case "/run_python" -> r.json().getString("code", "");
            case "/run_bash_script" -> String.valueOf(r.json().getValue("working_dir"));
            case "/execute", "/setup/launch" -> r.json().getValue("command") instanceof io.vertx.core.json.JsonArray a
                    ? a.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(" "))
                    : String.valueOf(r.json().getValue("command"));
            default -> "";
        };
        if (nul.indexOf('\0') >= 0) {
            return "a NUL character";
        }
        if (!"/execute".equals(r.path()) && !"/setup/launch".equals(r.path())) {
            return null;
        }
        io.vertx.core.json.JsonObject body = r.json();
        Object command = body.getValue("command");
        if (command instanceof io.vertx.core.json.JsonArray words) {
            if (words.isEmpty() || !words.stream().allMatch(w -> w instanceof String)) {
                return "command is not a non-empty list of strings";
            }
            if (words.getString(0).isBlank()) {
                return "command names no program";
            }
            if (words.size() == 3 && "-c".equals(words.getString(1))
                    && words.getString(2).matches("(?s).*\\btime\\.sleep\\(\\s*-\\s*[0-9.]*[1-9].*")) {
                return "a negative sleep";
            }
            return body.getBoolean("shell", false) ? "a list with shell true" : null;
        }
        return command instanceof String line && !line.isBlank() ? null : "command is not a non-blank string";
    }

    // ---- the OpenAPI document -------------------------------------------------------------------

    /** One operation of the document: method, path template, its parameters and request body schema. */
    record Operation(String method, String path, List<JsonNode> parameters, String mediaType, JsonNode bodySchema) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private List<Operation> operations() {
        List<Operation> operations = new ArrayList<>();
        Iterator<Map.Entry<String, JsonNode>> paths = openapi.path("paths").fields();
        while (paths.hasNext()) {
            Map.Entry<String, JsonNode> path = paths.next();
            Iterator<Map.Entry<String, JsonNode>> methods = path.getValue().fields();
            while (methods.hasNext()) {
                Map.Entry<String, JsonNode> method = methods.next();
                if (!List.of("get", "post", "put", "delete", "patch").contains(method.getKey())) {
                    continue;
                }
                List<JsonNode> parameters = new ArrayList<>();
                path.getValue().path("parameters").forEach(p -> parameters.add(resolve(p)));
                method.getValue().path("parameters").forEach(p -> parameters.add(resolve(p)));
                String mediaType = null;
                JsonNode schema = null;
                Iterator<Map.Entry<String, JsonNode>> content = method.getValue().path("requestBody").path("content")
                        .fields();
                if (content.hasNext()) {
                    Map.Entry<String, JsonNode> first = content.next();
                    mediaType = first.getKey();
                    schema = resolve(first.getValue().path("schema"));
                }
                operations.add(new Operation(method.getKey().toUpperCase(Locale.ROOT), path.getKey(), parameters,
                        mediaType, schema));
            }
        }
        // The service's own endpoints outside the document (probes, metrics, the document itself).
        for (String path : List.of("/q/health", "/q/health/live", "/q/health/ready", "/q/metrics", "/q/openapi")) {
            operations.add(new Operation("GET", path, List.of(), null, null));
        }
        return operations;
    }

    private JsonNode resolve(JsonNode node) {
        JsonNode ref = node.get("$ref");
        if (ref == null) {
            return node;
        }
        JsonNode target = openapi;
        for (String part : ref.asText().substring(2).split("/")) {
            target = target.path(part);
        }
        return resolve(target);
    }

    // ---- requests -------------------------------------------------------------------------------

    /** One request as sent: exact request target, header lines, body bytes (null: none). */
    record Request(String method, String target, List<String[]> headers, byte[] body) {

        /**
         * Not an HTTP/1.1 message the server's codec accepts: a control character in a header value
         * (RFC 9110 5.5), a header section over 20 KiB or a request line over 4 KiB (Quarkus'
         * max-header-size and max-initial-line-length). Netty answers these itself with a bare status.
         */
        boolean malformedHttp() {
            int headerBytes = 0;
            for (String[] h : headers) {
                headerBytes += (h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8).length;
                if (h[1].chars().anyMatch(c -> (c < 0x20 && c != '\t') || c == 0x7f)) {
                    return true;
                }
            }
            return headerBytes > 20 * 1024 - 200 || target.length() + method.length() + 10 > 4096;
        }

        String describe() {
            StringBuilder s = new StringBuilder(method).append(' ').append(clip(target, 200));
            for (String[] h : headers) {
                s.append(" [").append(h[0]).append(": ").append(clip(h[1], 60)).append(']');
            }
            if (body != null) {
                s.append(" body=").append(clip(new String(body, StandardCharsets.UTF_8), 200));
            }
            return s.toString();
        }
    }

    private enum Who { LIVE, WRONG_TOKEN, NO_TOKEN, OTHER_SESSION, HOSTILE_IDS }

    private Request build(Operation op) {
        // Half with the live session, so the generators reach the action handlers.
        int w = random.nextInt(100);
        Who who = w < 50 ? Who.LIVE : w < 65 ? Who.WRONG_TOKEN : w < 75 ? Who.NO_TOKEN
                : w < 85 ? Who.OTHER_SESSION : Who.HOSTILE_IDS;
        String method = op.method;
        if (random.nextInt(40) == 0) {
            method = draw(Gen.of("PUT", "PATCH", "HEAD", "OPTIONS", "TRACE", "GET", "POST", "DELETE"));
        }
        String target = op.path;
        for (JsonNode p : op.parameters) {
            if ("path".equals(p.path("in").asText())) {
                String name = p.path("name").asText();
                target = target.replace("{" + name + "}", pathSegment(name, who));
            }
        }
        if (random.nextInt(20) == 0) {
            target += draw(Gen.of("/", "/extra", "/..", "/%2e%2e/%2e%2e/q/health", "//", "/x/y/z"));
        }
        target += query(op);

        List<String[]> headers = new ArrayList<>();
        String token = switch (who) {
            case LIVE, HOSTILE_IDS -> grant.leaseToken();
            case OTHER_SESSION -> random.nextBoolean() ? others.leaseToken() : noSession.leaseToken();
            case WRONG_TOKEN -> draw(hostileStrings());
            case NO_TOKEN -> null;
        };
        if (token != null && !op.path.equals("/sessions")) {
            headers.add(new String[] {Api.LEASE_TOKEN, token});
        }
        if (random.nextInt(6) == 0) {
            headers.add(new String[] {"X-Fencing-Token", draw(Gen.oneOf(
                    Gen.just(Long.toString(grant.fence())), Gen.longs().map(Object::toString),
                    Gen.of("", " ", "abc", "1e3", "99999999999999999999999", "-0", " 7 ", "0x10",
                            "9223372036854775807", "-9223372036854775808"),
                    hostileStrings()))});
        }
        for (JsonNode p : op.parameters) {
            if ("header".equals(p.path("in").asText()) && random.nextBoolean()
                    && !Api.LEASE_TOKEN.equalsIgnoreCase(p.path("name").asText())) {
                headers.add(new String[] {p.path("name").asText(), valueText(p.path("schema"))});
            }
        }
        if (random.nextInt(10) == 0) {
            headers.add(new String[] {"Accept", draw(Gen.of("application/xml", "video/mp4", "*/*",
                    "text/plain", "application/json;q=0", "garbage/;;", "application/json",
                    "application/openmetrics-text", "text/html", "text/plain;q=0", "text/*"))});
        }

        byte[] body = null;
        if (op.mediaType != null || random.nextInt(8) == 0) {
            body = body(op, who);
            String contentType = random.nextInt(8) == 0
                    ? draw(Gen.of("text/plain", "application/xml", "multipart/form-data; boundary=x",
                            "application/x-www-form-urlencoded", "application/json; charset=utf-16",
                            "application/json; charset=bogus", "application/json; charset=", ";;;", "*/*", "",
                            "application/octet-stream", "application/json; charset=ISO-8859-1"))
                    : "application/json";
            if (random.nextInt(30) != 0) {
                headers.add(new String[] {"Content-Type", contentType});
            }
        }
        return new Request(method, target, headers, body);
    }

    private String pathSegment(String name, Who who) {
        String live = "worker_id".equals(name) ? worker : resource;
        return switch (who) {
            case LIVE, WRONG_TOKEN, NO_TOKEN -> Api.segment(live);
            case OTHER_SESSION -> Api.segment("worker_id".equals(name)
                    ? draw(Gen.of(worker, others.worker(), "nobody"))
                    : draw(Gen.of(noSession.id(), others.id(), "unknown-vm")));
            case HOSTILE_IDS -> draw(Gen.oneOf(
                    Gen.of("..", ".", "%2E%2E", "%2F", "..%2F..%2Fetc%2Fpasswd", "a%2F..%2F..%2Fb", "%00",
                            "%ZZ", "%", "%ED%A0%80", "%C3%28", "%FF%FE", "a%0Ab", "a%0D%0Ab", "%20", "a;b=c",
                            "%E2%80%AE", "%F0%9F%98%80", "x".repeat(5000), live + "%2F..", "-a", "_a", "a:b",
                            "a@b", "a/b", "%3Ca%3E"),
                    hostileStrings().map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8))));
        };
    }

    private String query(Operation op) {
        StringBuilder q = new StringBuilder();
        for (JsonNode p : op.parameters) {
            if ("query".equals(p.path("in").asText()) && random.nextBoolean()) {
                q.append(q.isEmpty() ? "?" : "&").append(p.path("name").asText()).append('=')
                        .append(URLEncoder.encode(valueText(p.path("schema")), StandardCharsets.UTF_8));
            }
        }
        if (random.nextInt(8) == 0) {
            q.append(q.isEmpty() ? "?" : "&").append(draw(Gen.of("a=1", "a", "=", "&&", "a=%ZZ", "a=%00",
                    "x=" + "y".repeat(4000), "a[]=1&a[]=2", "%E2%80%AE=1", "a=1;b=2")));
        }
        return q.toString();
    }

    private String valueText(JsonNode schema) {
        JsonNode v = random.nextBoolean() ? valid(schema, 0) : hostileValue(0);
        return v.isTextual() ? v.asText() : v.toString();
    }

    // ---- bodies ---------------------------------------------------------------------------------

    private byte[] body(Operation op, Who who) {
        int kind = random.nextInt(20);
        if (kind == 0) {
            return draw(Gen.of("", "{", "}", "[1,2", "{\"code\":}", "'x'", "{\"code\":\"x\"} trailing",
                    "nul", "\u0000", "{\"a\":1,}", "\ufeff{}", "{\"code\":\"\\ud800\"}", "{\"code\":\"\\uZZZZ\"}",
                    "1".repeat(5000), "[".repeat(5000) + "]".repeat(5000), "[".repeat(1001) + "]".repeat(1001),
                    "{\"code\":" + "[".repeat(1500) + "]".repeat(1500) + "}", "{\"a\":".repeat(3000) + "1"
                            + "}".repeat(3000), "{\"a\":" + "1".repeat(2000) + "}"))
                    .getBytes(StandardCharsets.UTF_8);
        }
        if (kind == 1) {
            return new byte[] {(byte) 0xC3, (byte) 0x28, '{', '}', (byte) 0xFF};
        }
        if (kind == 2) {
            return hostileValue(0).toString().getBytes(StandardCharsets.UTF_8);
        }
        JsonNode body = semantic(op, who);
        if (body == null || random.nextInt(4) == 0) {
            body = op.bodySchema == null ? hostileValue(0)
                    : random.nextBoolean() ? valid(op.bodySchema, 0) : violating(op.bodySchema, 0);
        }
        if (body.isObject() && random.nextInt(6) == 0) {
            ((ObjectNode) body).set(draw(Gen.of("unknown", "", "__proto__", "code ", "\u0000")),
                    hostileValue(0));
        }
        return body.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Bodies shaped for the operation, so the handlers past the front door run (valid and invalid). */
    private JsonNode semantic(Operation op, Who who) {
        String path = op.path;
        ObjectNode o = NODES.objectNode();
        if (path.equals("/sessions")) {
            o.set("worker_id", maybe(NODES.textNode(who == Who.OTHER_SESSION ? others.worker() : worker)));
            ObjectNode entry = NODES.objectNode();
            LeaseRecords.Grant g = who == Who.OTHER_SESSION ? others : random.nextBoolean() ? grant : noSession;
            entry.set("id", maybe(NODES.textNode(g.id())));
            entry.set("lease_token", maybe(NODES.textNode(who == Who.WRONG_TOKEN ? "elt_wrong" : g.leaseToken())));
            if (random.nextBoolean()) {
                entry.put("ip", draw(Gen.of("169.254.169.254", "127.0.0.1", "::1", "")));
                entry.set("port", hostileValue(0));
            }
            o.set("resource", random.nextInt(10) == 0 ? hostileValue(0) : entry);
            return o;
        }
        if (path.endsWith("/actions/pyautogui") || path.endsWith("/python")) {
            o.set("code", maybe(NODES.textNode(draw(Gen.oneOf(
                    Gen.of("pyautogui.click(10, 20)", "WAIT", "DONE", "FAIL", " DONE ", "print('x')",
                            "import os; os.system('rm -rf /')", "\"\"\"", "\\",
                            // the hostile review's cases (issue 11): refused before the VM, or the VM's to judge
                            "time.sleep(-1)", "time.sleep(-0.5)", "time.sleep(0)", "pyautogui.click(-5, -5)",
                            "x = 'unbalanced"),
                    hostileStrings())))));
            return o;
        }
        if (path.endsWith("/actions/computer_13")) {
            return computer13();
        }
        if (path.endsWith("/commands") || path.endsWith("/launch")) {
            int kind = random.nextInt(6);
            o.set("command", maybe(kind == 0
                    // the hostile review's cases (issue 11): [], [{"a":1}], an unbalanced quote, a NUL
                    ? draw(Gen.<JsonNode>of(NODES.arrayNode(), NODES.arrayNode().add(NODES.objectNode().put("a", 1)),
                            NODES.textNode("echo 'abc"), NODES.textNode("echo \"abc\\"),
                            NODES.arrayNode().add("ls").add("a\u0000b"), NODES.arrayNode().add(""),
                            NODES.arrayNode().add("ls").add(5), NODES.textNode("''")))
                    : kind < 3 ? NODES.textNode(draw(Gen.oneOf(Gen.of("ls -la", "gedit", "echo hi"),
                            hostileStrings())))
                    : strings(draw(Gen.ints(0, 5)))));
            if (random.nextBoolean()) {
                o.set("shell", maybe(NODES.booleanNode(random.nextBoolean())));
            }
            return o;
        }
        if (path.endsWith("/bash")) {
            o.set("script", maybe(NODES.textNode(draw(Gen.oneOf(Gen.just("echo hi"),
                    hostileStrings())))));
            if (random.nextBoolean()) {
                o.set("timeout", maybe(number()));
            }
            if (random.nextBoolean()) {
                o.set("working_dir", maybe(NODES.textNode(draw(Gen.oneOf(Gen.of("", "/tmp", "/tmp\u0000x"),
                        hostileStrings())))));
            }
            return o;
        }
        if (path.contains("/files/")) {
            o.set("path", maybe(NODES.textNode(draw(Gen.oneOf(
                    Gen.of("/home/user/a.txt", "../../etc/passwd", "/", "", "C:\\x", "~/x", "/tmp/\u0000x", " ",
                            "\u0000"),
                    hostileStrings())))));
            if (path.endsWith("/write")) {
                o.set("content", maybe(NODES.textNode(random.nextBoolean()
                        ? Base64.getEncoder().encodeToString(draw(hostileStrings()).getBytes(StandardCharsets.UTF_8))
                        : draw(hostileStrings()))));
            }
            return o;
        }
        return null;
    }

    private static final List<String> COMPUTER13_PARAMS = List.of("x", "y", "button", "num_clicks", "dx", "dy",
            "text", "key", "keys", "duration", "unknown");

    private JsonNode computer13() {
        if (random.nextInt(5) < 3) {
            return validComputer13();
        }
        if (random.nextInt(10) == 0) {
            return NODES.textNode(draw(Gen.of("DONE", "WAIT", "FAIL", "done", "CLICK", "")));
        }
        ObjectNode params = NODES.objectNode();
        for (String name : COMPUTER13_PARAMS) {
            if (random.nextInt(3) == 0) {
                params.set(name, computer13Value(name));
            }
        }
        ObjectNode action = NODES.objectNode();
        action.set("action_type", maybe(NODES.textNode(draw(Gen.oneOf(
                Gen.of("MOVE_TO", "CLICK", "MOUSE_DOWN", "MOUSE_UP", "RIGHT_CLICK", "DOUBLE_CLICK",
                        "DRAG_TO", "SCROLL", "TYPING", "PRESS", "KEY_DOWN", "KEY_UP", "HOTKEY", "WAIT", "FAIL",
                        "DONE"),
                Gen.of("click", "Click", "NOPE", ""), hostileStrings())))));
        if (random.nextInt(4) == 0) {
            action.setAll(params);
        } else {
            action.set("parameters", random.nextInt(12) == 0 ? hostileValue(0) : params);
        }
        return action;
    }

    /** A well-formed action of any of the sixteen types, with parameters at and inside their limits. */
    private JsonNode validComputer13() {
        String type = draw(Gen.of("MOVE_TO", "CLICK", "MOUSE_DOWN", "MOUSE_UP", "RIGHT_CLICK",
                "DOUBLE_CLICK", "DRAG_TO", "SCROLL", "TYPING", "PRESS", "KEY_DOWN", "KEY_UP", "HOTKEY", "WAIT",
                "FAIL", "DONE"));
        ObjectNode p = NODES.objectNode();
        Gen<Integer> x = Gen.ints(0, 1920);
        Gen<Integer> y = Gen.ints(0, 1080);
        Gen<String> button = Gen.of("left", "right", "middle");
        Gen<String> key = Gen.of("enter", "a", "ctrl", "shift", "f1", "'", "\\", "\n", "Tab");
        switch (type) {
            case "MOVE_TO", "RIGHT_CLICK", "DOUBLE_CLICK", "DRAG_TO" -> {
                p.put("x", draw(x));
                p.put("y", draw(y));
            }
            case "CLICK" -> {
                if (random.nextBoolean()) {
                    p.put("x", draw(x));
                    p.put("y", draw(y));
                }
                if (random.nextBoolean() || !p.has("x")) {
                    p.put("button", draw(button));
                }
                if (random.nextBoolean()) {
                    p.put("num_clicks", draw(Gen.ints(1, 3)));
                }
            }
            case "MOUSE_DOWN", "MOUSE_UP" -> {
                if (random.nextBoolean()) {
                    p.put("button", draw(button));
                }
            }
            case "SCROLL" -> {
                p.put("dx", draw(Gen.ints(-1000, 1000)));
                p.put("dy", draw(Gen.ints()));
            }
            case "TYPING" -> p.put("text", draw(hostileStrings()));
            case "PRESS", "KEY_DOWN", "KEY_UP" -> p.put("key", draw(key));
            case "HOTKEY" -> {
                ArrayNode keys = p.putArray("keys");
                int n = draw(Gen.ints(1, 3));
                for (int i = 0; i < n; i++) {
                    keys.add(draw(key));
                }
            }
            default -> {
            }
        }
        ObjectNode action = NODES.objectNode().put("action_type", type);
        if (random.nextInt(4) == 0) {
            action.setAll(p);
        } else {
            action.set("parameters", p);
        }
        return action;
    }

    private JsonNode computer13Value(String name) {
        if (random.nextInt(4) == 0) {
            return hostileValue(0);
        }
        return switch (name) {
            case "x", "y", "dx", "dy", "num_clicks", "duration" -> number();
            case "button" -> NODES.textNode(draw(Gen.of("left", "right", "middle", "LEFT", "side", "")));
            case "text" -> NODES.textNode(draw(hostileStrings()));
            case "key" -> NODES.textNode(draw(Gen.of("enter", "a", "ctrl", "'", "\\", "\n", "F13", "")));
            case "keys" -> strings(draw(Gen.ints(0, 4)));
            default -> hostileValue(0);
        };
    }

    /** Mostly the value; sometimes null, absent (a missing node) or a value of the wrong type. */
    private JsonNode maybe(JsonNode value) {
        int r = random.nextInt(12);
        if (r == 0) {
            return NODES.nullNode();
        }
        if (r == 1) {
            return hostileValue(0);
        }
        return value;
    }

    private ArrayNode strings(int n) {
        ArrayNode a = NODES.arrayNode();
        for (int i = 0; i < n; i++) {
            a.add(random.nextBoolean() ? draw(Gen.of("ls", "ctrl", "c", "-la", "enter")) : draw(hostileStrings()));
        }
        if (random.nextInt(6) == 0) {
            a.add(hostileValue(0));
        }
        return a;
    }

    private JsonNode number() {
        return draw(Gen.oneOf(
                Gen.ints(-5, 3000).map(n -> (JsonNode) NODES.numberNode(n)),
                Gen.longs().map(n -> (JsonNode) NODES.numberNode(n)),
                Gen.doubles().map(n -> (JsonNode) NODES.numberNode(n)),
                Gen.of(Long.MAX_VALUE, Long.MIN_VALUE, (long) Integer.MAX_VALUE, (long) Integer.MIN_VALUE,
                        Integer.MAX_VALUE + 1L, 0L, -1L).map(n -> (JsonNode) NODES.numberNode(n)),
                Gen.of(new BigInteger("9223372036854775808"), BigInteger.TEN.pow(400).negate(),
                        BigInteger.TEN.pow(30)).map(n -> (JsonNode) NODES.numberNode(n)),
                Gen.of(new BigDecimal("1e309"), new BigDecimal("-1e309"), new BigDecimal("4.9e-324"),
                        new BigDecimal("1920.5"), new BigDecimal("-0.0"), new BigDecimal("1e-400"))
                        .map(n -> (JsonNode) NODES.numberNode(n))));
    }

    /** A value that fits the schema (as far as its types go). */
    private JsonNode valid(JsonNode schema, int depth) {
        schema = resolve(schema);
        if (depth > 6) {
            return NODES.nullNode();
        }
        String type = schema.path("type").asText("");
        if (schema.has("enum")) {
            JsonNode e = schema.get("enum");
            return e.get(random.nextInt(e.size()));
        }
        return switch (type) {
            case "object" -> {
                ObjectNode o = NODES.objectNode();
                Iterator<Map.Entry<String, JsonNode>> props = schema.path("properties").fields();
                while (props.hasNext()) {
                    Map.Entry<String, JsonNode> p = props.next();
                    if (random.nextInt(5) != 0) {
                        o.set(p.getKey(), valid(p.getValue(), depth + 1));
                    }
                }
                yield o;
            }
            case "array" -> {
                ArrayNode a = NODES.arrayNode();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.add(valid(schema.path("items"), depth + 1));
                }
                yield a;
            }
            case "string" -> NODES.textNode(draw(hostileStrings()));
            case "integer" -> draw(Gen.oneOf(Gen.ints().map(n -> (JsonNode) NODES.numberNode(n)),
                    Gen.longs().map(n -> (JsonNode) NODES.numberNode(n))));
            case "number" -> number();
            case "boolean" -> NODES.booleanNode(random.nextBoolean());
            default -> hostileValue(depth);
        };
    }

    /** A value of the wrong type for the schema, or an object with its fields of the wrong types. */
    private JsonNode violating(JsonNode schema, int depth) {
        schema = resolve(schema);
        String type = schema.path("type").asText("");
        if ("object".equals(type) && random.nextBoolean()) {
            ObjectNode o = NODES.objectNode();
            Iterator<Map.Entry<String, JsonNode>> props = schema.path("properties").fields();
            while (props.hasNext()) {
                Map.Entry<String, JsonNode> p = props.next();
                o.set(p.getKey(), random.nextBoolean() ? violating(p.getValue(), depth + 1) : valid(p.getValue(), depth + 1));
            }
            return o;
        }
        JsonNode v;
        do {
            v = hostileValue(depth);
        } while (matches(type, v));
        return v;
    }

    private static boolean matches(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> false;
        };
    }

    /** Any JSON value, leaning to the hostile: huge, empty, deeply nested, limits, odd text. */
    private JsonNode hostileValue(int depth) {
        int r = random.nextInt(depth > 3 ? 5 : 9);
        return switch (r) {
            case 0 -> NODES.textNode(draw(hostileStrings()));
            case 1 -> number();
            case 2 -> NODES.nullNode();
            case 3 -> NODES.booleanNode(random.nextBoolean());
            case 4 -> NODES.textNode("");
            case 5 -> {
                ArrayNode a = NODES.arrayNode();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    a.add(hostileValue(depth + 1));
                }
                yield a;
            }
            case 6 -> {
                ObjectNode o = NODES.objectNode();
                int n = random.nextInt(4);
                for (int i = 0; i < n; i++) {
                    o.set(draw(hostileStrings()), hostileValue(depth + 1));
                }
                yield o;
            }
            // Deeper than Jackson's writer allows (1000) is sent as raw text by body().
            case 7 -> nested(draw(Gen.of(50, 500, 900)));
            default -> NODES.textNode("x".repeat(draw(Gen.of(1000, 70_000, 300_000))));
        };
    }

    private static JsonNode nested(int depth) {
        JsonNode node = NODES.numberNode(1);
        for (int i = 0; i < depth; i++) {
            node = i % 2 == 0 ? NODES.arrayNode().add(node) : NODES.objectNode().set("a", node);
        }
        return node;
    }

    private Gen<String> hostile;

    private Gen<String> hostileStrings() {
        if (hostile == null) {
            hostile = Gen.oneOf(
                    Gen.strings('\u0000', '\uffff', 40),
                    Gen.strings('\u0000', '\u001f', 10),
                    Gen.strings('\ud800', '\udfff', 4),
                    Gen.of("", " ", "\t", "..", "../../../etc/passwd", "..\\..\\x", "%2F", "/", "\u0000",
                            "\u202e", "😀", "\ud83d", "\udc00", "ǅ", "İı", "e\u0301", "null", "true", "0", "-1",
                            "NaN", "Infinity", "${jndi:ldap://x/a}", "%s%n", "<script>", "' OR 1=1 --", "\"", "\\",
                            "{}", "[]", "a".repeat(129), "x".repeat(10_000), "elt_" + "A".repeat(22), "\r\n",
                            "worker-1", "vm1", "a:b", "a/b"));
        }
        return hostile;
    }

    private <T> T draw(Gen<T> gen) {
        return gen.next(random);
    }

    // ---- state ----------------------------------------------------------------------------------

    private String digest() {
        return redis.execute("EVAL", DIGEST, "0").toString();
    }

    private boolean sessionLive() {
        String state = redis.hash(String.class).hget(LeaseRecords.PREFIX + "vmc:session:" + worker.replace("%", "%25")
                .replace(":", "%3A") + ":" + resource, "state");
        return "active".equals(state);
    }

    // ---- the wire -------------------------------------------------------------------------------

    private static String envelopeProblem(Reply reply) {
        JsonNode body;
        try {
            body = JSON.readTree(reply.body);
        } catch (IOException e) {
            return "body is not JSON";
        }
        if (body == null) {
            return "empty body";
        }
        JsonNode error = body.path("error");
        if (!error.path("code").isTextual() || error.path("code").asText().isBlank()) {
            return "error.code";
        }
        if (!error.path("message").isTextual()) {
            return "error.message";
        }
        if (!error.path("details").isObject()) {
            return "error.details";
        }
        if (!error.path("timestamp").isTextual()) {
            return "error.timestamp";
        }
        return null;
    }

    /** An answer: status (0 if the connection closed without one), body bytes, de-chunked. */
    record Reply(int status, byte[] body) {
        String text(int max) {
            return clip(new String(body, StandardCharsets.UTF_8), max);
        }
    }

    private static Reply send(String method, String target, List<String[]> headers, byte[] body) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(30_000);
            ByteArrayOutputStream head = new ByteArrayOutputStream();
            head.writeBytes((method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n")
                    .getBytes(StandardCharsets.UTF_8));
            for (String[] h : headers) {
                head.writeBytes((h[0] + ": " + h[1] + "\r\n").getBytes(StandardCharsets.UTF_8));
            }
            if (body != null) {
                head.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            }
            head.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            try {
                out.write(head.toByteArray());
                if (body != null) {
                    out.write(body);
                }
                out.flush();
            } catch (IOException e) {
                // The server may answer and close before reading all of a refused body; read its answer.
            }
            return parse(socket.getInputStream().readAllBytes());
        }
    }

    private static Reply parse(byte[] raw) {
        String text = new String(raw, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.") || end < 0) {
            return new Reply(0, raw);
        }
        int status = Integer.parseInt(text.substring(9, 12));
        String head = text.substring(0, end).toLowerCase(Locale.ROOT);
        byte[] rest = java.util.Arrays.copyOfRange(raw, end + 4, raw.length);
        if (head.contains("transfer-encoding: chunked")) {
            rest = dechunk(rest);
        }
        return new Reply(status, rest);
    }

    private static byte[] dechunk(byte[] raw) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int i = 0;
        while (i < raw.length) {
            int lineEnd = i;
            while (lineEnd + 1 < raw.length && !(raw[lineEnd] == '\r' && raw[lineEnd + 1] == '\n')) {
                lineEnd++;
            }
            String size = new String(raw, i, lineEnd - i, StandardCharsets.US_ASCII).split(";")[0].trim();
            int n = size.isEmpty() ? 0 : Integer.parseInt(size, 16);
            if (n == 0) {
                break;
            }
            out.write(raw, lineEnd + 2, Math.min(n, raw.length - lineEnd - 2));
            i = lineEnd + 2 + n + 2;
        }
        return out.toByteArray();
    }

    private static String clip(String s, int max) {
        StringBuilder b = new StringBuilder();
        s.chars().limit(max + 1L).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? String.valueOf((char) c)
                : String.format("\\u%04x", c)));
        String printable = b.toString();
        return printable.length() <= max ? printable : printable.substring(0, max) + "...(" + s.length() + ")";
    }
}

package io.envgrid.deviceagent.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.EventListener;
import io.envgrid.deviceagent.support.FleetDesktops;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WithFleetDesktops;
import io.envgrid.testsupport.http.MalformedRequests;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent's doors that {@link DeviceAgentFuzzTest} does not reach (issue 11: no input ever yields a 5xx): a hosted
 * desktop's own port ({@code DesktopPorts}' proxy, {@code DesktopCallGate}, the desktop routes behind them) with and
 * without a lease token, {@code /mcp} (JSON-RPC), {@code /ws}, and request heads that are no valid HTTP on both kinds of
 * port. Seeded ({@code -Dfuzz.seed=…}, printed), about 200 requests in all (counts set by -Dfuzz.desktop-requests, -Dfuzz.mcp-requests, -Dfuzz.ws-connections).
 *
 * <p>Asserted: never a 5xx; every 4xx of an HTTP route is the error envelope, every {@code /mcp} error a JSON-RPC error
 * ({@code jsonrpc} 2.0, an {@code id}, an integer {@code error.code} and a string {@code error.message}); after every
 * refusal the agent's data directory (device records) and the lease are as they were; and at the end the lease's holder
 * still acts on its desktop, a new {@code /ws} listener still gets events and the agent still answers.
 */
@QuarkusTest
@WithAllocator
@WithFleetDesktops
class DoorsFuzzTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path DATA = Path.of("target", "test-data").toAbsolutePath();
    /** The OSWorld routes a desktop's port serves (each proxied to the agent's port with the desktop pinned). */
    private static final List<String> DESKTOP_ROUTES = List.of("/platform", "/screenshot", "/cursor_position",
            "/screen_size", "/execute", "/setup/execute", "/run_python", "/run_bash_script", "/list_directory", "/file",
            "/setup/upload", "/accessibility", "/start_recording", "/end_recording", "/obs_winagent", "/nope", "/",
            "/tools/device.list", "/mcp", "/ws", "/q/health");
    private static final List<String> METHODS = List.of("GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "HEAD",
            "BREW", "CONNECT", "TRACE");
    /** Commands a valid token may run: harmless (never a generated string). */
    private static final List<String> HARMLESS = List.of("{\"command\":\"true\",\"shell\":true}",
            "{\"command\":[\"echo\",\"x\"]}", "{\"code\":\"pass\"}", "{\"script\":\"true\"}");

    private static Lease lease;
    private static Hostile hostile;
    private static long seed;

    @TestHTTPResource("/ws")
    URI ws;

    @BeforeAll
    static void holdADesktop() {
        seed = Long.getLong("fuzz.seed", 5_310_214_447L);
        System.out.println("doors fuzz: seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        hostile = new Hostile(new Gen(seed));
        FleetLeases.awaitAllFree();
        lease = FleetLeases.allocate("doors-fuzz-worker");
    }

    @AfterAll
    static void giveItBack() {
        if (lease != null) {
            FleetLeases.release(lease);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // request heads that are no valid HTTP, and targets that are no URI, on the agent's port and a desktop's

    @Test
    void targetsThatAreNoUriAre400WithTheEnvelopeOnEveryPort() throws IOException {
        List<String> failures = new ArrayList<>();
        for (int port : new int[] {RestAssured.port, lease.port()}) {
            for (String path : List.of("/tools", "/platform", "/execute", "/mcp", "/resources/devices")) {
                for (String target : MalformedRequests.notUris(path)) {
                    for (List<Map.Entry<String, String>> credential : List.of(List.<Map.Entry<String, String>>of(),
                            List.of(Map.entry("X-Envgrid-Lease-Token", lease.token())))) {
                        String before = snapshot();
                        RawHttp.Response answer = RawHttp.send(port, new RawHttp.Request("POST", target, credential,
                                "{}".getBytes(StandardCharsets.UTF_8)));
                        String problem = answer.status() != 400 ? "status " + answer.status()
                                : envelopeProblem(answer.body());
                        if (problem == null && !before.equals(snapshot())) {
                            problem = "the refusal changed the data";
                        }
                        if (problem != null) {
                            failures.add(port + " POST " + target + (credential.isEmpty() ? "" : " (token)") + ": "
                                    + problem + " '" + cut(answer.body()) + "'");
                        }
                    }
                }
            }
        }
        for (int port : new int[] {RestAssured.port, lease.port()}) {
            for (String target : MalformedRequests.undecodable("/execute")) {
                String before = snapshot();
                RawHttp.Response answer = RawHttp.send(port, new RawHttp.Request("POST", target,
                        List.of(Map.entry("X-Envgrid-Lease-Token", lease.token())), "{}".getBytes(StandardCharsets.UTF_8)));
                String problem = answer.status() < 400 || answer.status() >= 500 ? "status " + answer.status()
                        : envelopeProblem(answer.body());
                if (problem == null && !before.equals(snapshot())) {
                    problem = "the refusal changed the data";
                }
                if (problem != null) {
                    failures.add(port + " POST " + target + ": " + problem + " '" + cut(answer.body()) + "'");
                }
            }
        }
        failures.forEach(f -> System.out.println("DOORS FUZZ FAILURE " + f));
        assertTrue(failures.isEmpty(), failures.size() + " failures: " + failures.stream().limit(8).toList());
        assertLeaseStillActs();
    }

    /**
     * {@link MalformedRequests#heads}' request line naming {@code HTTP/9.7}: Vert.x answers it 501 with no body inside
     * {@code HttpServerRequest.version()}, before any route of the agent can (an open item of the README's "Bad input";
     * RFC 9110 15.6.6 would have 505). Taken as that answer only, and it still must change nothing.
     */
    private static final String UNKNOWN_VERSION = "unknown protocol version";

    @Test
    void malformedHeadsAre4xxOnEveryPortAndChangeNothing() throws IOException {
        List<String> failures = new ArrayList<>();
        for (int port : new int[] {RestAssured.port, lease.port()}) {
            // with the credential each port takes: the request gets past the head's check to what reads its body
            Map.Entry<String, String> credential = port == RestAssured.port
                    ? Map.entry("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN)
                    : Map.entry("X-Envgrid-Lease-Token", lease.token());
            for (Map.Entry<String, byte[]> head : MalformedRequests.heads("/execute", credential).entrySet()) {
                String before = snapshot();
                RawHttp.Response answer;
                try {
                    answer = RawHttp.sendBytes(port, head.getValue());
                } catch (IOException e) {
                    if (!head.getKey().equals(MalformedRequests.UNANSWERED)) { // Vert.x closes it unanswered
                        failures.add(port + " " + head.getKey() + ": no answer (" + e.getMessage() + ")");
                    }
                    continue;
                }
                System.out.println("doors fuzz: port " + (port == RestAssured.port ? "agent" : "desktop") + ", '"
                        + head.getKey() + "': " + answer.status() + " '" + cut(answer.body()) + "'");
                boolean versionRefused = head.getKey().equals(UNKNOWN_VERSION) && answer.status() == 501
                        && answer.body().isEmpty();
                if ((answer.status() < 400 || answer.status() >= 500) && !versionRefused) {
                    failures.add(port + " " + head.getKey() + ": " + answer.status());
                } else if (!answer.body().isEmpty() && envelopeProblem(answer.body()) != null) {
                    failures.add(port + " " + head.getKey() + ": " + answer.status() + " not the envelope '"
                            + cut(answer.body()) + "'");
                }
                if (!before.equals(snapshot())) {
                    failures.add(port + " " + head.getKey() + ": changed the data");
                }
            }
        }
        assertTrue(failures.isEmpty(), failures.size() + " failures: " + failures);
        assertLeaseStillActs();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // a hosted desktop's own port

    @Test
    void aDesktopsPortAnswersNoInputWith5xxAndItsRefusalsChangeNothing() throws IOException {
        int requests = Integer.getInteger("fuzz.desktop-requests", 80);
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            boolean withToken = hostile.chance(0.3);
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            if (withToken) {
                headers.add(Map.entry("X-Envgrid-Lease-Token", lease.token()));
            } else {
                headers.addAll(hostileCredential());
            }
            if (hostile.chance(0.2)) {
                headers.add(Map.entry(hostile.pick(List.of("X-Envgrid-Desktop", "X-Envgrid-Desktop-Proxy", "Upgrade",
                        "Connection", "Expect", "Accept", "Transfer-Encoding", "Host")), hostile.headerValue()));
            }
            String method = hostile.chance(0.8) ? hostile.pick(List.of("GET", "POST")) : hostile.pick(METHODS);
            String target = hostile.pick(DESKTOP_ROUTES);
            if (hostile.chance(0.2)) {
                target += hostile.pick(List.of("/..", "/%2e%2e/tools", "?x=" + encode(hostile.string()), "/" + encode(
                        hostile.string()), "//", ";x", "?%25zz", "/%00"));
            }
            if (target.length() > 4000) {
                target = target.substring(0, 4000).replaceAll("%[0-9A-F]?$", "");
            }
            byte[] body = null;
            if (method.equals("POST") || hostile.chance(0.1)) {
                headers.add(Map.entry("Content-Type", hostile.chance(0.85) ? "application/json"
                        : hostile.pick(List.of("text/plain", "multipart/form-data; boundary=zz", "garbage",
                                "application/x-www-form-urlencoded"))));
                body = withToken ? hostileBodyForHolder() : hostileBody();
            }
            RawHttp.Request request = new RawHttp.Request(method, target, headers, body);
            String before = snapshot();
            RawHttp.Response answer;
            try {
                answer = RawHttp.send(lease.port(), request);
            } catch (IOException e) {
                failures.add("no answer (" + e.getMessage() + ") to " + cut(request.describe()));
                continue;
            }
            statuses.merge(answer.status(), 1, Integer::sum);
            if (answer.status() >= 500) {
                failures.add(answer.status() + " '" + cut(answer.body()) + "' to " + cut(request.describe()));
            } else if (answer.status() >= 400) {
                String problem = method.equals("HEAD") ? null : envelopeProblem(answer.body());
                if (problem != null && target.startsWith("/mcp") && rpcProblem(answer) == null) {
                    problem = null; // /mcp refuses in JSON-RPC (McpMessageCheck); the port's own refusals are the envelope
                }
                if (problem != null) {
                    failures.add(answer.status() + " without the envelope (" + problem + ") '" + cut(answer.body())
                            + "' to " + cut(request.describe()));
                }
                if (!before.equals(snapshot())) {
                    failures.add(answer.status() + " changed the data: " + cut(request.describe()));
                }
            }
        }
        System.out.println("doors fuzz: desktop port, " + requests + " requests, statuses " + statuses);
        failures.forEach(f -> System.out.println("DOORS FUZZ FAILURE " + f));
        assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + seed + "): "
                + failures.stream().limit(5).toList());
        assertLeaseStillActs();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // /mcp

    @Test
    void mcpAnswersGarbageWithJsonRpcErrorsNever5xx() throws IOException {
        String session = initialize();
        int requests = Integer.getInteger("fuzz.mcp-requests", 80);
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            headers.add(Map.entry("Content-Type", hostile.chance(0.9) ? "application/json"
                    : hostile.pick(List.of("text/plain", "garbage", "application/json; charset=nonsense"))));
            headers.add(Map.entry("Accept", hostile.chance(0.9) ? "application/json, text/event-stream"
                    : hostile.pick(List.of("text/html", "*/*", "application/json", hostile.headerValue()))));
            if (hostile.chance(0.7)) {
                headers.add(Map.entry("Mcp-Session-Id", hostile.chance(0.8) ? session : hostile.headerValue()));
            }
            if (hostile.chance(0.3)) {
                headers.add(Map.entry("Authorization", hostile.chance(0.5) ? "Bearer " + AgentCalls.SERVICE_TOKEN
                        : "Bearer " + hostile.headerValue()));
            }
            // no GET: with a session it opens the server's event stream, which stays open by design
            String method = hostile.chance(0.9) ? "POST" : hostile.pick(List.of("DELETE", "PUT", "PATCH"));
            byte[] body = method.equals("POST") || hostile.chance(0.2) ? rpcBody() : null;
            RawHttp.Request request = new RawHttp.Request(method, "/mcp", headers, body);
            String before = snapshot();
            RawHttp.Response answer;
            try {
                answer = RawHttp.send(RestAssured.port, request);
            } catch (IOException e) {
                failures.add("no answer (" + e.getMessage() + ") to " + cut(request.describe()));
                continue;
            }
            statuses.merge(answer.status(), 1, Integer::sum);
            String problem = answer.status() >= 500 ? "a " + answer.status() : rpcProblem(answer);
            if (problem == null && answer.status() >= 400 && !before.equals(snapshot())) {
                problem = "the refusal changed the data";
            }
            if (problem != null) {
                failures.add(problem + ": " + answer.status() + " '" + cut(answer.body()) + "' to "
                        + cut(request.describe()));
            }
        }
        System.out.println("doors fuzz: /mcp, " + requests + " requests, statuses " + statuses);
        failures.forEach(f -> System.out.println("DOORS FUZZ FAILURE " + f));
        assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + seed + "): "
                + failures.stream().limit(5).toList());
        assertEquals(200, RawHttp.send(RestAssured.port, "GET", "/q/health/live", null, null).status());
    }

    /** Opens an MCP session; its id (the Mcp-Session-Id header of the answer). */
    private static String initialize() throws IOException {
        RawHttp.Response answer = RawHttp.send(RestAssured.port, "POST", "/mcp", "application/json",
                Map.of("Accept", "application/json, text/event-stream"), ("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":"
                        + "\"initialize\",\"params\":{\"protocolVersion\":\"2025-03-26\",\"capabilities\":{},"
                        + "\"clientInfo\":{\"name\":\"doors-fuzz\",\"version\":\"1\"}}}").getBytes(StandardCharsets.UTF_8));
        assertEquals(200, answer.status(), answer.body());
        String session = answer.headers().entrySet().stream().filter(h -> h.getKey().equalsIgnoreCase("Mcp-Session-Id"))
                .map(Map.Entry::getValue).findFirst().orElseThrow(() -> new AssertionError("no session: " + answer.headers()));
        RawHttp.send(RestAssured.port, "POST", "/mcp", "application/json", Map.of("Accept",
                "application/json, text/event-stream", "Mcp-Session-Id", session),
                "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}".getBytes(StandardCharsets.UTF_8));
        return session;
    }

    private byte[] rpcBody() throws IOException {
        switch (hostile.random().nextInt(10)) {
            case 0:
                return hostile.brokenJson().getBytes(StandardCharsets.UTF_8);
            case 1:
                return hostile.invalidUtf8Json();
            case 2:
                return JSON.writeValueAsBytes(hostile.json(3));
            case 3:
                return new byte[0];
            default:
                break;
        }
        Map<String, Object> message = new LinkedHashMap<>();
        if (hostile.chance(0.9)) {
            message.put("jsonrpc", hostile.chance(0.85) ? "2.0" : hostile.json(1));
        }
        if (hostile.chance(0.85)) {
            message.put("id", hostile.chance(0.6) ? hostile.random().nextInt(1000) : hostile.json(1));
        }
        String rpcMethod = hostile.pick(List.of("tools/list", "tools/call", "resources/list", "resources/read",
                "resources/templates/list", "prompts/list", "ping", "initialize", "logging/setLevel", "completion/complete",
                "notifications/cancelled", "nope", ""));
        message.put("method", hostile.chance(0.9) ? rpcMethod : hostile.json(1));
        if (hostile.chance(0.8)) {
            Map<String, Object> params = new LinkedHashMap<>();
            if (rpcMethod.equals("tools/call")) {
                params.put("name", hostile.chance(0.6) ? hostile.pick(List.of("device.list", "device.info",
                        "device.status", "device.execute", "nope")) : hostile.json(1));
                params.put("arguments", hostile.chance(0.7) ? Map.of("device_id", hostile.chance(0.5) ? "test-host"
                        : hostile.string()) : hostile.json(2));
            } else if (rpcMethod.equals("resources/read")) {
                params.put("uri", hostile.chance(0.5) ? hostile.pick(List.of("mcp://test-devices/devices",
                        "mcp://test-devices/devices/linux/test-host/files", "mcp://test-devices/../../etc", "file:///etc/passwd"))
                        : hostile.json(1));
            } else if (hostile.chance(0.5)) {
                params.put(hostile.string(), hostile.json(2));
            }
            message.put("params", hostile.chance(0.9) ? params : hostile.json(1));
        }
        Object whole = hostile.chance(0.1) ? List.of(message, message) : message;
        return JSON.writeValueAsBytes(whole);
    }

    /**
     * Null when {@code answer} is a JSON-RPC answer of the right shape: JSON (or server-sent events of it) whose every
     * message is a result or an error with an integer code and a string message; an empty body only for 202 (a
     * notification taken) or a 2xx without content.
     */
    private static String rpcProblem(RawHttp.Response answer) {
        String body = answer.body();
        if (body.isBlank()) {
            return answer.status() < 300 ? null : "an empty " + answer.status();
        }
        List<String> messages = new ArrayList<>();
        if (body.startsWith("data:") || body.startsWith("event:") || body.startsWith("id:") || body.startsWith(":")) {
            for (String line : body.split("\n")) {
                if (line.startsWith("data:")) {
                    messages.add(line.substring(5).strip());
                }
            }
        } else {
            messages.add(body);
        }
        for (String text : messages) {
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (IOException e) {
                return "not JSON";
            }
            for (JsonNode message : node.isArray() ? node : List.of(node)) {
                if (!"2.0".equals(message.path("jsonrpc").asText())) {
                    return "no jsonrpc 2.0";
                }
                if (message.has("error")) {
                    JsonNode error = message.get("error");
                    if (!message.has("id") || !error.path("code").isIntegralNumber() || !error.path("message").isTextual()) {
                        return "not a JSON-RPC error";
                    }
                } else if (!message.has("result") && !message.has("method")) {
                    return "neither result nor error";
                } else if (answer.status() >= 400) {
                    return "a " + answer.status() + " with a result";
                }
            }
        }
        return null;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // /ws

    @Test
    void wsSurvivesGarbageFramesAndBadUpgradesAndStillServesOthers() throws Exception {
        List<String> failures = new ArrayList<>();
        try (EventListener bystander = EventListener.open(ws)) {
            // bad upgrade requests: each a 4xx (or a plain answer), never a 5xx
            Map<String, String> badUpgrades = new LinkedHashMap<>();
            badUpgrades.put("no key", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Version: 13\r\n\r\n");
            badUpgrades.put("version 99", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key() + "\r\nSec-WebSocket-Version: 99\r\n\r\n");
            badUpgrades.put("no upgrade", "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
            badUpgrades.put("POST upgrade", "POST /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: " + key() + "\r\nSec-WebSocket-Version: 13\r\nContent-Length: 2\r\n\r\n{}");
            badUpgrades.put("upgrade to h2c", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nConnection: Upgrade, "
                    + "HTTP2-Settings\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\n");
            badUpgrades.put("key of garbage", "GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                    + "Sec-WebSocket-Key: \u00ff\u00fe!!\r\nSec-WebSocket-Version: 13\r\n\r\n");
            badUpgrades.put("upgrade below /ws", "GET /ws/%zz HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: "
                    + "Upgrade\r\nSec-WebSocket-Key: " + key() + "\r\nSec-WebSocket-Version: 13\r\n\r\n");
            for (Map.Entry<String, String> upgrade : badUpgrades.entrySet()) {
                int status = statusOf(upgrade.getValue().getBytes(StandardCharsets.ISO_8859_1));
                System.out.println("doors fuzz: /ws " + upgrade.getKey() + ": " + status);
                if (status >= 500 || status < 100) {
                    failures.add("/ws " + upgrade.getKey() + ": " + status);
                }
            }
            // garbage frames after a real upgrade: the connection may be closed, the agent must stay up
            int frames = Integer.getInteger("fuzz.ws-connections", 20);
            for (int i = 0; i < frames; i++) {
                try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
                    socket.setSoTimeout(5_000);
                    OutputStream out = socket.getOutputStream();
                    out.write(("GET /ws HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: " + key() + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                            .getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    String status = statusLine(socket.getInputStream());
                    if (!status.contains(" 101 ")) {
                        failures.add("/ws upgrade answered '" + status + "'");
                        continue;
                    }
                    try {
                        out.write(garbageFrame());
                        out.flush();
                    } catch (IOException closed) {
                        // the agent closed the connection on a protocol error: what it should do
                    }
                }
            }
            // the bystander still gets events, a new listener can connect, the agent still answers
            String id = AgentCalls.createDevice("android");
            bystander.await("system_event", d -> d.path("event").asText().equals("device_created")
                    && d.path("device_id").asText().equals(id));
            try (EventListener late = EventListener.open(ws)) {
                AgentCalls.call("device.delete", Map.of("device_id", id)).statusCode(200);
                late.await("system_event", d -> d.path("device_id").asText().equals(id));
            }
        }
        assertTrue(failures.isEmpty(), failures.toString());
        assertEquals(200, RawHttp.send(RestAssured.port, "GET", "/q/health/live", null, null).status());
    }

    /** One WebSocket frame of a hostile kind: text, binary, unmasked, a bad opcode, a huge declared length, noise. */
    private byte[] garbageFrame() {
        int kind = hostile.random().nextInt(8);
        byte[] payload = switch (kind) {
            case 0 -> hostile.string().getBytes(StandardCharsets.UTF_8);
            case 1 -> hostile.bytes(hostile.random().nextInt(70_000));
            default -> hostile.bytes(hostile.random().nextInt(200));
        };
        return switch (kind) {
            case 0 -> frame(0x81, payload, true); // text
            case 1 -> frame(0x82, payload, true); // binary, up to 70 KB
            case 2 -> frame(0x81, payload, false); // unmasked from a client: a protocol error
            case 3 -> frame(0x80 | (3 + hostile.random().nextInt(5)), payload, true); // reserved opcode
            case 4 -> new byte[] {(byte) 0x82, (byte) 0xff, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff,
                (byte) 0xff, (byte) 0xff, (byte) 0xff, 1, 2, 3, 4}; // declares 2^63 - 1 bytes
            case 5 -> frame(0x01, payload, true); // a fragment never finished
            case 6 -> frame(0x89, hostile.bytes(200), true); // a ping over the 125-byte control frame limit
            default -> payload; // no frame at all
        };
    }

    private static byte[] frame(int first, byte[] payload, boolean masked) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(first);
        int mask = masked ? 0x80 : 0;
        if (payload.length < 126) {
            out.write(mask | payload.length);
        } else if (payload.length < 65_536) {
            out.write(mask | 126);
            out.write(payload.length >>> 8);
            out.write(payload.length & 0xff);
        } else {
            out.write(mask | 127);
            for (int shift = 56; shift >= 0; shift -= 8) {
                out.write((int) ((long) payload.length >>> shift) & 0xff);
            }
        }
        byte[] key = {1, 2, 3, 4};
        if (masked) {
            out.writeBytes(key);
        }
        for (int i = 0; i < payload.length; i++) {
            out.write(masked ? payload[i] ^ key[i % 4] : payload[i]);
        }
        return out.toByteArray();
    }

    private String key() {
        return Base64.getEncoder().encodeToString(hostile.bytes(16));
    }

    /** The status of the answer to {@code request}, sent raw; 0 when the connection closed without one. */
    private static int statusOf(byte[] request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            String line = statusLine(socket.getInputStream());
            return line.length() >= 12 ? Integer.parseInt(line.substring(9, 12)) : 0;
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        int c;
        while ((c = in.read()) != -1 && c != '\n') {
            line.append((char) c);
        }
        // the rest of the head
        int matched = 0;
        while (matched < 3 && (c = in.read()) != -1) {
            matched = c == (matched % 2 == 0 ? '\r' : '\n') ? matched + 1 : (c == '\r' ? 1 : 0);
        }
        return line.toString().strip();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // shared checks

    /** The lease's holder still acts on its desktop, and the allocator still has it leased. */
    private static void assertLeaseStillActs() {
        assertEquals("leased", FleetLeases.state(lease.resourceId()));
        assertEquals(200, lease.call().get("/platform").statusCode());
    }

    /** Null when {@code body} is the error envelope {@code {"error":{"code","message","details","timestamp"}}}. */
    static String envelopeProblem(String body) {
        try {
            JsonNode error = JSON.readTree(body.isEmpty() ? "{}" : body).path("error");
            return error.path("code").isTextual() && error.path("message").isTextual() && error.path("details").isObject()
                    && error.path("timestamp").isTextual() ? null : "not the envelope";
        } catch (IOException e) {
            return "not JSON";
        }
    }

    /** Every file of the agent's data directory (device records, borrows), by name and SHA-256 of its content. */
    private static String snapshot() {
        if (!Files.isDirectory(DATA)) {
            return "";
        }
        try (Stream<Path> files = Files.walk(DATA)) {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                digest.update(DATA.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
                try {
                    digest.update(Files.readAllBytes(file));
                } catch (IOException gone) {
                    digest.update((byte) 0); // removed while walking: a change the comparison will show
                }
            }
            return HexFormat.of().formatHex(digest.digest()) + " leased=" + FleetLeases.state(lease.resourceId());
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private List<Map.Entry<String, String>> hostileCredential() {
        return switch (hostile.random().nextInt(6)) {
            case 0 -> List.of();
            case 1 -> List.of(Map.entry("X-Envgrid-Lease-Token", hostile.headerValue()));
            case 2 -> List.of(Map.entry("X-Envgrid-Lease-Token", "elt_" + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(hostile.bytes(16)).substring(0, 22)));
            case 3 -> List.of(Map.entry("Authorization", "Bearer " + hostile.headerValue()));
            case 4 -> List.of(Map.entry("X-Envgrid-Lease-Token", lease.token() + "x"));
            default -> List.of(Map.entry("X-Envgrid-Lease-Token", hostile.headerValue()), Map.entry("X-Envgrid-Lease-Token",
                    lease.token()));
        };
    }

    /** A body for a caller without the lease: anything at all (it must be refused before it runs). */
    private byte[] hostileBody() throws IOException {
        return switch (hostile.random().nextInt(4)) {
            case 0 -> hostile.brokenJson().getBytes(StandardCharsets.UTF_8);
            case 1 -> hostile.invalidUtf8Json();
            default -> JSON.writeValueAsBytes(hostile.json(3));
        };
    }

    /** A body for the lease's holder: malformed, or a harmless command. */
    private byte[] hostileBodyForHolder() throws IOException {
        return switch (hostile.random().nextInt(4)) {
            case 0 -> hostile.brokenJson().getBytes(StandardCharsets.UTF_8);
            case 1 -> hostile.invalidUtf8Json();
            case 2 -> hostile.pick(HARMLESS).getBytes(StandardCharsets.UTF_8);
            default -> JSON.writeValueAsBytes(Map.of(hostile.pick(List.of("command", "code", "script", "path",
                    "file_path")), hostile.chance(0.5) ? hostile.json(2) : 12));
        };
    }

    private static String encode(String value) {
        return DeviceAgentFuzzTest.encodeSegment(value);
    }

    private static String cut(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }
}

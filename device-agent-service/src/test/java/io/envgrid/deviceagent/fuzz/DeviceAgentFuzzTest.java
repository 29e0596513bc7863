package io.envgrid.deviceagent.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.envgrid.deviceagent.fuzz.OpenApiOperations.Operation;
import io.envgrid.deviceagent.fuzz.OpenApiOperations.Param;
import io.envgrid.deviceagent.support.AgentCalls;
import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.HostDeviceLeases;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.WorkerScratch;
import io.envgrid.testsupport.http.MalformedRequests;
import io.envgrid.testsupport.http.RawHttp;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.RestAssured;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Fuzzes every public route of the agent (issue 11: "no input makes any service answer 5xx"). Requests are generated
 * from the running agent's own OpenAPI document ({@code /q/openapi?format=json}: paths, methods, path/query/header
 * parameters, request-body schemas) and tool registry ({@code GET /tools}: every tool's input schema, called through
 * {@code POST /tools/{name}/call}, {@code POST /tools/{name}} and {@code GET /tools/{name}?…}), with schema-valid and
 * schema-violating values and the hostile values of {@link Hostile}, all drawn from one seeded {@link Gen}. Credentials vary: none, the service token, a wrong bearer token, malformed and invented lease
 * tokens. Runs against the real allocator (on a real Redis) and a real Xvfb desktop, with its own data directory.
 *
 * <p>Asserted for every request: no 5xx; every 4xx is the envelope {@code {"error":{"code","message","details",
 * "timestamp"}}}; after every 4xx the data directory and the desktop's scratch directory (names and contents) are
 * unchanged. Harmless by construction: commands on the desktop and devices come only from a fixed set
 * ({@code true}, {@code echo x}) or are malformed; desktop uploads write only inside the scratch directory; listings
 * only of the scratch directory or of paths that are not directories.
 *
 * <p>The seed is printed; {@code -Dfuzz.seed=…} replays a run, {@code -Dfuzz.requests=…} sets its length.
 */
@QuarkusTest
@WithAllocator
@TestProfile(DeviceAgentFuzzTest.Fuzz.class)
class DeviceAgentFuzzTest {

    static final Path DATA = Path.of("target", "fuzz-data").toAbsolutePath();
    static final Path SCRATCH = Path.of("target", "fuzz-desktop").toAbsolutePath();
    /**
     * Where a root agent binds its workers' mount namespaces below the data directory (the host device's disk,
     * {@code fleet/DesktopDisk}): files of nsfs, left out of {@link #snapshot()}.
     */
    private static final Path NAMESPACE_FILES = Path.of(".disk", ".ns");

    /** Its own data directory (emptied first), and no rate limit: calls without a token must reach the routes. */
    public static class Fuzz implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            deleteTree(DATA);
            return Map.of("envgrid.device-agent.data-dir", DATA.toString(),
                    "envgrid.device-agent.rate-limit-per-minute", "100000000");
        }
    }

    /** Routes that start processes on the host: only harmless commands or malformed bodies are sent. */
    private static final Set<String> COMMAND_ROUTES = Set.of("/execute", "/setup/execute", "/setup/launch");
    private static final List<Object> HARMLESS_COMMANDS = List.of("true", "echo x", List.of("true"), List.of("echo", "x"),
            "echo \u00e9\u4e2d");
    /** Discovered devices are not deleted: discovery would create them again, concurrently with later requests. */
    private static final Set<String> DISCOVERED = Set.of("test-host", "emulator-5554");
    /** Resets the agent's state 5 s later, concurrently with later requests; covered by ToolsApiTest instead. */
    private static final Set<String> NOT_GENERATED_TOOLS = Set.of("system.restart");
    private static final List<String> WRONG_CONTENT_TYPES = List.of("text/plain", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=zz", "application/json; charset=ISO-8859-1",
            "garbage", "application/json; charset=nonsense", "*/*", "");
    private static final List<String> ODD_METHODS = List.of("PUT", "DELETE", "PATCH", "OPTIONS", "HEAD");

    /** The documented 503 answers of a dependency that is down: the allocator, or a device that is not attached. */
    private static final java.util.regex.Pattern DEPENDENCY_DOWN = java.util.regex.Pattern.compile(
            "\"code\":\"(ALLOCATOR_UNAVAILABLE|DEVICE_CONNECTION_FAILED)\"");

    /** Request targets stay under Vert.x's 4096-byte initial-line limit (method and protocol take the rest). */
    private static final int MAX_TARGET = 4000;

    private final ObjectMapper json = new ObjectMapper();
    private final ObjectMapper asciiJson = JsonMapper.builder().enable(JsonGenerator.Feature.ESCAPE_NON_ASCII).build();

    private Hostile hostile;
    private List<Operation> operations;
    private Map<String, JsonNode> tools;
    private final List<String> deviceIds = new ArrayList<>(List.of("test-host", "emulator-5554"));

    @Test
    void noInputAnswers5xxEvery4xxIsTheEnvelopeAndRefusalsChangeNothing() throws Exception {
        long seed = Long.getLong("fuzz.seed", 7811571761262L); // fixed so a run is reproducible; -Dfuzz.seed=N explores
        int requests = Integer.getInteger("fuzz.requests", 800);
        long budgetNanos = Long.getLong("fuzz.seconds", 240) * 1_000_000_000L; // a safety cap: the run is measured in requests
        System.out.println("device-agent fuzz: seed " + seed + " (replay with -Dfuzz.seed=" + seed + ")");
        hostile = new Hostile(new Gen(seed));
        prepare();
        fuzz(seed, requests, budgetNanos);
    }

    private void fuzz(long seed, int requests, long budgetNanos) throws IOException {

        int port = RestAssured.port;
        List<String> failures = new ArrayList<>();
        Map<Integer, Integer> statuses = new TreeMap<>();
        int sent = 0;
        int fiveHundreds = 0;
        int dependencyDown = 0;
        long start = System.nanoTime();
        while (sent < requests && System.nanoTime() - start < budgetNanos) {
            RawHttp.Request request = next();
            String before = snapshot();
            RawHttp.Response response;
            try {
                response = RawHttp.send(port, request);
            } catch (IOException e) {
                failures.add("no answer (" + e.getMessage() + ") to " + request.describe());
                sent++;
                continue;
            }
            sent++;
            statuses.merge(response.status(), 1, Integer::sum);
            coverage.computeIfAbsent(lastTarget, k -> new TreeMap<>()).merge(response.status(), 1, Integer::sum);
            if (response.status() == 503 && DEPENDENCY_DOWN.matcher(response.body()).find()) {
                dependencyDown++; // documented: a device record whose device is not attached (a hostile create)
            } else if (response.status() >= 500) {
                fiveHundreds++;
                failures.add(response.status() + " " + cut(response.body()) + " to " + request.describe());
            } else if (transportRequest && (response.status() < 400 || !before.equals(snapshot()))) {
                failures.add(response.status() + " to a request that is not valid HTTP, or it changed the data: "
                        + request.describe());
            } else if (response.status() >= 400 && !transportRequest) {
                String envelope = envelopeProblem(request, response);
                if (envelope != null) {
                    failures.add(response.status() + " without the envelope (" + envelope + "): " + cut(response.body())
                            + " to " + request.describe());
                }
                if (!before.equals(snapshot())) {
                    failures.add(response.status() + " refused but changed the data: " + cut(response.body()) + " to "
                            + request.describe());
                }
            }
        }
        finish();
        System.out.println("device-agent fuzz: " + sent + " requests, " + fiveHundreds + " 5xx"
                + (dependencyDown == 0 ? "" : " (besides " + dependencyDown + " documented 503 of a dependency down)")
                + "; statuses " + statuses);
        coverage.forEach((target, byStatus) -> System.out.println("device-agent fuzz:   " + target + " " + byStatus));
        failures.sort(Comparator.comparing((String f) -> !f.startsWith("5")));
        Files.write(Path.of("target", "fuzz-failures.txt"), failures, StandardCharsets.UTF_8);
        failures.stream().limit(25).forEach(f -> System.out.println("FUZZ FAILURE " + cut(f)));
        assertTrue(failures.isEmpty(), failures.size() + " failures (seed " + seed + "), first: "
                + failures.stream().limit(5).toList());
        assertTrue(sent >= Math.min(requests, 300), "only " + sent + " requests in the time budget");
    }

    /** Fixtures: the discovered devices, a device of a type without driver, the spec and the tools. */
    private void prepare() throws IOException {
        deleteTree(SCRATCH);
        WorkerScratch.create(SCRATCH); // uploads there are written as the desktop's unprivileged user
        Conditions.await(() -> AgentCalls.asService().get("/tools/device.list").asString().contains("emulator-5554"),
                "discovery created the stand-in emulator's record");
        if (AgentPrivileges.isRoot()) {
            // a root agent resets the host device and the attached desktop at its start and registers each once it is
            // done: a fuzzed call meeting that reset would be refused for a reason the fuzz does not vary
            HostDeviceLeases.awaitFree();
            Conditions.await(() -> "free".equals(FleetLeases.state(RealAllocator.AGENT_ID + ":desktop")),
                    "the attached desktop reset and registered", Duration.ofSeconds(60));
        }
        String ios = "fuzz-ios-1";
        AgentCalls.call("device.create", Map.of("device_id", ios, "name", "n", "type", "ios", "sku", "s", "cpu_type", "arm64"))
                .statusCode(200);
        deviceIds.add(ios);
        Files.writeString(DATA.resolve("devices").resolve("linux").resolve("test-host").resolve("files").resolve("a.txt"),
                "fuzz", StandardCharsets.UTF_8);
        JsonNode document = json.readTree(AgentCalls.asService().get("/q/openapi?format=json").asString());
        operations = OpenApiOperations.of(document);
        tools = new LinkedHashMap<>();
        for (JsonNode tool : json.readTree(AgentCalls.asService().get("/tools").asString())) {
            tools.put(tool.get("name").asText(), tool.get("inputSchema"));
        }
        assertTrue(tools.size() >= 16, "the registry lists its tools: " + tools.keySet());
        assertTrue(operations.size() >= 20, "the OpenAPI document lists the routes: " + operations);
    }

    /** Stops a recording a fuzz call may have started. */
    private void finish() {
        AgentCalls.asService().post("/end_recording");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // generation

    /**
     * Requests that are not valid HTTP: Vert.x's codec answers them (400, 414, 431, empty body, connection closed)
     * before any route or filter of the agent runs, and Quarkus offers no hook to shape that answer. For these only
     * "a 4xx and nothing changed" is asserted, not the envelope (README, "Fuzzing").
     */
    static final List<RawHttp.Request> TRANSPORT = List.of(
            transport("GET", "/resources/devices/ios/${jndi:ldap://x}", List.of()),
            transport("POST", "/execute?x=" + "A".repeat(5000), List.of(Map.entry("Content-Type", "application/json"))),
            transport("GET", "/tools", List.of(Map.entry("X-Big", "A".repeat(30_000)))),
            transport("GET", "/tools", List.of(Map.entry("X-Ctl", "a\u0001b"))),
            transport("POST", "/tools/device.delete/call", List.of(Map.entry("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN
                    + "\u0000"), Map.entry("Content-Type", "application/json"))));

    private static RawHttp.Request transport(String method, String target, List<Map.Entry<String, String>> headers) {
        return new RawHttp.Request(method, target, headers,
                "{\"device_id\":\"fuzz-ios-1\"}".getBytes(StandardCharsets.UTF_8));
    }

    /** Answers per operation (and tool) for the coverage summary, and the key of the request {@link #next} built last. */
    private final Map<String, Map<Integer, Integer>> coverage = new TreeMap<>();
    private String lastTarget;

    /** Whether the request {@link #next} returned last is one of {@link #TRANSPORT}. */
    private boolean transportRequest;

    private RawHttp.Request next() throws IOException {
        transportRequest = hostile.chance(0.02);
        if (transportRequest) {
            lastTarget = "(not valid HTTP)";
            return hostile.pick(TRANSPORT);
        }
        // tool calls reach the device records and drivers, where most of the agent's logic is: weighted up
        List<Operation> toolCalls = operations.stream().filter(o -> o.path().startsWith("/tools/{")).toList();
        Operation operation = hostile.chance(0.45) ? hostile.pick(toolCalls) : hostile.pick(operations);
        List<Map.Entry<String, String>> headers = new ArrayList<>(credentials());
        String method = hostile.chance(0.05) ? hostile.pick(ODD_METHODS) : operation.method();
        String tool = hostile.pick(new ArrayList<>(tools.keySet().stream().filter(t -> !NOT_GENERATED_TOOLS.contains(t))
                .toList()));
        String path = path(operation, tool);
        lastTarget = operation.key() + (path.startsWith("/tools/" + tool) ? " " + tool : "");
        StringBuilder query = new StringBuilder();
        if (operation.path().equals("/tools/{name}") && operation.method().equals("GET")) {
            arguments(tool).forEach((k, v) -> appendQuery(query, k, v instanceof String s ? s : String.valueOf(v)));
        }
        for (Param param : operation.params()) {
            if (param.in().equals("query") && hostile.chance(0.8)) {
                appendQuery(query, param.name(), String.valueOf(value(param.schema(), 2)));
            } else if (param.in().equals("header") && hostile.chance(0.8)) {
                headers.add(Map.entry(param.name(), hostile.headerValue()));
            }
        }
        if (hostile.chance(0.15)) {
            appendQuery(query, hostile.string(), hostile.string());
        }
        if (hostile.chance(0.05)) {
            query.append(query.isEmpty() ? "" : "&").append(hostile.pick(List.of("%25zz", "a=%25", "=x", "&&", "a=%00", "a[]=1", "a=1&a=2")));
        }
        if (hostile.chance(0.1)) {
            headers.add(Map.entry(hostile.pick(List.of("Accept", "Accept-Charset", "X-Forwarded-For", "Origin", "Cookie",
                    "Accept-Encoding", "X-Envgrid-Worker-Id")), hostile.headerValue()));
        }
        byte[] body = new byte[0];
        String contentType = null;
        if (!operation.bodies().isEmpty() || hostile.chance(0.1)) {
            String declared = operation.bodies().isEmpty() ? "application/json"
                    : hostile.pick(new ArrayList<>(operation.bodies().keySet()));
            contentType = hostile.chance(0.92) ? declared : hostile.pick(WRONG_CONTENT_TYPES);
            body = body(operation, tool, declared, contentType);
            if (body == null) { // the body builder chose its own content type (multipart with a boundary)
                contentType = multipartType;
                body = multipartBody;
            }
        }
        if (contentType != null && !contentType.isEmpty()) {
            headers.add(Map.entry("Content-Type", contentType));
        }
        String target = path + (query.isEmpty() ? "" : "?" + query);
        if (hostile.chance(0.03)) {
            // a target that is no URI: the agent's own first route refuses it, with the envelope (was an empty 400)
            target = hostile.pick(MalformedRequests.notUris(path));
        }
        if (target.length() > MAX_TARGET) {
            // longer request lines are refused by Vert.x's HTTP codec (414) before any route runs: see the README
            target = target.substring(0, MAX_TARGET);
            int percent = target.lastIndexOf('%');
            target = percent >= MAX_TARGET - 2 ? target.substring(0, percent) : target;
        }
        return new RawHttp.Request(method, target, headers, body);
    }

    private List<Map.Entry<String, String>> credentials() {
        return switch (hostile.random().nextInt(20)) {
            case 0, 1, 2, 3, 4 -> List.of();
            case 5, 6 -> List.of(Map.entry("Authorization", "Bearer " + hostile.headerValue()));
            case 7 -> List.of(Map.entry("Authorization", hostile.headerValue()));
            case 8, 9 -> List.of(Map.entry("X-Envgrid-Lease-Token", hostile.headerValue()));
            case 10, 11 -> List.of(Map.entry("X-Envgrid-Lease-Token", "elt_" + Base64.getUrlEncoder().withoutPadding()
                    .encodeToString(hostile.bytes(16)).substring(0, 22)));
            default -> List.of(Map.entry("Authorization", "Bearer " + AgentCalls.SERVICE_TOKEN));
        };
    }

    /** The operation's path with each {param} replaced: a real tool or device, or a hostile segment. */
    private String path(Operation operation, String tool) {
        String path = operation.path();
        for (Param param : operation.params()) {
            if (!param.in().equals("path")) {
                continue;
            }
            String value;
            boolean raw = false;
            if (param.name().equals("name") && hostile.chance(0.8)) {
                value = tool;
            } else if (param.name().equals("uri") && hostile.chance(0.6)) {
                value = hostile.pick(List.of("devices", "devices/ios", "devices/linux/test-host/device.json", "tools",
                        "status", "mcp://test-devices/devices/android/emulator-5554/logs", "devices/ios/fuzz-ios-1/files",
                        "devices/ios/" + encodeSegment(hostile.string()), "mcp://test-devices/", "devices/../../etc"));
                raw = true;
            } else if (hostile.chance(0.25)) {
                value = hostile.pick(List.of("%2F", "..", "%2e%2e", "a%2Fb", "%2500", "%00", "%25", "..%2F..%2Fetc%2Fpasswd",
                        "a/b/c", "%C0%AF", "%ED%A0%80", ";x", "%3B", "~"));
                raw = true;
            } else {
                value = hostile.string();
            }
            path = path.replaceAll("\\{" + param.name() + "(:[^}]*)?}", java.util.regex.Matcher.quoteReplacement(
                    raw ? value : encodeSegment(value)));
        }
        if (hostile.chance(0.03)) {
            path = hostile.pick(List.of("/nope", "/tools/device.list/call/extra", "/" + encodeSegment(hostile.string()),
                    "/resources/", "//tools", "/tools/../tools", "/%2e%2e/etc/passwd", "/.hidden", "/tools%2Fdevice.list"));
        }
        return path.isEmpty() ? "/" : path;
    }

    /** RFC 3986 percent-encoding of a path segment (everything but unreserved characters). */
    static String encodeSegment(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            char c = (char) (b & 0xff);
            if (c < 128 && (Character.isLetterOrDigit(c) || "-._~".indexOf(c) >= 0)) {
                out.append(c);
            } else {
                out.append('%').append(String.format("%02X", b & 0xff));
            }
        }
        return out.toString();
    }

    private static void appendQuery(StringBuilder query, String key, String value) {
        query.append(query.isEmpty() ? "" : "&").append(URLEncoder.encode(key, StandardCharsets.UTF_8)).append('=')
                .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
    }

    private String multipartType;
    private byte[] multipartBody;

    /** A body for {@code operation}; null when a multipart body was built into the fields above. */
    private byte[] body(Operation operation, String tool, String declared, String contentType) throws IOException {
        if (hostile.chance(0.05)) {
            return hostile.brokenJson().getBytes(StandardCharsets.UTF_8);
        }
        if (hostile.chance(0.03)) {
            return hostile.invalidUtf8Json();
        }
        if (hostile.chance(0.02)) {
            return ("{\"k\":\"" + "A".repeat(1_100_000) + "\"}").getBytes(StandardCharsets.UTF_8); // over the 1 MB limit
        }
        if (hostile.chance(0.03)) {
            return new byte[0];
        }
        String route = operation.path();
        if (declared.startsWith("multipart/")) {
            return uploadBody(contentType);
        }
        if (declared.equals("application/x-www-form-urlencoded")) {
            return ("file_path=" + URLEncoder.encode(hostile.chance(0.2) ? "/etc/hostname" : hostile.string(),
                    StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
        }
        Object value;
        if (route.startsWith("/tools/")) {
            value = hostile.chance(0.9) ? arguments(tool) : hostile.json(3);
        } else if (COMMAND_ROUTES.contains(route)) {
            value = commandBody();
        } else if (route.equals("/run_python")) {
            value = withHostileExtras("code", hostile.chance(0.6) ? hostile.pick(List.of("print(1)", "pass"))
                    : hostile.wrongType("string"));
        } else if (route.equals("/run_bash_script")) {
            Map<String, Object> script = new LinkedHashMap<>();
            script.put("script", hostile.chance(0.6) ? hostile.pick(List.of("echo x", "true")) : hostile.wrongType("string"));
            if (hostile.chance(0.6)) {
                script.put("timeout", hostile.chance(0.5) ? new java.math.BigDecimal(hostile.numberLiteral()) : hostile.json(1));
            }
            if (hostile.chance(0.5)) {
                script.put("working_dir", hostile.chance(0.5) ? hostile.string() : hostile.json(1));
            }
            value = script;
        } else if (route.equals("/list_directory")) {
            Object path = hostile.chance(0.3) ? SCRATCH.toString() : hostile.chance(0.7) ? hostile.string() : hostile.json(2);
            if (path instanceof String s && isDirectoryOtherThanScratch(s)) {
                path = SCRATCH.toString(); // a listing of / or of the repository is harmless but slow
            }
            value = withHostileExtras("path", path);
        } else {
            value = operation.bodies().containsKey(declared) ? value(operation.bodies().get(declared), 3) : hostile.json(3);
        }
        return encode(value);
    }

    private byte[] encode(Object value) throws IOException {
        // ESCAPE_NON_ASCII writes unpaired surrogates as \\uD800 escapes, which JSON allows and a parser must survive
        return hostile.chance(0.5) ? asciiJson.writeValueAsBytes(value) : json.writeValueAsBytes(value);
    }

    /** {@code {name: value}} (value may be null), sometimes with a hostile extra property. */
    private Map<String, Object> withHostileExtras(String name, Object value) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put(name, value);
        if (hostile.chance(0.3)) {
            body.put(hostile.string(), hostile.json(2));
        }
        return body;
    }

    private Object commandBody() {
        if (hostile.chance(0.2)) {
            return hostile.json(2) instanceof Map<?, ?> m && !m.containsKey("command") ? m : List.of(1, 2);
        }
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("command", hostile.chance(0.6) ? hostile.pick(HARMLESS_COMMANDS) : malformedCommand());
        if (hostile.chance(0.5)) {
            body.put("shell", hostile.chance(0.5) ? hostile.random().nextBoolean() : hostile.json(1));
        }
        return body;
    }

    /** A command that is no command: wrong JSON types, empty lists, lists of non-strings; never a generated string. */
    private Object malformedCommand() {
        return hostile.pick(java.util.Arrays.asList(null, "", " ", List.of(), List.of(1, 2), List.of(Map.of()),
                List.of(List.of("true")), Map.of("a", 1), 42, true, new java.math.BigDecimal("1e400"),
                java.util.Arrays.asList((Object) null)));
    }

    private boolean isDirectoryOtherThanScratch(String path) {
        try {
            String expanded = path.startsWith("~") ? System.getProperty("user.home") + path.substring(1) : path;
            File file = new File(expanded);
            return file.isDirectory() && !file.getCanonicalFile().toPath().startsWith(SCRATCH);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** {@code /setup/upload}: well-formed multipart into the scratch directory, or parts missing, or a broken body. */
    private byte[] uploadBody(String contentType) {
        if (!contentType.startsWith("multipart/")) {
            return hostile.string().getBytes(StandardCharsets.UTF_8);
        }
        String boundary = "fuzz" + Long.toHexString(hostile.random().nextLong());
        StringBuilder body = new StringBuilder();
        if (hostile.chance(0.85)) {
            // only inside the scratch directory: no '/' and no ".." in what follows it
            String name = hostile.chance(0.2) ? "" : hostile.string().replace("/", "_").replace("..", "_");
            body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file_path\"\r\n\r\n")
                    .append(SCRATCH).append('/').append(name.length() > 1000 ? name.substring(0, 1000) : name)
                    .append("\r\n");
        }
        if (hostile.chance(0.85)) {
            body.append("--").append(boundary).append("\r\nContent-Disposition: form-data; name=\"file_data\"; filename=\"")
                    .append(hostile.pick(List.of("x.txt", "", "../../x", "\u00e9.bin"))).append("\"\r\n")
                    .append("Content-Type: application/octet-stream\r\n\r\npayload\r\n");
        }
        if (hostile.chance(0.9)) {
            body.append("--").append(boundary).append("--\r\n");
        }
        multipartType = hostile.chance(0.9) ? "multipart/form-data; boundary=" + boundary : "multipart/form-data";
        multipartBody = body.toString().getBytes(StandardCharsets.UTF_8);
        return null;
    }

    /**
     * Arguments for {@code tool} from its input schema: schema-valid (60 %: every required property, plausible
     * values, so that calls reach the records and drivers), or violating it (wrong types, missing properties,
     * hostile strings); sometimes with an extra unknown property.
     */
    private Map<String, Object> arguments(String tool) {
        JsonNode schema = tools.get(tool);
        Set<String> required = new java.util.HashSet<>();
        schema.path("required").forEach(r -> required.add(r.asText()));
        boolean valid = hostile.chance(0.6);
        Map<String, Object> arguments = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = schema.path("properties").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> property = it.next();
            String name = property.getKey();
            String type = property.getValue().path("type").asText();
            if (valid) {
                if (required.contains(name) || hostile.chance(0.5)) {
                    arguments.put(name, argument(tool, name, type, true));
                }
                continue;
            }
            double roll = hostile.random().nextDouble();
            if (roll < 0.15) {
                continue; // missing
            }
            if (roll < 0.4) {
                arguments.put(name, hostile.wrongType(type));
                continue;
            }
            arguments.put(name, argument(tool, name, type, roll < 0.6));
        }
        if (hostile.chance(0.1)) {
            arguments.put(hostile.string(), hostile.json(2));
        }
        return arguments;
    }

    private Object argument(String tool, String name, String type, boolean plausible) {
        if (name.equals("command")) {
            Object command = hostile.pick(HARMLESS_COMMANDS);
            return command instanceof String ? command : "true";
        }
        if (name.equals("device_id")) {
            if (tool.equals("device.create") && plausible) {
                String id = "fz-" + hostile.random().nextInt(100_000);
                deviceIds.add(id);
                return id;
            }
            if (plausible || hostile.chance(0.3)) {
                List<String> ids = tool.equals("device.delete") ? deviceIds.stream().filter(i -> !DISCOVERED.contains(i))
                        .toList() : deviceIds;
                return ids.isEmpty() ? "fuzz-ios-1" : hostile.pick(ids);
            }
            String id = hostile.string();
            if (tool.equals("device.create") && id.length() < 100 && id.matches("[A-Za-z0-9][A-Za-z0-9._:@/-]*")) {
                deviceIds.add(id);
            }
            return DISCOVERED.contains(id) && tool.equals("device.delete") ? "x" : id;
        }
        return switch (type) {
            case "boolean" -> hostile.random().nextBoolean();
            case "object" -> plausible ? hostile.pick(List.of(Map.of("status", hostile.pick(List.of("available",
                    "borrowed", "x"))), Map.of("name", hostile.string()), Map.of("device_id", "other", "type", "../x"),
                    Map.of("current_borrower", Map.of()), Map.of("specs", List.of(1)))) : hostile.json(3);
            default -> plausible ? plausibleString(name) : hostile.string();
        };
    }

    private String plausibleString(String name) {
        return switch (name) {
            // no "android": a record of an Android device adb does not have is a dependency down (503), which the
            // fuzz keeps up; "linux" records of another machine and types without driver are refused (409)
            case "type" -> hostile.pick(List.of("ios", "linux", "windows", "toaster", "a.b-c_d"));
            case "expected_return_date" -> hostile.pick(List.of("2030-01-01T00:00:00Z", "2030-01-01", "yesterday",
                    "+999999999-12-31T23:59:59Z", "1970-01-01T00:00:00Z"));
            case "local_path", "remote_path" -> hostile.pick(List.of("a.txt", "b.txt", "x.apk", "../a.txt", "/tmp/a.txt",
                    "sub/dir/c.log", "a.txt/", ""));
            case "status" -> hostile.pick(List.of("available", "borrowed", "online", "x"));
            default -> "fuzz-" + hostile.random().nextInt(1000);
        };
    }

    /** A value for an OpenAPI schema: valid for it, of the wrong type, or hostile. */
    private Object value(JsonNode schema, int depth) {
        if (hostile.chance(0.3)) {
            return hostile.json(depth);
        }
        String type = schema.path("type").asText("");
        return switch (type) {
            case "integer", "number" -> new java.math.BigDecimal(hostile.numberLiteral().replace("-0.0", "0"));
            case "boolean" -> hostile.random().nextBoolean();
            // an element may be JSON null (hostile.json), which List.of refuses
            case "array" -> depth <= 0 ? List.of() : java.util.Arrays.asList(value(schema.path("items"), depth - 1));
            case "object" -> {
                Map<String, Object> object = new LinkedHashMap<>();
                schema.path("properties").fields().forEachRemaining(p -> object.put(p.getKey(),
                        depth <= 0 ? null : value(p.getValue(), depth - 1)));
                yield object;
            }
            default -> hostile.string();
        };
    }

    // ---------------------------------------------------------------------------------------------------------------
    // checks

    /** Null when the answer is the envelope; otherwise what is wrong with it. HEAD answers carry no body. */
    private String envelopeProblem(RawHttp.Request request, RawHttp.Response response) {
        if (request.method().equals("HEAD")) {
            return null;
        }
        JsonNode body;
        try {
            body = json.readTree(response.body());
        } catch (IOException e) {
            return "not JSON";
        }
        JsonNode error = body == null ? null : body.get("error");
        if (error == null || !error.isObject()) {
            return "no error object";
        }
        if (!error.path("code").isTextual() || error.path("code").asText().isBlank()) {
            return "no code";
        }
        if (!error.path("message").isTextual()) {
            return "no message";
        }
        if (!error.path("details").isObject()) {
            return "no details object";
        }
        if (!error.path("timestamp").isTextual()) {
            return "no timestamp";
        }
        return null;
    }

    /** Names, sizes and SHA-256 of every file under the data and scratch directories, as one string. */
    static String snapshot() {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Path root : List.of(DATA, SCRATCH)) {
                if (!Files.exists(root)) {
                    continue;
                }
                try (Stream<Path> files = Files.walk(root)) {
                    for (Path p : files.sorted().toList()) {
                        if (root.relativize(p).startsWith(NAMESPACE_FILES)) {
                            continue; // bindings of mount namespaces (nsfs): not data, and a read fails (EINVAL)
                        }
                        digest.update(root.relativize(p).toString().getBytes(StandardCharsets.UTF_8));
                        if (Files.isRegularFile(p)) {
                            digest.update(Files.readAllBytes(p));
                        }
                        digest.update((byte) 0);
                    }
                }
            }
            return HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String cut(String text) {
        return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

package io.envgrid.gateway.security;

import io.envgrid.testsupport.process.PackagedApp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.id.KeyPart;
import io.envgrid.gateway.support.Conditions;
import io.envgrid.gateway.support.TestCluster;
import io.envgrid.gateway.support.Xvfb;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A hostile or buggy worker against the real services, behind the gateway's back: the packaged
 * allocator on a real Redis, the packaged vm-controller, and the packaged device agent serving a
 * real Xvfb desktop (docs/isolation.md). Worker B, holding a lease of its own, tries every door to
 * act on A's desktop — the controller's session API, the desktop's OSWorld routes — with no
 * credential, a guessed one, its own lease's token and A's worker id; A tries to act after its
 * lease was released, after it expired, after it was revoked and after B was granted the desktop.
 * Every attempt is refused with the error envelope, and nothing happens on the desktop (a command
 * a refused call carried never runs). Ids carry {@code : / @ .} throughout.
 */
class HostileWorkerTest {

    private static final String TYPE = "vm_hostile";
    private static final String DESKTOP = "hostile/agent:desktop";
    private static final String A = "job.7/worker:a@pod-1";
    private static final String B = "job.7/worker:b@pod-2";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static Xvfb xvfb;
    private static PackagedApp agent;
    private static Path marks;
    private static TestCluster cluster;

    @BeforeAll
    static void start() throws IOException {
        cluster = TestCluster.get();
        xvfb = Xvfb.start();
        marks = Files.createTempDirectory(marksParent(), "envgrid-test-hostile-marks-");
        // the agent runs workers' commands as an unprivileged user when it is root: let them write their marks
        Files.setPosixFilePermissions(marks, PosixFilePermissions.fromString("rwxrwxrwx"));
        agent = cluster.startDesktopAgent("device-agent-hostile", "hostile/agent", TYPE, xvfb);
    }

    @AfterAll
    static void stop() throws IOException {
        try (Xvfb display = xvfb; PackagedApp desktopAgent = agent) {
            // closed in reverse order (the agent, then its display), each even when the other fails; then the marks
        } finally {
            if (marks != null) {
                try (var left = Files.list(marks)) {
                    for (Path mark : left.toList()) {
                        Files.delete(mark);
                    }
                }
                Files.delete(marks);
            }
        }
    }

    /**
     * Where the marks' directory goes: the module's {@code target/}, unless that lies below a temporary directory the
     * agent's exec user sees as its own (a root agent gives it a private {@code /tmp}, {@code /var/tmp},
     * {@code /dev/shm}, {@code /run/lock}: a checkout below {@code /tmp}, as CI's clean clone is); then right in
     * {@code /var/lib}, a directory of the host outside them, which that user's commands reach as the test does (no
     * parent of ours there, which would outlive the run).
     */
    private static Path marksParent() {
        Path target = Path.of("target").toAbsolutePath().normalize();
        boolean hidden = java.util.stream.Stream.of("/tmp", "/var/tmp", "/dev/shm", "/run/lock").map(Path::of)
                .anyMatch(target::startsWith);
        return hidden ? Path.of("/var/lib") : target;
    }

    @Test
    void anotherWorkerGetsInThroughNoDoor() throws IOException {
        cluster.awaitFree(DESKTOP);
        JsonNode a = allocate(A, TYPE, 60);
        String tokenA = a.path("lease_token").asText();
        assertEquals(DESKTOP, a.path("id").asText());
        ok(openSession(A, a, tokenA));
        ok(controller("GET", A, "/platform", null, tokenA));
        JsonNode b = allocate(B, "vm_pyautogui", 60);
        String tokenB = b.path("lease_token").asText();
        String leasesBefore = leases();

        // the controller: sessions from made-up or foreign entries, calls without or with a foreign credential
        ObjectNode noToken = a.deepCopy();
        noToken.remove("lease_token");
        refused(openSession(B, noToken, null), 400, 401, 403, 409);
        refused(openSession(A, noToken, null), 400, 401, 403, 409);
        refused(openSession(B, a, null), 403, 409);
        refused(openSession(B, withToken(a, "elt_" + "A".repeat(22)), null), 403, 409);
        refused(openSession(A, withToken(a, "elt_" + "A".repeat(22)), null), 403, 409);
        refused(openSession(B, withToken(a, tokenB), null), 403, 409);
        ObjectNode elsewhere = withToken(a, tokenB).put("id", b.path("id").asText()).put("ip", "127.0.0.2").put("port", 1);
        ok(openSession(B, elsewhere, tokenB));
        assertNotEquals("127.0.0.2", sessionOf(B, b.path("id").asText(), tokenB).path("ip").asText(),
                "the controller took the VM's address from the posted entry instead of the allocator's record");
        refused(controller("GET", A, "/platform", null, null), 401);
        refused(controller("GET", A, "/platform", null, tokenB), 401, 403, 409);
        refused(controller("POST", A, "/commands", shell(touch("via-controller")), tokenB), 401, 403, 409);
        refused(controller("POST", A, "/commands", shell(touch("via-controller-no-token")), null), 401);
        refused(controller("POST", B, "/commands", shell(touch("via-b-session")), tokenB, DESKTOP), 401, 403, 404, 409);

        // the desktop itself, straight at the agent
        refused(desktop("POST", "/execute", shell(touch("no-credential")), null), 401);
        refused(desktop("POST", "/execute", shell(touch("b-token")), tokenB), 401, 403, 409);
        refused(desktop("POST", "/setup/execute", shell(touch("setup-b-token")), tokenB), 401, 403, 409);
        refused(desktop("POST", "/run_bash_script", script(touch("bash-no-credential")), null), 401);
        refused(desktop("GET", "/screenshot", null, null), 401);
        assertEquals(leasesBefore, leases(), "a refused call changed the allocator's leases");

        // A's own credential works at both doors
        ok(desktop("POST", "/execute", shell(touch("a-direct")), tokenA));
        ok(controller("POST", A, "/actions/pyautogui", pyautogui("pyautogui.moveTo(10, 10)"), tokenA));
        ok(controller("POST", A, "/commands", shell(touch("a-controller")), tokenA));

        // released: refused on the very next call, at every door
        post("/release", Map.of("worker_id", A, "resource_id", DESKTOP), 200);
        refused(controller("POST", A, "/commands", shell(touch("after-release-controller")), tokenA), 403, 409);
        refused(desktop("POST", "/execute", shell(touch("after-release")), tokenA), 403, 409);

        // granted to B (once the agent has reset the desktop A released): A's token stays dead, B's works
        cluster.awaitFree(DESKTOP);
        JsonNode regrant = allocate(B, TYPE, 60);
        String tokenB2 = regrant.path("lease_token").asText();
        assertTrue(regrant.path("fencing_token").asLong() > a.path("fencing_token").asLong());
        refused(openSession(A, a, tokenA), 403, 409);
        refused(controller("GET", A, "/platform", null, tokenA), 403, 409);
        refused(desktop("POST", "/execute", shell(touch("after-regrant")), tokenA), 403, 409);
        ok(openSession(B, regrant, tokenB2));
        ok(controller("GET", B, "/platform", null, tokenB2));

        // revoked (forced delete): B is refused at once; the agent registers its desktop again
        int revoked = cluster.allocatorCall("DELETE", "/resources/" + KeyPart.pathSegment(DESKTOP) + "?force=true", null).statusCode();
        assertEquals(200, revoked);
        refused(controller("GET", B, "/platform", null, tokenB2), 403, 404, 409);
        refused(desktop("POST", "/execute", shell(touch("after-revoke")), tokenB2), 403, 404, 409);
        cluster.awaitRegistered(DESKTOP);

        Set<String> ran = Set.of(marks.toFile().list());
        assertEquals(Set.of("a-direct", "a-controller"), ran, "commands of refused calls ran on the desktop");
    }

    @Test
    void anExpiredLeaseIsOverOnTheNextCallWhateverTheReaper() throws IOException {
        cluster.awaitFree(DESKTOP);
        JsonNode a = allocate(A, TYPE, 1);
        String token = a.path("lease_token").asText();
        ok(openSession(A, a, token));
        long expiresAt = java.time.Instant.parse(a.path("expires_at").asText()).toEpochMilli();
        Conditions.await("the lease's expiry has passed", Duration.ofSeconds(5), () -> System.currentTimeMillis() > expiresAt + 50);
        refused(controller("GET", A, "/platform", null, token), 403, 409);
        refused(desktop("POST", "/execute", shell(touch("after-expiry")), token), 403, 409);
        assertFalse(Files.exists(marks.resolve("after-expiry")));
    }

    // ---- the doors ----

    private static HttpResponse<String> openSession(String worker, JsonNode entry, String leaseToken) {
        ObjectNode body = JSON.createObjectNode().put("worker_id", worker);
        body.set("resource", entry);
        return send("POST", cluster.vmControllerUrl() + "/sessions", body.toString(), leaseToken);
    }

    private static JsonNode sessionOf(String worker, String resource, String leaseToken) throws IOException {
        HttpResponse<String> r = send("GET", cluster.vmControllerUrl() + "/sessions/" + KeyPart.pathSegment(worker) + "/" + KeyPart.pathSegment(resource),
                null, leaseToken);
        ok(r);
        return JSON.readTree(r.body());
    }

    private static HttpResponse<String> controller(String method, String worker, String path, String body, String leaseToken) {
        return controller(method, worker, path, body, leaseToken, DESKTOP);
    }

    private static HttpResponse<String> controller(String method, String worker, String path, String body, String leaseToken,
            String resource) {
        return send(method, cluster.vmControllerUrl() + "/sessions/" + KeyPart.pathSegment(worker) + "/" + KeyPart.pathSegment(resource) + path, body,
                leaseToken);
    }

    private static HttpResponse<String> desktop(String method, String path, String body, String leaseToken) {
        return send(method, agent.url() + path, body, leaseToken);
    }

    private static HttpResponse<String> send(String method, String url, String body, String leaseToken) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (leaseToken != null) {
            request.header("X-Envgrid-Lease-Token", leaseToken);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + url, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    // ---- the allocator, as the services see it ----

    private static JsonNode allocate(String worker, String type, int timeout) throws IOException {
        HttpResponse<String> r = post("/allocate", Map.of("worker_id", worker, "resource_types", List.of(type), "timeout", timeout), 200);
        return JSON.readTree(r.body()).path(type);
    }

    private static HttpResponse<String> post(String path, Object body, int status) {
        try {
            HttpResponse<String> r = cluster.allocatorCall("POST", path, JSON.writeValueAsString(body));
            assertEquals(status, r.statusCode(), path + ": " + r.body());
            return r;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String leases() {
        return cluster.allocatorCall("GET", "/leases", null).body();
    }

    // ---- bodies and checks ----

    private static ObjectNode withToken(JsonNode entry, String token) {
        ObjectNode copy = entry.deepCopy();
        copy.put("lease_token", token);
        return copy;
    }

    private static String touch(String mark) {
        return "touch " + marks.resolve(mark);
    }

    private static String shell(String command) {
        return JSON.createObjectNode().put("command", command).put("shell", true).toString();
    }

    private static String script(String command) {
        return JSON.createObjectNode().put("script", command).toString();
    }

    private static String pyautogui(String code) {
        return JSON.createObjectNode().put("code", code).toString();
    }


    private static void ok(HttpResponse<String> response) {
        assertTrue(response.statusCode() < 300, response.uri() + " answered " + response.statusCode() + ": " + response.body());
    }

    private static void refused(HttpResponse<String> response, int... allowed) {
        List<Integer> statuses = new ArrayList<>();
        for (int s : allowed) {
            statuses.add(s);
        }
        assertTrue(statuses.contains(response.statusCode()),
                response.request().method() + " " + response.uri() + " answered " + response.statusCode() + " (expected one of "
                        + statuses + "): " + response.body());
        try {
            JsonNode error = JSON.readTree(response.body()).path("error");
            assertFalse(error.path("code").asText().isEmpty(), "no error envelope: " + response.body());
            assertFalse(error.path("message").asText().isEmpty(), "no error message: " + response.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + response.body(), e);
        }
    }
}

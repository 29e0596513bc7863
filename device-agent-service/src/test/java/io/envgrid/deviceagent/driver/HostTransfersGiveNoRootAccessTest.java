package io.envgrid.deviceagent.driver;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The host device's {@code device.upload} and {@code device.download} give its holder no more than its own uid's
 * rights (review12 F1). The holder owns {@code files/} and keeps swapping a name there between a plain entry and a
 * link into a directory only root may use ({@code renameat2(RENAME_EXCHANGE)} in a tight loop) while it calls both
 * tools on that name. Before the fix the agent checked the name as root and then copied through it as root: within a
 * few dozen calls the holder read root's file, and root wrote the holder's file into root's directory. Now the copy is
 * made as the holder's uid, so the kernel refuses the link's target whenever the swap wins.
 * <p>
 * A bounded number of calls per door (within the lease's 100 calls a minute), no sleeps; every answer must be 200 or
 * the refusal of a file the uid cannot use (never a 5xx), and some must succeed, or the test proves nothing.
 */
@QuarkusTest
@WithAllocator
class HostTransfersGiveNoRootAccessTest {

    private static final String HOST = "test-host";
    private static final String HOST_RESOURCE = RealAllocator.AGENT_ID + ":" + HOST;
    private static final String LEASE_HEADER = "X-Envgrid-Lease-Token";
    /** Rounds of one upload and one download each: 80 calls, inside the 100 a lease may make in a minute. */
    private static final int ROUNDS = 40;
    private static final String SECRET = "only-root-may-read-this";

    /**
     * argv: mode, the link's target, a marker (to find the process). {@code read}: {@code x.txt} (a decoy) swaps with
     * a link to root's file; {@code write}: directory {@code d} swaps with a link to root's directory.
     */
    private static final String SWAPPER = String.join("\n",
            "import os, sys, ctypes",
            "mode, target = sys.argv[1], sys.argv[2]",
            "libc = ctypes.CDLL(None, use_errno=True)",
            "def exchange(a, b):",
            "    libc.renameat2(-100, a.encode(), -100, b.encode(), 2)",
            "if mode == 'read':",
            "    open('x.txt', 'w').write('decoy')",
            "    os.symlink(target, 'swap-link')",
            "else:",
            "    os.makedirs('d', exist_ok=True)",
            "    open('mine.txt', 'w').write('written-by-the-holder')",
            "    os.symlink(target, 'swap-link')",
            "name = 'x.txt' if mode == 'read' else 'd'",
            "while True: exchange(name, 'swap-link')",
            "");

    private String marker;
    private Path rootOnly;
    private Path secret;
    private String token;
    private Path files;

    @BeforeEach
    void holderAndRootsDirectory() throws IOException {
        assumeTrue(AgentPrivileges.isRoot(),
                "the host device runs as a uid of its own only under a root agent");
        Conditions.await(() -> allocator().get(RealAllocator.resourcePath(HOST_RESOURCE)).statusCode() == 200,
                HOST_RESOURCE + " registered");
        marker = "hostxfer" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        // stands in for what the holder's uid may not read or write: another worker's home, the agent's own files
        rootOnly = Files.createDirectory(Path.of("/tmp", marker + "-root"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        secret = Files.writeString(rootOnly.resolve("secret.txt"), SECRET);
        token = allocate().getString("device_linux.lease_token");
        assertEquals("cannot\n", execute("cat " + secret + " 2>/dev/null || echo cannot").getString("output"));
        files = Path.of(execute("pwd").getString("output").trim());
    }

    @AfterEach
    void cleanUp() throws IOException {
        if (marker == null) {
            return;
        }
        if (token != null) {
            release(); // the reset ends the holder's loop and empties files/
        }
        ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains(marker))
                .forEach(ProcessHandle::destroyForcibly);
        try (var left = Files.list(rootOnly)) {
            for (Path file : left.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(rootOnly);
    }

    @Test
    void aSwappedLinkNeverMakesTheAgentReadAFileTheHolderMayNot() throws Exception {
        startSwapping("read", secret);
        List<Integer> statuses = transfers("x.txt", "up.txt", "down.txt", this::leaked);
        assertFalse(leaked(), "the holder got root's file through a transfer after " + statuses.size() + " calls");
        assertAnswered(statuses);
    }

    @Test
    void aSwappedLinkNeverMakesTheAgentWriteWhereTheHolderMayNot() throws Exception {
        startSwapping("write", rootOnly);
        List<Integer> statuses = transfers("mine.txt", "d/up.txt", "d/down.txt", this::wroteIntoRoots);
        assertFalse(wroteIntoRoots(), "a transfer wrote into root's directory after " + statuses.size() + " calls: "
                + names(rootOnly));
        assertAnswered(statuses);
    }

    /**
     * Up to {@link #ROUNDS} rounds of {@code device.upload} of {@code source} to {@code uploadTarget} and
     * {@code device.download} of it to {@code downloadTarget}, until {@code broken}; the answers' statuses.
     */
    private List<Integer> transfers(String source, String uploadTarget, String downloadTarget, Callable<Boolean> broken)
            throws Exception {
        List<Integer> statuses = new ArrayList<>();
        for (int round = 0; round < ROUNDS && !broken.call(); round++) {
            statuses.add(call("device.upload", Map.of("device_id", HOST, "local_path", source,
                    "remote_path", uploadTarget)));
            statuses.add(call("device.download", Map.of("device_id", HOST, "remote_path", source,
                    "local_path", downloadTarget)));
        }
        return statuses;
    }

    private void startSwapping(String mode, Path target) {
        String script = Base64.getEncoder().encodeToString(SWAPPER.getBytes(StandardCharsets.UTF_8));
        execute("echo " + script + " | base64 -d > swap.py; nohup python3 swap.py " + mode + " " + target + " " + marker
                + " >/dev/null 2>&1 </dev/null &");
        Conditions.await(() -> Files.isSymbolicLink(files.resolve("swap-link"))
                || Files.isSymbolicLink(files.resolve(mode.equals("read") ? "x.txt" : "d")), "the holder's loop started");
    }

    /** Whether a copy the transfers made in {@code files/} holds root's secret (read without following links). */
    private boolean leaked() throws IOException {
        for (String name : List.of("up.txt", "down.txt")) {
            Path copy = files.resolve(name);
            if (Files.isRegularFile(copy, LinkOption.NOFOLLOW_LINKS) && Files.readString(copy).contains(SECRET)) {
                return true;
            }
        }
        return false;
    }

    private boolean wroteIntoRoots() throws IOException {
        return !names(rootOnly).equals(List.of("secret.txt"));
    }

    private static List<String> names(Path dir) throws IOException {
        try (var entries = Files.list(dir)) {
            return entries.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * Only 200 (the swap lost: the holder's own file) or the refusal of a file the uid may not use (the swap won): 400,
     * or 404 for a download's source.
     */
    private static void assertAnswered(List<Integer> statuses) {
        assertTrue(statuses.stream().allMatch(s -> s == 200 || s == 400 || s == 404), "answers: " + statuses);
        assertTrue(statuses.contains(200), "no transfer succeeded, so the race was never run: " + statuses);
    }

    private int call(String tool, Map<String, Object> arguments) {
        return given().header(LEASE_HEADER, token).contentType(ContentType.JSON).body(arguments)
                .post("/tools/" + tool + "/call").statusCode();
    }

    private JsonPath execute(String command) {
        JsonPath answer = given().header(LEASE_HEADER, token).contentType(ContentType.JSON)
                .body(Map.of("device_id", HOST, "command", command))
                .post("/tools/device.execute/call").then().statusCode(200).extract().jsonPath();
        assertTrue(answer.getBoolean("success"), answer.prettify());
        return answer;
    }

    private static JsonPath allocate() {
        return allocator().contentType(ContentType.JSON)
                .body(Map.of("worker_id", "worker-xfer", "resource_types", List.of("device_linux"), "timeout", 120,
                        "wait_ms", 20000))
                .post("/allocate").then().statusCode(200).extract().jsonPath();
    }

    private static void release() {
        allocator().contentType(ContentType.JSON).body(Map.of("worker_id", "worker-xfer", "resource_id", HOST_RESOURCE))
                .post("/release");
    }

    private static RequestSpecification allocator() {
        return given().baseUri(RealAllocator.url().toString()).urlEncodingEnabled(false)
                .header("Authorization", "Bearer " + RealAllocator.SERVICE_TOKEN);
    }
}

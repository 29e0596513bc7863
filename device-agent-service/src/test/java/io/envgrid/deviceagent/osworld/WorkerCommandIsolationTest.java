package io.envgrid.deviceagent.osworld;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.support.AgentCalls;
import io.quarkus.test.common.QuarkusTestResource;
import io.envgrid.deviceagent.support.WithXvfb;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A worker's command must not see the agent's secrets (issue 11, review A1). The agent under test is this JVM; the
 * module's surefire configuration puts the service token's digest ({@code ENVGRID_DEVICE_AGENT_SERVICE_TOKEN_SHA256}) and a decoy
 * secret into its environment, as the DaemonSet does. Every door that runs a command on a worker's behalf runs
 * {@code env} and {@code cat /proc/<agent pid>/environ}: neither secret may appear in anything it prints, nor may its
 * environment hold an {@code ANDROID_*} variable (surefire sets {@code ANDROID_ADB_SERVER_PORT}; review 11, F5);
 * {@code /file} and {@code /setup/upload} read and write with the worker's rights, not the agent's. Run as root
 * (as here) the commands must also run as another user, which is what closes {@code /proc/<pid>/environ}; run as
 * another user the test says that the switch was not exercised.
 */
@QuarkusTest
@WithXvfb
class WorkerCommandIsolationTest {

    private static final String DECOY = "decoy-secret-7f3a";
    private static final long AGENT_PID = ProcessHandle.current().pid();
    private static final String PROBE = "env; echo ---; cat /proc/" + AGENT_PID + "/environ; echo; echo uid=$(id -u)";
    private static boolean root;

    @BeforeAll
    static void theAgentHoldsTheSecretsInItsEnvironment() throws IOException {
        // without this the test could not fail: the secrets must be there to be leaked
        String own = new String(Files.readAllBytes(Path.of("/proc/self/environ")), StandardCharsets.UTF_8);
        assertTrue(own.contains(AgentCalls.SERVICE_TOKEN_SHA256), "surefire sets ENVGRID_DEVICE_AGENT_SERVICE_TOKEN_SHA256");
        assertTrue(own.contains(DECOY), "surefire sets ENVGRID_TEST_DECOY_SECRET");
        assertTrue(own.contains("ANDROID_ADB_SERVER_PORT="), "surefire sets ANDROID_ADB_SERVER_PORT");
        root = ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        if (!root) {
            System.out.println("WorkerCommandIsolationTest: the agent is not root, so the user switch was NOT exercised "
                    + "(only the scrubbed environment)");
        }
    }

    @Test
    void deviceExecuteOnTheHostSeesNoSecret() {
        AgentCalls.awaitHostDevicePrepared();
        String output = AgentCalls.call("device.execute", Map.of("device_id", "test-host", "command", PROBE)).statusCode(200)
                .extract().path("output");
        assertClean("device.execute", output);
    }

    @Test
    void desktopExecuteSeesNoSecret() {
        assertClean("/execute shell", AgentCalls.asService().contentType(ContentType.JSON)
                .body(Map.of("command", PROBE, "shell", true)).post("/execute").then().statusCode(200).extract()
                .path("output"));
        assertClean("/execute list", AgentCalls.asService().contentType(ContentType.JSON)
                .body(Map.of("command", List.of("/bin/sh", "-c", PROBE))).post("/setup/execute").then().statusCode(200)
                .extract().path("output"));
    }

    @Test
    void desktopScriptsSeeNoSecret() {
        assertClean("/run_bash_script", AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("script", PROBE))
                .post("/run_bash_script").then().statusCode(200).extract().path("output"));
        String python = "import os, subprocess\nprint(dict(os.environ))\n"
                + "print(subprocess.run(['sh', '-c', '" + PROBE.replace("'", "\\'") + "'], capture_output=True, text=True))";
        assertClean("/run_python", AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("code", python))
                .post("/run_python").then().statusCode(200).extract().path("output"));
    }

    @Test
    void desktopFileReadsAndUploadsHaveTheWorkersRights() throws IOException {
        for (String environ : List.of("/proc/self/environ", "/proc/" + AGENT_PID + "/environ")) {
            var answer = AgentCalls.asService().formParam("file_path", environ).post("/file").then().extract();
            String body = answer.asString();
            assertFalse(body.contains(AgentCalls.SERVICE_TOKEN_SHA256), "/file " + environ + " gave the service token's digest");
            assertFalse(body.contains(DECOY), "/file " + environ + " gave the decoy secret");
            // /proc/self is the reading process: the agent's own when read in-process, cat's (scrubbed) when read as
            // the worker; the agent's by its pid is closed to the worker
            if (root && !environ.contains("self")) {
                // not found, as whatever the worker may not read: no answer tells "there but not yours"
                assertEquals(404, answer.statusCode(), "/file " + environ + ": " + body);
            }
        }
        Path owned = Files.createDirectories(Path.of("target", "worker-isolation")).resolve("agent-owned.txt");
        Files.writeString(owned, "the agent's");
        var upload = AgentCalls.asService().multiPart("file_path", owned.toAbsolutePath().toString())
                .multiPart("file_data", "x.txt", "overwritten".getBytes(StandardCharsets.UTF_8)).post("/setup/upload")
                .then().extract();
        if (root) {
            assertEquals(400, upload.statusCode(), "an upload over a file of the agent: " + upload.asString());
            assertEquals("the agent's", Files.readString(owned), "the agent's file is unchanged");
        }
        // a file of the worker's own round-trips (a fresh directory anyone may write, as /tmp)
        Path scratch = Files.createTempDirectory("envgrid-worker-isolation");
        Files.setPosixFilePermissions(scratch, PosixFilePermissions.fromString("rwxrwxrwx"));
        String mine = scratch.resolve("sub/mine.txt").toString();
        AgentCalls.asService().multiPart("file_path", mine).multiPart("file_data", "x.txt", "mine".getBytes(StandardCharsets.UTF_8))
                .post("/setup/upload").then().statusCode(200);
        AgentCalls.asService().formParam("file_path", mine).post("/file").then().statusCode(200).body(equalTo("mine"));
    }

    @Test
    void directoryListingsHaveTheWorkersRights() throws IOException {
        Path parent = Files.createTempDirectory("envgrid-listing");
        Files.setPosixFilePermissions(parent, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path closed = Files.createDirectory(parent.resolve("agent-only"));
        Files.writeString(closed.resolve("name-the-worker-must-not-see"), "x");
        Files.setPosixFilePermissions(closed, PosixFilePermissions.fromString("rwx------"));
        Files.createDirectories(parent.resolve("open/inner"));
        Files.writeString(parent.resolve("open/inner/visible.txt"), "x");
        String body = AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("path", parent.toString()))
                .post("/list_directory").then().statusCode(200).extract().asString();
        assertTrue(body.contains("visible.txt") && body.contains("\"inner\""), body);
        if (root) {
            assertFalse(body.contains("name-the-worker-must-not-see"), "listed with the agent's rights: " + body);
            assertTrue(body.contains("cannot read agent-only"), body);
            AgentCalls.asService().contentType(ContentType.JSON).body(Map.of("path", closed.toString()))
                    .post("/list_directory").then().statusCode(400);
        }
    }

    private static void assertClean(String door, String output) {
        assertTrue(output.contains("PATH="), door + " ran and printed its environment: " + output);
        assertFalse(output.contains(AgentCalls.SERVICE_TOKEN_SHA256), door + " saw the service token's digest: " + output);
        assertFalse(output.contains(DECOY), door + " saw the decoy secret: " + output);
        assertFalse(output.contains("ENVGRID_"), door + " saw the agent's settings: " + output);
        // the command's own environment (before the environ of the agent, which a non-root agent's worker may read)
        String environment = output.substring(0, Math.max(0, output.indexOf("---")));
        assertFalse(environment.contains("ANDROID_"), door + " was pointed at the agent's adb server: " + environment);
        if (root) {
            assertTrue(output.contains("uid="), door + ": " + output);
            assertNotEquals("0", output.substring(output.lastIndexOf("uid=") + 4).trim(), door + " ran as root");
        }
    }
}

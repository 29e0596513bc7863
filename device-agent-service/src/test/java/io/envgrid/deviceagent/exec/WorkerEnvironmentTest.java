package io.envgrid.deviceagent.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The allow-list of a worker's environment, and how a command is wrapped for the user switch. */
class WorkerEnvironmentTest {

    @Test
    void onlyAllowedVariablesPassAndNothingThatLooksLikeASecret() {
        Map<String, String> agent = Map.ofEntries(Map.entry("PATH", "/usr/bin"), Map.entry("HOME", "/root"),
                Map.entry("LANG", "C.UTF-8"), Map.entry("LC_ALL", "C"), Map.entry("DISPLAY", ":1"),
                Map.entry("TERM", "xterm"), Map.entry("ENVGRID_DEVICE_AGENT_SERVICE_TOKEN", "s3cret"),
                Map.entry("ENVGRID_ALLOCATOR_URL", "http://allocator"), Map.entry("QUARKUS_PROFILE", "prod"),
                Map.entry("REDIS_PASSWORD", "p"), Map.entry("GITHUB_TOKEN", "t"), Map.entry("AWS_SECRET_ACCESS_KEY", "k"),
                Map.entry("JAVA_HOME", "/opt/java"), Map.entry("LC_API_TOKEN", "x"));
        assertEquals(Map.of("PATH", "/usr/bin", "HOME", "/root", "LANG", "C.UTF-8", "LC_ALL", "C", "DISPLAY", ":1",
                "TERM", "xterm"), WorkerEnvironment.scrub(agent));
    }

    @Test
    void noAndroidVariablePassesSoNoWorkersAdbFindsTheAgentsServer() {
        Map<String, String> agent = Map.of("PATH", "/usr/bin", "ANDROID_ADB_SERVER_PORT", "5037",
                "ANDROID_HOME", "/opt/android-sdk", "ANDROID_SDK_ROOT", "/opt/android-sdk", "ANDROID_SERIAL", "emulator-5554",
                "ADB_SERVER_SOCKET", "localfilesystem:/var/lib/envgrid/adb-server/adb.sock");
        assertEquals(Map.of("PATH", "/usr/bin"), WorkerEnvironment.scrub(agent));
    }

    @Test
    void aRootAgentWrapsCommandsInSetprivForTheConfiguredUser(@TempDir Path dir) throws IOException {
        Path passwd = dir.resolve("passwd");
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        WorkerExec exec = new WorkerExec(0, true, "nobody", passwd);
        assertTrue(exec.switchesUser());
        List<String> wrapped = exec.command(List.of("/bin/sh", "-c", "id"));
        assertTrue(wrapped.get(0).endsWith("setpriv"), wrapped.toString());
        assertEquals(List.of("--reuid=65534", "--regid=65534", "--init-groups", "--no-new-privs", "--inh-caps=-all", "--",
                "/bin/sh", "-c", "id"), wrapped.subList(1, wrapped.size()));
        Map<String, String> environment = exec.environment(Map.of("DISPLAY", ":5", "ENVGRID_X", "no"));
        assertEquals("/nonexistent", environment.get("HOME"));
        assertEquals("nobody", environment.get("USER"));
        assertEquals(":5", environment.get("DISPLAY"));
        assertTrue(environment.keySet().stream().noneMatch(name -> name.startsWith("ENVGRID_")), environment.toString());
    }

    @Test
    void aRootAgentWithoutItsExecUserDoesNotStartRatherThanRunCommandsAsRoot(@TempDir Path dir) throws IOException {
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        assertThrows(IllegalStateException.class, () -> new WorkerExec(0, true, "envgrid-worker", passwd));
    }

    @Test
    void anAgentThatIsNotRootOrHasTheSwitchOffRunsCommandsUnchanged(@TempDir Path dir) {
        Path missing = dir.resolve("passwd");
        assertEquals(List.of("id"), new WorkerExec(1000, true, "nobody", missing).command(List.of("id")));
        assertEquals(List.of("id"), new WorkerExec(0, false, "nobody", missing).command(List.of("id")));
    }
}

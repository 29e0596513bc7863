package io.envgrid.gateway.sandbox.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Profiles as seeds 002/003 write them: variables, defaults, and every mistake reported with its path. */
class ProfileReaderTest {

    private static final Map<String, String> ENV = Map.of("VM_TYPE", "vm_computer_13", "EMPTY", "", "HOSTS", "docs.example.org");

    private static SandboxProfile read(String json) throws ProfileException {
        return new ProfileReader(new ObjectMapper(), ENV::get).read("test", json.getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> problems(String json) {
        return assertThrows(ProfileException.class, () -> read(json)).problems();
    }

    @Test
    void variablesExpandWithAndWithoutDefaults() throws Exception {
        SandboxProfile profile = read("""
                {"server": {"title": "t ${VM_TYPE}"},
                 "resources": {"vm": {"backend": "desktop", "config": {"allocator_type": "${VM_TYPE}"}},
                               "vm2": {"backend": "desktop", "config": {"allocator_type": "${UNSET:-vm_pyautogui}"}},
                               "vm3": {"backend": "desktop", "config": {"allocator_type": "vm_${EMPTY:-x}"}}},
                 "apis": {"fetch": {"allowed_hosts": ["${HOSTS}", "${UNSET:-}"]}}}""");
        assertEquals("t vm_computer_13", profile.title());
        assertEquals(300, profile.sessionTtlSeconds(), "the Sandbox contract's default session_ttl");
        assertEquals("vm_computer_13", profile.resources().get("vm").config().path("allocator_type").asText());
        assertEquals("vm_pyautogui", profile.resources().get("vm2").config().path("allocator_type").asText());
        assertEquals("vm_x", profile.resources().get("vm3").config().path("allocator_type").asText(), "empty takes the default");
        assertEquals("docs.example.org", profile.apis().get("fetch").path("allowed_hosts").path(0).asText());
        assertEquals("", profile.apis().get("fetch").path("allowed_hosts").path(1).asText());
        assertEquals(BackendKind.DESKTOP, profile.resources().get("vm").backend());
    }

    @Test
    void disabledResourcesAreLeftOutButStillChecked() throws Exception {
        SandboxProfile profile = read("""
                {"server": {"title": "t", "session_ttl": 60},
                 "resources": {"rag": {"backend": "rag", "enabled": false}, "vm": {"backend": "desktop",
                   "config": {"allocator_type": "vm_pyautogui", "init_commands": [["echo", "hi"]]}}}}""");
        assertEquals(List.of("vm"), List.copyOf(profile.resources().keySet()));
        assertEquals(60, profile.sessionTtlSeconds());
        assertTrue(profile.apis().isEmpty());
        assertFalse(problems("""
                {"server": {"title": "t"}, "resources": {"rag": {"backend": "rag", "enabled": false, "config": {"k": 1}}}}""")
                .isEmpty());
    }

    @Test
    void everyProblemIsListedWithItsPath() {
        List<String> problems = problems("""
                {"server": {"session_ttl": 0}, "extra": 1,
                 "resources": {"vm": {"backend": "desktop", "config": {"lease_timeout": "long"}},
                               "Rag": {"backend": "rag"}, "gpu": {"backend": "cuda"},
                               "dev": {"backend": "device", "stateless": true, "config": {"allocator_type": "vm_x"}}},
                 "apis": {"websearch": {"key": "${SERPER_API_KEY}"}, "fetch": {"max_bytes": "1M"}}}""");
        List<String> expected = List.of("extra: unknown key", "server.title: required", "server.session_ttl",
                "resources.vm.config.lease_timeout: must be integer", "resources.vm.config.allocator_type: required",
                "resources.Rag: a resource type is lower-case", "resources.gpu.backend: 'cuda' is not a backend",
                "resources.dev.stateless", "resources.dev.config.allocator_type: the device backend leases device_*",
                "apis.websearch.key: environment variable SERPER_API_KEY is not set", "apis.websearch: no API tool",
                "apis.fetch.max_bytes: must be integer");
        for (String e : expected) {
            assertTrue(problems.stream().anyMatch(p -> p.startsWith(e)), e + " not in " + problems);
        }
        assertEquals(expected.size(), problems.size(), problems.toString());
    }

    @Test
    void notAProfileAtAll() {
        assertTrue(problems("{\"server\": ").get(0).startsWith("not JSON"));
        assertEquals(List.of("a profile is a JSON object"), problems("[]"));
    }

    @Test
    void theShippedProfileIsValid() throws Exception {
        SandboxProfile profile = ProfileSource.load(null, new ObjectMapper(), name -> null);
        assertEquals(List.of("vm", "rag", "device"), List.copyOf(profile.resources().keySet()));
        assertEquals(List.of("fetch"), List.copyOf(profile.apis().keySet()));
    }

    @Test
    void validateExitsNonZeroWithTheReasons(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"server\": {\"title\": \"x\"}, \"resources\": {\"vm\": {\"backend\": \"desktop\"}}}");
        Path good = dir.resolve("good.json");
        Files.writeString(good, "{\"server\": {\"title\": \"x\"}, \"apis\": {\"fetch\": {}}}");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1, ValidateCommand.run(new String[] {bad.toString()}, new PrintStream(out), new PrintStream(err), n -> null));
        assertTrue(err.toString().contains("resources.vm.config.allocator_type: required"), err.toString());
        assertEquals(0, ValidateCommand.run(new String[] {good.toString()}, new PrintStream(out), new PrintStream(err), n -> null));
        assertTrue(out.toString().contains("api tool fetch"), out.toString());
        assertEquals(1, ValidateCommand.run(new String[] {dir.resolve("missing.json").toString()}, new PrintStream(out),
                new PrintStream(err), n -> null));
        assertEquals(2, ValidateCommand.run(new String[] {"a", "b"}, new PrintStream(out), new PrintStream(err), n -> null));
    }
}

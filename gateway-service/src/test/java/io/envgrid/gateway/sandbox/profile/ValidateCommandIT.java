package io.envgrid.gateway.sandbox.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged gateway's {@code validate} command, as CI would run it before a deployment: no server starts. */
class ValidateCommandIT {

    private record Run(int exit, String output) {
    }

    private static Run validate(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", Path.of("target", "quarkus-app", "quarkus-run.jar").toString(), "validate"));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Run(process.exitValue(), output);
    }

    @Test
    void checksAProfileWithoutStartingTheServer(@TempDir Path dir) throws Exception {
        Run shipped = validate();
        assertEquals(0, shipped.exit(), shipped.output());
        assertTrue(shipped.output().contains("resource vm: desktop backend"), shipped.output());
        assertTrue(!shipped.output().contains("Listening on"), "no server started: " + shipped.output());

        Path bad = dir.resolve("bad.json");
        Files.writeString(bad, "{\"server\": {\"title\": \"t\"}, \"apis\": {\"fetch\": {\"allowed_hosts\": [\"${ENVGRID_UNSET_FOR_TEST}\"]}}}");
        Run refused = validate(bad.toString());
        assertEquals(1, refused.exit(), refused.output());
        assertTrue(refused.output().contains("environment variable ENVGRID_UNSET_FOR_TEST is not set"), refused.output());
    }
}

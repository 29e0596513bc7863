package io.envgrid.testsupport.process;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher's stop and kill semantics on a real child JVM ({@link TinyApp}, started from a jar whose manifest
 * points at the test classes) that itself starts a child process.
 */
class PackagedAppTest {

    @TempDir
    static Path dir;
    private static Path jar;

    @BeforeAll
    static void makeJar() throws IOException {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, TinyApp.class.getName());
        Path classes = Path.of(TinyApp.class.getProtectionDomain().getCodeSource().getLocation().getPath());
        manifest.getMainAttributes().put(Attributes.Name.CLASS_PATH, classes.toUri().toString());
        jar = dir.resolve("tiny-app.jar");
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream ignored = new JarOutputStream(out, manifest)) {
            // a manifest only: the classes come from its Class-Path
        }
    }

    /** The app, started as {@code name}, and the child process it started. */
    private record Started(PackagedApp app, ProcessHandle child) {
    }

    private static Started start(String name) throws IOException {
        Path childPidFile = dir.resolve(name + ".pid");
        PackagedApp app = PackagedApp.of(name, jar).properties(Map.of("tiny.child-pid-file", childPidFile.toString()))
                .log(dir.resolve(name + ".log")).start();
        return new Started(app, ProcessHandle.of(Long.parseLong(Files.readString(childPidFile))).orElseThrow());
    }

    @Test
    void stopReturnsOnlyOnceTheAppAndWhatItStartedEnded() throws IOException {
        Started started = start("stop");
        started.app().stop();
        assertFalse(started.app().isAlive(), "the JVM ended");
        assertFalse(started.child().isAlive(), "its child ended before stop() returned");
    }

    @Test
    void closeAfterACrashEndsWhatTheCrashedAppLeftRunning() throws IOException {
        Started started = start("crash");
        started.app().kill();
        assertFalse(started.app().isAlive());
        assertTrue(started.child().isAlive(), "a crash of the JVM alone leaves its child running, as an OOM kill does");
        started.app().close();
        assertFalse(started.child().isAlive(), "close() ended the orphan the crash left");
    }

    @Test
    void aFailedStartShowsTheLogTailEvenWhenItIsNotValidUtf8() {
        IllegalStateException failed = assertThrows(IllegalStateException.class,
                () -> PackagedApp.of("failing", jar).properties(Map.of("tiny.fail", "true"))
                        .log(dir.resolve("failing.log")).start());
        assertTrue(failed.getMessage().contains("exited with 3"), failed.getMessage());
        assertTrue(failed.getMessage().contains("the last line before the exit"), failed.getMessage());
    }
}

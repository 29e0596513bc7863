package io.envgrid.deploycheck.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The images' JDK is found as {@code ./envgrid startup-bench}'s {@code aot_java_home} finds its JDK 25: the override
 * when set (and refused when it is not a JDK 25 or later), else the newest JDK 25 or later in the JVM directory,
 * aliases (symbolic links) skipped; none there means JDK 17 + AppCDS.
 */
class ImageRuntimeTest {

    @TempDir
    Path jvm;
    @TempDir
    Path elsewhere;

    @Test
    void theNewestJdk25OrLaterInTheJvmDirectoryIsPickedAndNoneMeansNone() throws Exception {
        assertEquals(Optional.empty(), ImageRuntime.aotJavaHome(null, jvm), "an empty directory has none");
        jdk("java-17-openjdk-amd64", "17.0.15");
        assertEquals(Optional.empty(), ImageRuntime.aotJavaHome("", jvm), "a JDK 17 is not one");
        Path older = jdk("temurin-25-jdk-amd64", "25.0.3");
        Path newest = jdk("zulu-25", "25.0.10");
        jdk("temurin-25-ea", "25-ea");
        Files.createSymbolicLink(jvm.resolve("default-java"), jdk(elsewhere, "jdk-26", "26"));
        assertEquals(Optional.of(newest), ImageRuntime.aotJavaHome(null, jvm),
                "25.0.10 is newer than 25.0.3 and 25-ea; the alias of a 26 is skipped");
        assertEquals(Optional.of(older), ImageRuntime.aotJavaHome(older.toString(), jvm), "the override wins");
    }

    @Test
    void anOverrideThatIsNoJdk25OrLaterIsRefused() throws Exception {
        Path jdk17 = jdk("java-17-openjdk-amd64", "17.0.15");
        assertThrows(IllegalStateException.class, () -> ImageRuntime.aotJavaHome(jdk17.toString(), jvm));
        assertThrows(IllegalStateException.class, () -> ImageRuntime.aotJavaHome(jvm.resolve("missing").toString(), jvm));
    }

    private Path jdk(String name, String version) throws Exception {
        return jdk(jvm, name, version);
    }

    private static Path jdk(Path directory, String name, String version) throws Exception {
        Path home = Files.createDirectories(directory.resolve(name));
        Path java = Files.createDirectories(home.resolve("bin")).resolve("java");
        Files.writeString(java, "");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}

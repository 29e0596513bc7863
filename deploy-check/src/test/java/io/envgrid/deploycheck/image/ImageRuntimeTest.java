package io.envgrid.deploycheck.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
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

    /**
     * What else a JVM directory holds on a build machine without a usable JDK 25 leaves it building JDK 17 + AppCDS: a
     * JDK 8 (its {@code JAVA_VERSION} is {@code 1.8.0_…}, no version string {@link Runtime.Version} parses) and a
     * JRE 25 (Debian's openjdk-25-jre-headless: bin/java, no bin/jlink to cut the image's runtime with) are skipped.
     * Was: the JDK 8 failed every image build with an IllegalArgumentException, and the JRE was picked and failed it
     * at jlink.
     */
    @Test
    void aJdk8AndAJre25AreSkipped() throws Exception {
        jdk("java-8-openjdk-amd64", "1.8.0_452");
        Files.delete(jdk("java-25-openjdk-amd64", "25.0.2").resolve("bin/jlink"));
        assertEquals(Optional.empty(), ImageRuntime.aotJavaHome(null, jvm));
        Path full = jdk("temurin-25-jdk-amd64", "25.0.1");
        assertEquals(Optional.of(full), ImageRuntime.aotJavaHome(null, jvm), "the older JDK over the newer JRE");
    }

    /** An override naming a JRE 25 or a JDK 8 is refused with the variable's message, before any linking. */
    @Test
    void anOverrideThatIsAJreOrAJdk8IsRefusedClearly() throws Exception {
        Path jre = jdk("java-25-openjdk-amd64", "25.0.2");
        Files.delete(jre.resolve("bin/jlink"));
        Path jdk8 = jdk("java-8-openjdk-amd64", "1.8.0_452");
        for (Path home : List.of(jre, jdk8)) {
            IllegalStateException refused = assertThrows(IllegalStateException.class,
                    () -> ImageRuntime.aotJavaHome(home.toString(), jvm));
            assertTrue(refused.getMessage().startsWith(ImageRuntime.AOT_JAVA_HOME_VARIABLE + "="), refused.getMessage());
        }
    }

    private Path jdk(String name, String version) throws Exception {
        return jdk(jvm, name, version);
    }

    private static Path jdk(Path directory, String name, String version) throws Exception {
        Path home = Files.createDirectories(directory.resolve(name));
        for (String program : List.of("java", "jlink")) {
            Path file = Files.createDirectories(home.resolve("bin")).resolve(program);
            Files.writeString(file, "");
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        }
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\nJAVA_VERSION=\"" + version + "\"\n");
        return home;
    }
}

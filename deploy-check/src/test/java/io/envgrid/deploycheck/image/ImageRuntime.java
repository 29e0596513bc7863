package io.envgrid.deploycheck.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The Java runtime the images carry and the class data recorded for it: jlinked from a JDK 25 or later with an AOT
 * cache when the build machine has one, from the build's own JDK with an AppCDS archive otherwise. The JDK 25 is
 * found as {@code ./envgrid startup-bench} finds it ({@code aot_java_home}): {@code ENVGRID_AOT_JAVA_HOME}, else the
 * newest JDK 25 or later under {@code /usr/lib/jvm}, except that it must hold {@code bin/jlink} too (a JRE cannot
 * cut the runtime; the bench only runs {@code java}) and a home whose version does not parse (a JDK 8's
 * {@code 1.8.0_…}) is no JDK 25 ({@code -Denvgrid.image.jvm-directory=DIR} looks elsewhere: a
 * directory without one, and no {@code ENVGRID_AOT_JAVA_HOME}, builds the JDK 17 + AppCDS images on a machine that
 * has a JDK 25, for comparing the two).
 *
 * @param path             the jlinked runtime (holding {@code bin/java})
 * @param javaVersion      the version of the JDK it was linked from ({@code JAVA_VERSION} of its {@code release})
 * @param classData        what the image records for it
 * @param containerOptions the pods' JVM options ({@code JDK_JAVA_OPTIONS} in k8s/base/jvm-options.yaml), with which an
 *                         AOT cache is recorded and checked: the profiles and the flags it was made with are the pods'
 */
record ImageRuntime(Path path, String javaVersion, ClassData classData, List<String> containerOptions) {

    /** The first release with the AOT cache recorded in one step ({@code -XX:AOTCacheOutput}, JEP 514). */
    static final int AOT_RELEASE = 25;
    static final String AOT_JAVA_HOME_VARIABLE = "ENVGRID_AOT_JAVA_HOME";
    static final Path JVM_DIRECTORY = Path.of(System.getProperty("envgrid.image.jvm-directory", "/usr/lib/jvm"));
    /** The patch adding the pods' JVM options (k8s "Start-up and memory"). */
    static final String POD_JVM_OPTIONS = "k8s/base/jvm-options.yaml";

    /**
     * Picks the JDK, links its runtime into {@code target} unless one from it is there ({@link JlinkRuntime}) and says
     * which on standard output.
     *
     * @param root the repository root (for the pods' JVM options)
     */
    static ImageRuntime prepare(Path root, Path target) throws IOException, InterruptedException {
        Optional<Path> aot = aotJavaHome(System.getenv(AOT_JAVA_HOME_VARIABLE), JVM_DIRECTORY);
        Path home = aot.orElse(Path.of(System.getProperty("java.home")));
        String version = javaVersion(home).orElseThrow(() -> new IllegalStateException("no JAVA_VERSION in " + home.resolve("release")));
        ClassData classData = feature(version) >= AOT_RELEASE ? ClassData.AOT_CACHE : ClassData.APP_CDS;
        System.out.println("deploy-check images: Java runtime jlinked from JDK " + version + " (" + home + ") with "
                + (classData == ClassData.AOT_CACHE ? "an AOT cache (" + classData.file + ")"
                        : "an AppCDS archive (" + classData.file + "): no JDK " + AOT_RELEASE + " or later in "
                        + AOT_JAVA_HOME_VARIABLE + " or " + JVM_DIRECTORY));
        Path runtime = JlinkRuntime.linkUnlessPresent(target, home, version);
        List<String> options = Arrays.stream(podJvmOptions(root.resolve(POD_JVM_OPTIONS)).trim().split("\\s+")).toList();
        return new ImageRuntime(runtime, version, classData, options);
    }

    /**
     * The JDK 25 or later to build from: {@code override} when set (which must be one), else the newest under
     * {@code jvmDirectory} (symbolic links skipped: Debian's aliases of the same JDKs); empty when there is none.
     *
     * @throws IllegalStateException when {@code override} is set but not a JDK 25 or later
     */
    static Optional<Path> aotJavaHome(String override, Path jvmDirectory) throws IOException {
        if (override != null && !override.isBlank()) {
            Path home = Path.of(override);
            if (!isJdk(home) || version(home).map(Runtime.Version::feature).orElse(0) < AOT_RELEASE) {
                throw new IllegalStateException(AOT_JAVA_HOME_VARIABLE + "=" + override + " is not a JDK " + AOT_RELEASE
                        + " or later (bin/java, bin/jlink and a release file of that version)");
            }
            return Optional.of(home);
        }
        if (!Files.isDirectory(jvmDirectory)) {
            return Optional.empty();
        }
        Path best = null;
        Runtime.Version bestVersion = null;
        try (Stream<Path> homes = Files.list(jvmDirectory)) {
            // a JRE (Debian's openjdk-25-jre-headless) cannot cut the image's runtime: the JDK 17 path, not a failure
            for (Path home : homes.filter(h -> !Files.isSymbolicLink(h) && isJdk(h)).sorted().toList()) {
                Optional<Runtime.Version> version = version(home);
                if (version.isEmpty() || version.get().feature() < AOT_RELEASE) {
                    continue;
                }
                Runtime.Version parsed = version.get();
                if (bestVersion == null || parsed.compareTo(bestVersion) > 0) {
                    best = home;
                    bestVersion = parsed;
                }
            }
        }
        return Optional.ofNullable(best);
    }

    /** {@code JAVA_VERSION} of a Java home's {@code release} file. */
    static Optional<String> javaVersion(Path home) throws IOException {
        Path release = home.resolve("release");
        if (!Files.isRegularFile(release)) {
            return Optional.empty();
        }
        return Files.readAllLines(release).stream().filter(line -> line.startsWith("JAVA_VERSION=\""))
                .map(line -> line.substring("JAVA_VERSION=\"".length(), line.length() - 1)).findFirst();
    }

    private static int feature(String version) {
        return Runtime.Version.parse(version).feature();
    }

    /** A home with the programs the image build runs: {@code java} (the recording) and {@code jlink}. */
    private static boolean isJdk(Path home) {
        return Files.isExecutable(home.resolve("bin/java")) && Files.isExecutable(home.resolve("bin/jlink"));
    }

    /**
     * A home's {@link #javaVersion} parsed; empty when absent or of the form before JDK 9 ({@code 1.8.0_452}, which
     * {@link Runtime.Version} does not parse): such a JDK is older than 25 in any case.
     */
    static Optional<Runtime.Version> version(Path home) throws IOException {
        Optional<String> text = javaVersion(home);
        try {
            return text.map(Runtime.Version::parse);
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The JDK_JAVA_OPTIONS value the patch in k8s/base/jvm-options.yaml adds to every service container. */
    static String podJvmOptions(Path patch) throws IOException {
        for (JsonNode op : new YAMLMapper().readTree(patch.toFile())) {
            if ("JDK_JAVA_OPTIONS".equals(op.path("value").path("name").asText())) {
                return op.path("value").path("value").asText();
            }
        }
        throw new IllegalStateException("no JDK_JAVA_OPTIONS in " + patch);
    }
}

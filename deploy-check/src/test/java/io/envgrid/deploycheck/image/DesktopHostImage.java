package io.envgrid.deploycheck.image;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedSet;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

/**
 * The desktop host's image (issue 13: on Kubernetes a desktop pod is the unit of scale): the device agent's
 * {@link ServiceImage} on top of a layer holding the programs its hosted desktops run ({@link DesktopPackages}: Xvfb,
 * openbox, util-linux's setpriv/prlimit/nsenter, iproute2, …), taken from the build machine's installed Debian
 * packages. No remote base image: that layer is written as a {@code docker save} tarball and given to Jib as its base
 * ({@link TarImage}), so no Docker daemon and no registry are needed to build it.
 *
 * <p>Runs as root ({@link #USER}): the agent switches each desktop's processes to the desktop's own uid
 * ({@code setpriv}), makes its network namespace, mounts its disk and writes its control group, none of which a
 * non-root agent can (device-agent-service/README.md, "Desktop fleet").
 *
 * @param agent the device agent's service image (its module's {@code target/quarkus-app})
 */
record DesktopHostImage(ServiceImage agent) {

    /** Root: the agent's per-desktop uid switch, namespaces, mounts and control groups need it. */
    static final String USER = "0:0";
    /** The image's package list, one {@code name architecture version} per line. */
    static final String PACKAGE_LIST = "/usr/share/envgrid/desktop-packages";
    /** Label: the fixed package list the layer is the dependency closure of. */
    static final String ROOTS_LABEL = "io.envgrid.desktop.roots";
    /** Label: how many packages the layer holds (listed in {@link #PACKAGE_LIST}). */
    static final String COUNT_LABEL = "io.envgrid.desktop.packages";
    /** Desktop i is served on {@code FIRST_DESKTOP_PORT + i} ({@code desktops.first-port}, as in {@code ./envgrid up}). */
    static final int FIRST_DESKTOP_PORT = 8090;
    /** Desktop ports the image declares ({@code EXPOSE} documents, it opens nothing): up to this many desktops a pod. */
    static final int EXPOSED_DESKTOPS = 8;
    /** A search path: the image has no shell profile that would set one, and the agent runs its tools by name. */
    static final String PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** Bumped when the base layer's making changes, so a cached tarball made the old way is not reused. */
    private static final String LAYOUT = "1";
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * The base tarball for these packages, made unless one for exactly these package versions is in {@code work}
     * (writing and compressing the layer takes tens of seconds).
     *
     * @return the {@code docker save} tarball (one layer, {@code manifest.json}, its config)
     */
    static Path baseUnlessPresent(List<DesktopPackages.Package> packages, Path work) throws IOException, InterruptedException {
        String listing = DesktopPackages.listing(packages);
        String key = sha256(LAYOUT + "\n" + listing).substring(0, 16);
        Path tarball = work.resolve("desktop-base-" + key + ".tar");
        if (Files.isRegularFile(tarball)) {
            return tarball;
        }
        AppCdsArchive.deleteTree(work);
        Path staging = Files.createDirectories(work.resolve("staging"));
        SortedSet<Path> files = DesktopPackages.files(packages);
        // Generated, not the build machine's: a package list, and users without the build machine's accounts (the
        // agent's exec.user is nobody; desktops need no entry, their uids are numbers).
        Path generated = staging.resolve("generated");
        write(generated, PACKAGE_LIST, listing);
        write(generated, "/etc/passwd", "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        write(generated, "/etc/group", "root:x:0:\nplugdev:x:46:\nnogroup:x:65534:\n");
        // Mount points for what the kubelet (and the test's chroot) binds there.
        for (String file : List.of("/etc/hosts", "/etc/resolv.conf", "/etc/hostname")) {
            write(generated, file, "");
        }
        Path list = staging.resolve("files");
        List<String> names = new ArrayList<>();
        for (Path file : files) {
            names.add(file.toString().substring(1));
        }
        Files.write(list, names);
        Path layerTar = staging.resolve("layer.tar");
        // GNU tar keeps links as links, modes (setuid, 1777) as they are; owner root and one mtime for every entry,
        // so the same packages make the same layer. --no-recursion: a directory entry is the directory alone.
        List<String> tar = new ArrayList<>(List.of("tar", "--create", "--file", layerTar.toString(), "--no-recursion",
                "--owner=0", "--group=0", "--numeric-owner", "--mtime=@1", "--format=posix",
                "--pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime",
                "-C", "/", "--files-from", list.toString(), "-C", generated.toString()));
        try (var generatedFiles = Files.walk(generated)) {
            generatedFiles.filter(Files::isRegularFile).map(p -> generated.relativize(p).toString()).sorted().forEach(tar::add);
        }
        exec(tar, staging.resolve("tar.log"));
        Path layerGz = staging.resolve("layer.tar.gz");
        String diffId;
        try (InputStream in = new DigestInputStream(Files.newInputStream(layerTar), MessageDigest.getInstance("SHA-256"));
             OutputStream out = new GZIPOutputStream(Files.newOutputStream(layerGz), 1 << 16)) {
            in.transferTo(out);
            diffId = "sha256:" + HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        Files.delete(layerTar);
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        config.putObject("config").putArray("Env").add("PATH=" + PATH);
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        rootfs.putArray("diff_ids").add(diffId);
        Files.writeString(staging.resolve("config.json"), JSON.writeValueAsString(config));
        ObjectNode entry = JSON.createObjectNode().put("Config", "config.json");
        entry.putArray("RepoTags").add("envgrid/desktop-base:" + key);
        entry.putArray("Layers").add("layer.tar.gz");
        Files.writeString(staging.resolve("manifest.json"), JSON.writeValueAsString(JSON.createArrayNode().add(entry)));
        Path partial = work.resolve("desktop-base.tar.partial");
        exec(List.of("tar", "--create", "--file", partial.toString(), "-C", staging.toString(), "manifest.json",
                "config.json", "layer.tar.gz"), staging.resolve("tar.log"));
        Files.move(partial, tarball);
        AppCdsArchive.deleteTree(staging);
        return tarball;
    }

    /** The agent's entrypoint, unchanged: the JVM on the fast-jar with its class data. */
    static List<String> entrypoint(ClassData classData) {
        return ServiceImage.entrypoint(classData);
    }

    /** The agent's port, then the desktops' ports. */
    Set<Integer> ports() {
        Set<Integer> ports = new LinkedHashSet<>();
        ports.add(agent.httpPort());
        for (int i = 0; i < EXPOSED_DESKTOPS; i++) {
            ports.add(FIRST_DESKTOP_PORT + i);
        }
        return ports;
    }

    /**
     * Builds and pushes the image: the base tarball's layer, then the agent's four layers, as root.
     *
     * @param packages the packages the base holds (their roots go into a label)
     * @param base     {@link #baseUnlessPresent}'s tarball
     * @return the pushed image's digest ({@code sha256:…})
     */
    String push(List<DesktopPackages.Package> packages, Path base, ImageRuntime runtime, String registry, boolean plainHttp,
                Path cache, Path staging) throws IOException, InterruptedException {
        Path deployments = AppCdsArchive.record(runtime, agent.quarkusApp(), staging);
        try {
            ImageReference target = ImageReference.parse(registry + "/" + agent.repository() + ":" + agent.tag());
            RegistryImage destination = RegistryImage.named(target)
                    .addCredentialRetriever(CredentialRetrieverFactory.forImage(target, event -> { }).dockerConfig());
            Map<String, String> labels = new LinkedHashMap<>(agent.labels(runtime));
            labels.put("org.opencontainers.image.title", "desktop-host");
            labels.put(ROOTS_LABEL, String.join(" ", DesktopPackages.ROOTS));
            labels.put(COUNT_LABEL, Integer.toString(packages.size()));
            Set<Port> ports = new LinkedHashSet<>();
            ports().forEach(p -> ports.add(Port.tcp(p)));
            JibContainer container = agent.onto(Jib.from(TarImage.at(base)), runtime, deployments)
                    .setUser(USER)
                    .setExposedPorts(ports)
                    .setEnvironment(Map.of("JAVA_HOME", ServiceImage.JAVA_HOME.toString(), "LANG", "C.UTF-8", "PATH", PATH))
                    .setLabels(labels)
                    .containerize(ServiceImage.containerizer(destination, plainHttp, cache));
            return container.getDigest().toString();
        } catch (InvalidImageReferenceException | RegistryException | CacheDirectoryCreationException | ExecutionException e) {
            throw new IOException("building the desktop host image " + agent.repository() + ":" + agent.tag() + " failed", e);
        }
    }

    private static void write(Path root, String absolute, String content) throws IOException {
        Path file = root.resolve(absolute.substring(1));
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
    }

    private static void exec(List<String> command, Path log) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!process.waitFor(600, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(command.get(0) + " failed: " + Files.readString(log));
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}

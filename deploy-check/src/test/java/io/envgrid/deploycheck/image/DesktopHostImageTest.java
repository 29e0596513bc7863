package io.envgrid.deploycheck.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Builds the desktop host's image ({@link DesktopHostImage}) without a Docker daemon, pushes it to a registry on
 * loopback, reads it back (user, entrypoint, ports, labels, the package list), and — where the test runs as root, as
 * CI does — starts its entrypoint on the unpacked layers, made the root of a mount namespace as a runtime makes them,
 * with one hosted desktop, until that desktop's own port serves a screenshot of its display: so the agent found every
 * program it runs (Xvfb, openbox, xterm, setpriv, prlimit, nsenter, unshare, taskset, ip, mount, …) in the image and
 * none on the build machine. Needs the device agent packaged, and no fleet lock ({@code /tmp/envgrid-fleet.lock}):
 * what it shares with the other tests' agents on this machine is kept apart — its one desktop's uid
 * ({@link #DESKTOP_UID_BASE} and up) is none of theirs, so a reset's kill of every process of the uid reaches no other
 * test, nor theirs its; its host device (uid 60999, every fleet test's) is off; its ports and display number are
 * picked free, its control groups named by its agent's pid.
 */
class DesktopHostImageTest {

    private static final Path ROOT = Path.of(System.getProperty("envgrid.repo.root", "..")).toAbsolutePath().normalize();
    private static final Path WORK = ROOT.resolve("deploy-check/target/image");
    private static final String MODULE = "device-agent-service";
    private static final String REPOSITORY = "envgrid/desktop-host";
    private static final String TAG = "0.1.0-test";
    private static final int AGENT_PORT = 8083;
    /** The first start fills the page cache with the image's programs; a loaded 2-core machine takes its time. */
    private static final Duration START_TIMEOUT = Duration.ofSeconds(150);
    /** What the fleet execs by absolute path or by name (device-agent README, "Desktop fleet"), in the image. */
    private static final List<String> PROGRAMS = List.of("usr/bin/Xvfb", "usr/bin/openbox", "usr/bin/xterm",
            "usr/bin/setpriv", "usr/bin/prlimit", "usr/bin/nsenter", "usr/bin/unshare", "usr/bin/ipcrm", "usr/bin/mount",
            "usr/bin/umount", "usr/bin/taskset", "usr/bin/ip", "usr/bin/slirp4netns", "usr/bin/xprop", "usr/bin/xdotool", "usr/bin/wmctrl",
            "usr/bin/xdg-open", "usr/bin/python3", "usr/bin/ffmpeg", "usr/bin/kill", "bin/sh", "usr/bin/xauth");
    /** The desktop host's workload: the test starts the image with its capabilities, read-only root and volumes. */
    private static final Path MANIFEST = ROOT.resolve("k8s/components/desktop-fleet/desktop-host.yaml");
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    /**
     * The lowest uid of the desktop it starts, varied by pid (plus pid mod 1000) as the device agent's own FleetDesktops
     * varies its: above every uid the other tests' agents give (the host device's 60999, {@code ./envgrid up}'s and
     * SoakIT's 61000 + i, the single uids 6199x, FleetDesktops' 62000 to 69999).
     */
    private static final int DESKTOP_UID_BASE = 70000;

    @Test
    void desktopHostImageIsBuiltPushedReadBackAndServesADesktopFromItsLayers() throws Exception {
        Path quarkusApp = ROOT.resolve(MODULE).resolve("target/quarkus-app");
        assertTrue(Files.isRegularFile(quarkusApp.resolve("quarkus-run.jar")),
                "package " + MODULE + " first (mvn -B -pl " + MODULE + " -am install -DskipTests)");
        long t0 = System.nanoTime();
        List<DesktopPackages.Package> packages = DesktopPackages.closure(DesktopPackages.ROOTS);
        Path base = DesktopHostImage.baseUnlessPresent(packages, WORK.resolve("desktop-base"));
        long based = System.nanoTime();
        ImageRuntime runtime = ImageRuntime.prepare(ROOT, WORK.resolve("java-runtime"));
        DesktopHostImage image = new DesktopHostImage(new ServiceImage(REPOSITORY, TAG, quarkusApp, AGENT_PORT));
        Path run = Files.createTempDirectory(Files.createDirectories(WORK), "desktop-run");
        try (LocalRegistry registry = LocalRegistry.start(run.resolve("registry"))) {
            String digest = image.push(packages, base, runtime, registry.host(), true, WORK.resolve("jib-cache"),
                    WORK.resolve("cds-staging-desktop"));
            long pushed = System.nanoTime();

            RegistryReader reader = new RegistryReader(registry.url());
            RegistryReader.Manifest read = reader.manifest(REPOSITORY, TAG);
            assertEquals(digest, read.digest(), "the tag resolves to the pushed manifest");
            JsonNode manifest = read.json();
            JsonNode config = reader.jsonBlob(REPOSITORY, manifest.path("config").path("digest").asText()).path("config");
            assertEquals(DesktopHostImage.USER, config.path("User").asText(), "the fleet switches uids per desktop: root");
            assertEquals(DesktopHostImage.entrypoint(runtime.classData()), ImageTest.strings(config.path("Entrypoint")));
            assertEquals(runtime.javaVersion(), config.path("Labels").path(ServiceImage.JAVA_LABEL).asText());
            assertEquals(runtime.classData().label, config.path("Labels").path(ServiceImage.CLASS_DATA_LABEL).asText());
            for (int port : image.ports()) {
                assertTrue(config.path("ExposedPorts").has(port + "/tcp"), port + " in " + config.path("ExposedPorts"));
            }
            JsonNode labels = config.path("Labels");
            assertEquals("desktop-host", labels.path("org.opencontainers.image.title").asText());
            assertEquals(TAG, labels.path("org.opencontainers.image.version").asText());
            assertEquals(String.join(" ", DesktopPackages.ROOTS), labels.path(DesktopHostImage.ROOTS_LABEL).asText());
            assertEquals(Integer.toString(packages.size()), labels.path(DesktopHostImage.COUNT_LABEL).asText());
            assertTrue(ImageTest.strings(config.path("Env")).contains("PATH=" + DesktopHostImage.PATH), config.path("Env").toString());
            assertEquals(5, manifest.path("layers").size(), "desktop programs, runtime, dependencies, application, class-data");

            // Under /tmp, world-traversable: the desktop's uid must reach its home under the image's /tmp.
            Path rootfs = Files.createTempDirectory("envgrid-desktop-rootfs");
            Files.setPosixFilePermissions(rootfs, PosixFilePermissions.fromString("rwxr-xr-x"));
            long bytes = 0;
            String outcome;
            try {
                for (JsonNode layer : manifest.path("layers")) {
                    Path blob = reader.blobTo(REPOSITORY, layer.path("digest").asText(),
                            run.resolve(layer.path("digest").asText().replace(':', '-') + ".tar.gz"));
                    bytes += Files.size(blob);
                    ImageTest.untar(blob, rootfs);
                    Files.delete(blob);
                }
                List<String> listed = Files.readAllLines(rootfs.resolve(DesktopHostImage.PACKAGE_LIST.substring(1)));
                assertEquals(packages.stream().map(DesktopPackages.Package::line).toList(), listed);
                for (String root : DesktopPackages.ROOTS) {
                    assertTrue(listed.stream().anyMatch(line -> line.startsWith(root + " ")), root + " in the package list");
                }
                for (String program : PROGRAMS) {
                    assertTrue(Files.isExecutable(rootfs.resolve(program)), program + " is in the image");
                }
                if (namespaceRootPossible()) {
                    outcome = startAsPod(runtime.classData(), rootfs, run.resolve("agent.log"));
                } else {
                    outcome = "not started: the layers as a namespace's root need root and unshare/pivot_root (CI runs as root)";
                }
            } finally {
                removeRootfs(rootfs);
            }
            System.out.printf("deploy-check desktop host image %s:%s %s: %d packages, %d layers, %.1f MB compressed;"
                            + " base layer (closure, tar, gzip; cached per package versions) %d ms, record class data"
                            + " + build + push %d ms; %s%n",
                    REPOSITORY, TAG, digest, packages.size(), manifest.path("layers").size(), bytes / 1e6,
                    TimeUnit.NANOSECONDS.toMillis(based - t0), TimeUnit.NANOSECONDS.toMillis(pushed - based), outcome);
        }
    }

    /** Root, and the tools to make a private mount namespace and make the layers its root (util-linux). */
    private static boolean namespaceRootPossible() {
        return "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/unshare"))
                && Files.isExecutable(Path.of("/usr/sbin/pivot_root"));
    }

    /**
     * Starts the image's entrypoint on the unpacked layers as the root of a mount namespace of its own (so every
     * mount — the binds below, the desktop's disk, its network namespace's file — goes with its last process and
     * none reaches the build machine's), with {@code /proc}, {@code /sys} and {@code /dev} bound in as a runtime
     * provides them, and the environment a pod would give it: one hosted desktop, open desktop routes (no
     * allocator here, so no lease to check), no allocator reachable. Waits for liveness, then for the desktop's
     * port to answer {@code GET /screenshot} with a PNG, and checks that the desktop's X server runs from the image.
     *
     * @return what was seen, for the printed line
     */
    private static String startAsPod(ClassData classData, Path rootfs, Path log)
            throws IOException, InterruptedException {
        int agentPort = freePort();
        int desktopPort = freePort();
        // apart from every other test's desktops and from another run of this test (by pid), so no lock is needed
        int firstUid = DESKTOP_UID_BASE + (int) (ProcessHandle.current().pid() % 1000);
        PodContainer pod = PodContainer.read(MANIFEST);
        for (String path : pod.writablePaths()) {
            Files.createDirectories(rootfs.resolve(path.substring(1)));
        }
        // The layers' directory becomes a mount of its own: pivot_root needs one, and a read-only root is a remount.
        List<String> steps = new ArrayList<>(List.of("set -e", "r=$1", "shift", "mount --bind \"$r\" \"$r\""));
        if (pod.readOnlyRoot()) {
            steps.add("mount -o remount,bind,ro \"$r\"");
        }
        steps.addAll(List.of("mount --rbind /proc \"$r/proc\"", "mount --rbind /sys \"$r/sys\"", "mount --rbind /dev \"$r/dev\"",
                "mount --bind /etc/hosts \"$r/etc/hosts\"", "mount --bind /etc/resolv.conf \"$r/etc/resolv.conf\""));
        // The pod's writable volumes, as the kubelet makes an emptyDir (a directory of mode 0777).
        for (String path : pod.writablePaths()) {
            steps.add("mount -t tmpfs -o mode=0777 envgrid-volume \"$r" + path + "\"");
        }
        // The layers become the root of the namespace, as a runtime makes them (pivot_root, the former root stacked on
        // the new one and detached): a chroot would leave the namespace's root at the build machine's /, and every
        // mount namespace the agent makes and enters (nsenter --mount goes to the namespace's root) would run its
        // desktop's programs on the build machine's files. The image's own setpriv then keeps only the pod's
        // capabilities and no_new_privs (allowPrivilegeEscalation: false), and the entrypoint starts in the image's
        // working directory as a runtime starts it.
        steps.add("cd \"$r\"");
        steps.add("pivot_root . .");
        steps.add("umount -l .");
        steps.add("exec /usr/bin/setpriv --inh-caps=-all --bounding-set=-all"
                + pod.capabilities().stream().map(c -> ",+" + c.toLowerCase(java.util.Locale.ROOT)).reduce("", String::concat)
                + (pod.noNewPrivileges() ? " --no-new-privs" : "")
                + " -- /bin/sh -c 'cd " + ServiceImage.APP + " && exec \"$@\"' sh \"$@\"");
        String script = String.join("; ", steps);
        List<String> command = new ArrayList<>(List.of("/usr/bin/unshare", "--mount", "--propagation", "private", "--",
                "/bin/sh", "-c", script, "sh", rootfs.toString()));
        command.addAll(DesktopHostImage.entrypoint(classData));
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(rootfs.toFile()).redirectErrorStream(true).redirectOutput(log.toFile());
        Map<String, String> env = builder.environment();
        env.clear();
        // The image's environment, and what a pod's manifest sets.
        env.putAll(Map.of("PATH", DesktopHostImage.PATH, "JAVA_HOME", ServiceImage.JAVA_HOME.toString(), "LANG", "C.UTF-8"));
        env.put("JDK_JAVA_OPTIONS", ImageTest.podJvmOptions());
        env.put("QUARKUS_HTTP_PORT", Integer.toString(agentPort));
        env.put("ENVGRID_ALLOCATOR_URL", "http://127.0.0.1:1");
        env.put("ENVGRID_DEVICE_AGENT_DATA_DIR", "/var/lib/envgrid/device-agent");
        env.put("ENVGRID_DEVICE_AGENT_AGENT_ID", "desktop-image-test");
        env.put("ENVGRID_DEVICE_AGENT_PUBLIC_URL", "http://127.0.0.1:" + agentPort);
        env.put("ENVGRID_DEVICE_AGENT_DESKTOPS_COUNT", "1");
        env.put("ENVGRID_DEVICE_AGENT_DESKTOPS_FIRST_PORT", Integer.toString(desktopPort));
        env.put("ENVGRID_DEVICE_AGENT_DESKTOPS_FIRST_UID", Integer.toString(firstUid));
        env.put("ENVGRID_DEVICE_AGENT_DESKTOPS_GEOMETRY", "800x600x24");
        env.put("ENVGRID_DEVICE_AGENT_DESKTOPS_STARTUP", "xterm -geometry 80x24+0+0");
        env.put("ENVGRID_DEVICE_AGENT_DESKTOP_AUTH", "open");
        // uid 60999, the host device's, is every fleet test's; the manifest turns the host device off too.
        env.put("ENVGRID_DEVICE_AGENT_LINUX_HOST_ENABLED", "false");
        long start = System.nanoTime();
        Process process = builder.start();
        try {
            Await.untilHttpOk("the desktop host's agent answering /q/health/live",
                    URI.create("http://127.0.0.1:" + agentPort + "/q/health/live"), START_TIMEOUT, process, log);
            long live = System.nanoTime();
            // HTTP/1.1 as the desktops' clients speak it: the JDK's default asks for h2c, an upgrade the desktop's port
            // refuses (400) by design, since it would tunnel past the port's gate
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest screenshot = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + desktopPort + "/screenshot"))
                    .timeout(Duration.ofSeconds(10)).build();
            byte[][] png = new byte[1][];
            String[] lastAnswer = {"none"};
            try {
                Await.until("desktop 0 answering GET /screenshot with a PNG (see " + log + ")", START_TIMEOUT, () -> {
                    if (!process.isAlive()) {
                        throw new IllegalStateException("the agent exited with " + process.exitValue() + "; see " + log);
                    }
                    try {
                        HttpResponse<byte[]> response = http.send(screenshot, HttpResponse.BodyHandlers.ofByteArray());
                        if (response.statusCode() == 200 && response.body().length > PNG.length
                                && Arrays.equals(Arrays.copyOf(response.body(), PNG.length), PNG)) {
                            png[0] = response.body();
                            return true;
                        }
                        String body = new String(response.body(), java.nio.charset.StandardCharsets.UTF_8);
                        lastAnswer[0] = response.statusCode() + " " + body.substring(0, Math.min(body.length(), 300));
                        return false;
                    } catch (IOException e) {
                        lastAnswer[0] = e.toString();
                        return false;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return false;
                    }
                });
            } catch (IllegalStateException notServed) {
                throw new IllegalStateException(notServed.getMessage() + "; its last answer: " + lastAnswer[0], notServed);
            }
            long served = System.nanoTime();
            ByteBuffer header = ByteBuffer.wrap(png[0], 16, 8);
            assertEquals(800, header.getInt(), "the desktop's screen width (IHDR)");
            assertEquals(600, header.getInt(), "the desktop's screen height (IHDR)");
            List<String> fromImage = programsRunningFrom(rootfs);
            assertTrue(fromImage.contains("Xvfb"), "the desktop's X server runs from the image: " + fromImage);
            return String.format("started on its layers as the root of a mount namespace: live %d ms after the start, desktop 0's screenshot"
                            + " (800x600, %d bytes) %d ms later; running from the image: %s",
                    TimeUnit.NANOSECONDS.toMillis(live - start), png[0].length, TimeUnit.NANOSECONDS.toMillis(served - live),
                    fromImage);
        } finally {
            Await.stop(process);
        }
    }

    /**
     * What the desktop host's manifest gives its agent's container, so the test starts the image as the pod would.
     *
     * @param capabilities     {@code securityContext.capabilities.add} (all others dropped)
     * @param readOnlyRoot     {@code readOnlyRootFilesystem}
     * @param noNewPrivileges  {@code allowPrivilegeEscalation: false}
     * @param writablePaths    the mount paths of its writable volumes
     */
    private record PodContainer(List<String> capabilities, boolean readOnlyRoot, boolean noNewPrivileges, List<String> writablePaths) {

        static PodContainer read(Path manifest) throws IOException {
            try (var documents = new YAMLMapper().readerFor(JsonNode.class).<JsonNode>readValues(manifest.toFile())) {
                while (documents.hasNext()) {
                    JsonNode document = documents.next();
                    if (!"StatefulSet".equals(document.path("kind").asText())) {
                        continue;
                    }
                    JsonNode container = document.path("spec").path("template").path("spec").path("containers").get(0);
                    JsonNode security = container.path("securityContext");
                    assertEquals(List.of("ALL"), ImageTest.strings(security.path("capabilities").path("drop")));
                    List<String> writable = new ArrayList<>();
                    for (JsonNode mount : container.path("volumeMounts")) {
                        if (!mount.path("readOnly").asBoolean(false)) {
                            writable.add(mount.path("mountPath").asText());
                        }
                    }
                    return new PodContainer(ImageTest.strings(security.path("capabilities").path("add")),
                            security.path("readOnlyRootFilesystem").asBoolean(false),
                            !security.path("allowPrivilegeEscalation").asBoolean(true), writable);
                }
            }
            throw new IllegalStateException("no StatefulSet in " + manifest);
        }
    }

    /** The names of the processes whose root directory is the unpacked image (those started on the layers). */
    private static List<String> programsRunningFrom(Path rootfs) throws IOException {
        List<String> names = new ArrayList<>();
        for (long pid : processesIn(rootfs.toRealPath())) {
            try {
                names.add(Files.readString(Path.of("/proc", Long.toString(pid), "comm")).strip());
            } catch (IOException gone) {
                // ended meanwhile
            }
        }
        return names.stream().distinct().sorted().toList();
    }

    /** The pids of the processes whose root directory is {@code root} (a real path). */
    private static List<Long> processesIn(Path root) {
        List<Long> pids = new ArrayList<>();
        try (var procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    // the same directory, whichever namespace's mount of it the process sees as its root
                    if (Files.isSameFile(proc.resolve("root"), root)) {
                        pids.add(Long.parseLong(proc.getFileName().toString()));
                    }
                } catch (IOException gone) {
                    // the process ended, or is not ours to read
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return pids;
    }

    /**
     * Deletes the unpacked layers, once nothing runs from them and none of the pod's mounts is visible here (they
     * were made in a private mount namespace; were one visible, deleting would reach into /proc, /sys or /dev).
     */
    private static void removeRootfs(Path rootfs) throws IOException {
        Path real = rootfs.toRealPath();
        try {
            Await.until("every process of the pod gone", Duration.ofSeconds(15), () -> processesIn(real).isEmpty());
        } catch (IllegalStateException stillThere) {
            // An agent killed before it stopped its desktops leaves them: ours (they run from these layers), so killed.
            processesIn(real).forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
            Await.until("every process of the pod gone after SIGKILL", Duration.ofSeconds(15), () -> processesIn(real).isEmpty());
        }
        String mounts = Files.readString(Path.of("/proc/self/mountinfo"));
        if (mounts.contains(" " + real + "/") || mounts.contains(" " + real + " ")) {
            throw new IllegalStateException("a mount below " + real + " is visible outside the pod's namespace; not deleting it");
        }
        ImageTest.deleteTree(real);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}

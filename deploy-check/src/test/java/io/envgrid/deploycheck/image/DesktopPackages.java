package io.envgrid.deploycheck.image;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * The programs a hosted desktop runs, as the Debian packages installed on the build machine: a fixed list of
 * packages ({@link #ROOTS}), their dependency closure read from dpkg's own database ({@code dpkg-query -W}:
 * {@code Depends} and {@code Pre-Depends}, the first installed alternative, virtual packages through
 * {@code Provides}), and the files dpkg says each one installed ({@code dpkg-query -L}). Recommends are not followed.
 *
 * <p>Why the installed packages and not {@code apt-get download}: no package archive need be reachable at build
 * time (the build machine's packages are what {@code ./envgrid test} installed, and what the device agent's tests
 * ran against), and no maintainer script is needed — the image gets the files as installed and configured.
 */
final class DesktopPackages {

    /**
     * What a hosted desktop's agent runs (device-agent-service/README.md "Desktop fleet"), each for: libc-bin (the
     * {@code C.UTF-8} locale of the image's {@code LANG}; essential, so no package depends on it), dash ({@code /bin/sh}: the agent's control-group join and file helpers), bash and coreutils, findutils, grep,
     * sed (the workers' shell and tools: OSWorld's {@code /run_bash_script}), util-linux ({@code setpriv},
     * {@code prlimit}, {@code nsenter}, {@code unshare}, {@code ipcrm}), mount ({@code mount}/{@code umount}: the
     * desktops' disks), procps ({@code kill}: the recorder), iproute2 ({@code ip netns}: the desktops' networks),
     * slirp4netns ({@code network=outbound}), xvfb with xfonts-base (its default font {@code fixed}), xauth,
     * x11-utils ({@code xprop}: the window manager's check), xdotool and wmctrl (windows and keys), openbox (the
     * window manager), xterm (the start-up program of {@code ./envgrid up}), xdg-utils ({@code /setup/open_file}),
     * xwallpaper ({@code change_wallpaper}), python3 ({@code /run_python}), python3-pyatspi with at-spi2-core and
     * dbus-x11 (the accessibility tree), ffmpeg (the screen recording).
     */
    static final List<String> ROOTS = List.of("libc-bin", "dash", "bash", "coreutils", "findutils", "grep", "sed", "util-linux",
            "mount", "procps", "iproute2", "slirp4netns", "xvfb", "xfonts-base", "xauth", "x11-utils", "xdotool", "wmctrl",
            "openbox", "xterm", "xdg-utils", "xwallpaper", "python3", "python3-pyatspi", "at-spi2-core", "dbus-x11",
            "ffmpeg");

    /** Documentation and translations: no desktop program reads them (a slim Debian image drops them too). */
    static final List<String> EXCLUDED = List.of("/usr/share/doc/", "/usr/share/man/", "/usr/share/info/",
            "/usr/share/locale/", "/usr/share/lintian/", "/usr/share/bug/", "/usr/share/gtk-doc/");

    /**
     * Directories the image needs whatever the packages: mount points a runtime (or the test's chroot) mounts on,
     * and the world-writable temporary directories (1777, taken with their mode from the build machine).
     */
    static final List<Path> DIRECTORIES = List.of(Path.of("/tmp"), Path.of("/var/tmp"), Path.of("/proc"), Path.of("/sys"),
            Path.of("/dev"), Path.of("/run"), Path.of("/root"));

    private static final long TIMEOUT_SECONDS = 120;

    private DesktopPackages() {
    }

    /**
     * An installed package.
     *
     * @param name         its name
     * @param architecture {@code amd64}, {@code all}, …
     * @param version      the installed version
     */
    record Package(String name, String architecture, String version) {

        /** {@code name:architecture}, as dpkg-query names one package of a multi-arch set. */
        String qualified() {
            return name + ":" + architecture;
        }

        /** One line of the image's package list: {@code name architecture version}. */
        String line() {
            return name + " " + architecture + " " + version;
        }
    }

    /** A dpkg database entry: the package and what its Depends and Pre-Depends name. */
    private record Entry(Package pkg, String depends) {
    }

    /**
     * The dependency closure of {@code roots} among the installed packages, sorted by name.
     *
     * @throws IllegalStateException naming a root that is not installed (run {@code ./envgrid test}, which installs
     *                               them), or a dependency none of whose alternatives is
     */
    static List<Package> closure(List<String> roots) throws IOException, InterruptedException {
        Map<String, Entry> installed = new HashMap<>();
        Map<String, SortedSet<String>> providers = new HashMap<>();
        String format = "${Package}\\t${Architecture}\\t${Version}\\t${db:Status-Abbrev}\\t${Depends}, ${Pre-Depends}\\t${Provides}\\n";
        for (String line : run(List.of("dpkg-query", "-W", "-f=" + format)).split("\n")) {
            String[] fields = line.split("\t", -1);
            if (fields.length < 6 || !fields[3].startsWith("ii")) {
                continue;
            }
            installed.put(fields[0], new Entry(new Package(fields[0], fields[1], fields[2]), fields[4]));
            for (String provided : fields[5].split(",")) {
                String name = bareName(provided);
                if (!name.isEmpty()) {
                    providers.computeIfAbsent(name, n -> new TreeSet<>()).add(fields[0]);
                }
            }
        }
        Map<String, Package> closure = new TreeMap<>();
        Deque<String> pending = new ArrayDeque<>();
        for (String root : roots) {
            if (resolve(root, installed, providers).isEmpty()) {
                throw new IllegalStateException("package " + root + " is not installed on the build machine:"
                        + " ./envgrid test installs the desktop programs (apt-get install " + root + ")");
            }
            pending.add(root);
        }
        while (!pending.isEmpty()) {
            String name = resolve(pending.pop(), installed, providers).orElseThrow();
            if (closure.containsKey(name)) {
                continue;
            }
            Entry entry = installed.get(name);
            closure.put(name, entry.pkg());
            for (String dependency : entry.depends().split(",")) {
                if (dependency.isBlank()) {
                    continue;
                }
                String chosen = null;
                for (String alternative : dependency.split("\\|")) {
                    if (resolve(alternative, installed, providers).isPresent()) {
                        chosen = alternative;
                        break;
                    }
                }
                if (chosen == null) {
                    throw new IllegalStateException(name + " depends on " + dependency.strip() + ", which is not installed");
                }
                pending.add(chosen);
            }
        }
        return List.copyOf(closure.values());
    }

    /** {@code libfoo (>= 1.2)}, {@code python3:any} → {@code libfoo}, {@code python3}. */
    private static String bareName(String relation) {
        String name = relation.strip();
        int space = name.indexOf(' ');
        if (space >= 0) {
            name = name.substring(0, space);
        }
        int colon = name.indexOf(':');
        return colon >= 0 ? name.substring(0, colon) : name;
    }

    /** The installed package a relation names: the package itself, else the first installed provider. */
    private static Optional<String> resolve(String relation, Map<String, Entry> installed, Map<String, SortedSet<String>> providers) {
        String name = bareName(relation);
        if (installed.containsKey(name)) {
            return Optional.of(name);
        }
        return Optional.ofNullable(providers.get(name)).filter(p -> !p.isEmpty()).map(SortedSet::first);
    }

    /**
     * Every path the packages installed that is present on this machine, outside {@link #EXCLUDED}, as the paths
     * the image holds them at: each with its directories resolved ({@code /lib/x86_64-linux-gnu/libc.so.6} is
     * {@code /usr/lib/x86_64-linux-gnu/libc.so.6} on a merged-/usr system), the file itself kept as it is (a
     * symbolic link stays one). What a link points to is added too when no package lists it (the
     * {@code /etc/alternatives} links update-alternatives makes), as are every path's parent directories, the
     * merged-/usr links of the root ({@code /bin → usr/bin}, …) and {@link #DIRECTORIES}. Sorted, so the layer is
     * the same for the same packages.
     */
    static SortedSet<Path> files(List<Package> packages) throws IOException, InterruptedException {
        SortedSet<Path> paths = new TreeSet<>();
        Deque<Path> pending = new ArrayDeque<>();
        for (Package pkg : packages) {
            for (String line : run(List.of("dpkg-query", "-L", pkg.qualified())).split("\n")) {
                // Other lines say where a diverted file went ("diverted by …"); the diverted-to path is listed too.
                if (line.startsWith("/")) {
                    pending.add(Path.of(line));
                }
            }
        }
        pending.addAll(DIRECTORIES);
        // dash's /bin/sh is made by a diversion, not listed as installed by it.
        pending.add(Path.of("/bin/sh"));
        while (!pending.isEmpty()) {
            Path path = pending.pop();
            if (excluded(path) || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                continue;
            }
            Path canonical = canonical(path);
            if (!paths.add(canonical)) {
                continue;
            }
            for (Path parent = canonical.getParent(); parent != null && parent.getParent() != null; parent = parent.getParent()) {
                paths.add(parent);
            }
            if (Files.isSymbolicLink(canonical)) {
                pending.add(canonical.resolveSibling(Files.readSymbolicLink(canonical)).normalize());
            }
        }
        alternatives(paths);
        try (var top = Files.list(Path.of("/"))) {
            top.filter(Files::isSymbolicLink).filter(link -> {
                try {
                    return paths.contains(link.toRealPath());
                } catch (IOException e) {
                    return false;
                }
            }).forEach(paths::add);
        }
        return paths;
    }

    /**
     * The links update-alternatives made for a file the image holds ({@code /usr/lib/x86_64-linux-gnu/libblas.so.3
     * → /etc/alternatives/libblas.so.3-x86_64-linux-gnu → …/blas/libblas.so.3}: ffmpeg's libraries load it by the
     * first name, which no package lists). From dpkg's alternatives database ({@code /var/lib/dpkg/alternatives/<name>}:
     * the mode, the master link, then slave name and link pairs up to an empty line): a link is added, with its
     * {@code /etc/alternatives} entry, when that entry points at a file already in {@code paths}.
     */
    private static void alternatives(SortedSet<Path> paths) throws IOException {
        Path database = Path.of("/var/lib/dpkg/alternatives");
        if (!Files.isDirectory(database)) {
            return;
        }
        try (var entries = Files.list(database)) {
            for (Path entry : entries.sorted().toList()) {
                List<String> lines = Files.readAllLines(entry);
                if (lines.size() < 2) {
                    continue;
                }
                Map<String, String> links = new TreeMap<>();
                links.put(entry.getFileName().toString(), lines.get(1));
                for (int i = 2; i + 1 < lines.size() && !lines.get(i).isEmpty(); i += 2) {
                    links.put(lines.get(i), lines.get(i + 1));
                }
                for (var link : links.entrySet()) {
                    Path selected = Path.of("/etc/alternatives", link.getKey());
                    Path path = Path.of(link.getValue());
                    if (!Files.isSymbolicLink(selected) || !Files.isSymbolicLink(path) || !Files.exists(selected)) {
                        continue;
                    }
                    if (paths.contains(selected.toRealPath()) && !excluded(path)) {
                        paths.add(canonical(selected));
                        paths.add(canonical(path));
                        for (Path parent = canonical(path).getParent(); parent != null && parent.getParent() != null; parent = parent.getParent()) {
                            paths.add(parent);
                        }
                    }
                }
            }
        }
    }

    private static boolean excluded(Path path) {
        String text = path.toString();
        return EXCLUDED.stream().anyMatch(prefix -> text.startsWith(prefix) || (text + "/").equals(prefix));
    }

    /** The path with its directories resolved, its last element kept (a link is not followed). */
    private static Path canonical(Path path) throws IOException {
        Path parent = path.getParent();
        return parent == null ? path : parent.toRealPath().resolve(path.getFileName());
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(false).start();
        process.getOutputStream().close();
        byte[] err = new byte[0];
        String out;
        try (var stdout = process.getInputStream(); var stderr = process.getErrorStream()) {
            out = new String(stdout.readAllBytes(), StandardCharsets.UTF_8);
            err = stderr.readAllBytes();
        }
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS) || process.exitValue() != 0) {
            process.destroyForcibly();
            throw new IOException(command + " failed: " + new String(err, StandardCharsets.UTF_8));
        }
        return out;
    }

    /** The package list as the image records it: one {@link Package#line()} per package. */
    static String listing(List<Package> packages) {
        List<String> lines = new ArrayList<>();
        packages.forEach(p -> lines.add(p.line()));
        return String.join("\n", lines) + "\n";
    }
}

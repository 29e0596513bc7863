package io.envgrid.deviceagent.osworld;

import io.envgrid.deviceagent.support.Xvfb;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a desktop session gives its applications for accessibility, on the test display: a D-Bus
 * session bus ({@code dbus-launch}), the accessibility bus ({@code at-spi-bus-launcher}, which
 * puts its address on the root window) and a GTK 3 window with a label and a button that
 * registers itself on it. Packages: at-spi2-core, dbus-x11, python3-gi, gir1.2-gtk-3.0 and
 * python3-pyatspi, installed by {@code ./envgrid test}. All of it runs as the agent's worker user ({@code nobody}), as
 * a worker's own applications do: the agent reads the tree as that user ({@code AccessibilityTree}).
 */
final class AccessibleSession implements AutoCloseable {

    static final String STATE_NS = "https://accessibility.ubuntu.example.org/ns/state";
    static final String COMPONENT_NS = "https://accessibility.ubuntu.example.org/ns/component";
    static final String ACTION_NS = "https://accessibility.ubuntu.example.org/ns/action";
    static final String TEXT_NS = "https://accessibility.ubuntu.example.org/ns/text";

    private static final String WINDOW = """
            import gi
            gi.require_version("Gtk", "3.0")
            from gi.repository import Gtk
            window = Gtk.Window(title="envgrid accessibility test")
            box = Gtk.Box(orientation=Gtk.Orientation.VERTICAL)
            box.add(Gtk.Label(label="Hello label"))
            box.add(Gtk.Button(label="Press me"))
            window.add(box)
            window.move(600, 500)
            window.show_all()
            Gtk.main()
            """;
    /** The test agent's worker user (envgrid.device-agent.exec.user's default) and its group. */
    private static final List<String> AS_WORKER = List.of("setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", "--");
    private static final Pattern VARIABLE = Pattern.compile("(DBUS_SESSION_BUS_ADDRESS|DBUS_SESSION_BUS_PID)='?([^';\\n]+)'?;");

    private final List<Process> processes = new ArrayList<>();
    private final String busPid;

    private AccessibleSession(String busPid) {
        this.busPid = busPid;
    }

    static AccessibleSession start(Path dir) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        // the bus sockets go to the runtime directory, which the worker user must own
        Path runtime = Files.createTempDirectory("envgrid-a11y");
        Files.setPosixFilePermissions(runtime, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Process launch = new ProcessBuilder(asWorker("dbus-launch", "--sh-syntax")).redirectErrorStream(true).start();
        String out = new String(launch.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!launch.waitFor(10, TimeUnit.SECONDS) || launch.exitValue() != 0) {
            throw new IllegalStateException("dbus-launch failed: " + out);
        }
        String address = null;
        String pid = null;
        Matcher m = VARIABLE.matcher(out);
        while (m.find()) {
            if (m.group(1).equals("DBUS_SESSION_BUS_ADDRESS")) {
                address = m.group(2);
            } else {
                pid = m.group(2);
            }
        }
        if (address == null || pid == null) {
            throw new IllegalStateException("no session bus in: " + out);
        }
        AccessibleSession session = new AccessibleSession(pid);
        Map<String, String> environment = Map.of("DISPLAY", Xvfb.display(), "DBUS_SESSION_BUS_ADDRESS", address,
                "XDG_RUNTIME_DIR", runtime.toString(), "HOME", runtime.toString());
        session.start(dir, environment, "/usr/libexec/at-spi-bus-launcher", "--launch-immediately");
        Path window = runtime.resolve("window.py");
        Files.writeString(window, WINDOW);
        session.start(dir, environment, "/usr/bin/python3", window.toString());
        return session;
    }

    private void start(Path dir, Map<String, String> environment, String... command) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(asWorker(command)).redirectErrorStream(true)
                .redirectOutput(dir.resolve(Path.of(command[command.length - 1]).getFileName() + ".log").toFile());
        builder.environment().putAll(environment);
        processes.add(builder.start());
    }

    private static List<String> asWorker(String... command) {
        List<String> all = new ArrayList<>(AS_WORKER);
        all.addAll(List.of(command));
        return all;
    }

    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            // the launcher's accessibility bus (a dbus-daemon) and what it activated would outlive it
            processes.get(i).descendants().forEach(ProcessHandle::destroyForcibly);
            processes.get(i).destroyForcibly();
        }
        ProcessHandle.of(Long.parseLong(busPid)).ifPresent(bus -> {
            bus.descendants().forEach(ProcessHandle::destroyForcibly);
            bus.destroyForcibly();
        });
    }
}

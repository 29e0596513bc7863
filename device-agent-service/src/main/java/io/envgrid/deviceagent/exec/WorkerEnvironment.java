package io.envgrid.deviceagent.exec;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The environment a host process gets: an allow-list of the agent's variables that a shell and X clients need
 * ({@code PATH}, {@code HOME}, {@code LANG}/{@code LC_*}, {@code DISPLAY}, {@code XAUTHORITY}, {@code TERM}, ...), never
 * the agent's own settings. No {@code ANDROID_*} variable: they pointed a worker's {@code adb} at the agent's adb server
 * ({@code ANDROID_ADB_SERVER_PORT}), which is the agent's alone ({@code driver/AdbServer} names its socket on each call). The agent is configured through its environment ({@code ENVGRID_*}, {@code QUARKUS_*}:
 * the service token, the allocator's token), and a child started by {@link ProcessBuilder} inherits all of it unless
 * told otherwise; a worker's {@code env} would print them. A name that looks like a secret ({@code *TOKEN*},
 * {@code *SECRET*}, {@code *PASSWORD*}, ...) is dropped even if it matches the allow-list.
 */
public final class WorkerEnvironment {

    private static final Set<String> ALLOWED = Set.of("PATH", "HOME", "USER", "LOGNAME", "SHELL", "LANG", "LANGUAGE",
            "TZ", "TERM", "DISPLAY", "XAUTHORITY", "WAYLAND_DISPLAY", "XDG_RUNTIME_DIR", "DBUS_SESSION_BUS_ADDRESS",
            "TMPDIR");
    private static final Pattern ALLOWED_PREFIX = Pattern.compile("LC_[A-Z_]+");
    private static final Pattern SECRET = Pattern.compile(".*(TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE|APIKEY|"
            + "API_KEY|ACCESS_KEY).*|ENVGRID_.*|QUARKUS_.*");

    private WorkerEnvironment() {
    }

    /** The variables of {@code source} a host process may see, in name order. */
    public static Map<String, String> scrub(Map<String, String> source) {
        Map<String, String> kept = new TreeMap<>();
        source.forEach((name, value) -> {
            if (allowed(name)) {
                kept.put(name, value);
            }
        });
        return kept;
    }

    /** Whether a variable of this name is passed on. */
    public static boolean allowed(String name) {
        if (SECRET.matcher(name.toUpperCase(Locale.ROOT)).matches()) {
            return false;
        }
        return ALLOWED.contains(name) || ALLOWED_PREFIX.matcher(name).matches();
    }
}

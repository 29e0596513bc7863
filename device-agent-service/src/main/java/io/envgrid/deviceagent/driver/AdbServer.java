package io.envgrid.deviceagent.driver;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import io.quarkus.runtime.Startup;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Where the agent's adb server listens: the Unix socket {@code adb.sock} in a directory only the agent's uid may enter
 * (mode 0700), never adb's default {@code tcp:localhost:5037}. That port answers every local process without any
 * credential — every worker's shell on this host (hosted desktops, the host device, the attached desktop) could drive
 * each Android device through it, leased to someone else or not, or kill the server (hostile review 11, F5). A
 * process of another uid cannot even open the socket ({@code EACCES} on the directory), so it cannot start a server of
 * its own there either.
 *
 * <p>Every adb command of the agent names the socket ({@code adb -L localfilesystem:<dir>/adb.sock …}; the first one
 * starts the server there, later ones reuse it, also across agent restarts) and runs with {@code TMPDIR} set to the
 * directory, where the server writes its log {@code adb.<uid>.log} instead of into {@code /tmp}, where another user may
 * have put a file or link of that name first.
 */
@Startup
@Singleton
public class AdbServer {

    /** Longest socket path a Unix socket address holds: {@code sun_path} is 108 bytes with the terminating NUL. */
    static final int MAX_SOCKET_PATH_BYTES = 107;
    static final String SOCKET_NAME = "adb.sock";
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");

    private final String adb;
    private final Path directory;

    /**
     * Prepares {@code envgrid.device-agent.adb.server-dir} (default {@code <data-dir>/adb-server}) when adb is
     * enabled; touches nothing otherwise.
     *
     * @throws IllegalStateException as {@link #AdbServer(String, Path)}
     */
    @Inject
    public AdbServer(DeviceAgentConfig config) {
        this.adb = config.adb().path();
        Path chosen = config.adb().serverDir().orElseGet(() -> config.dataDir().resolve("adb-server"));
        this.directory = chosen.toAbsolutePath().normalize();
        if (config.adb().enabled()) {
            prepare(directory);
        }
    }

    /**
     * The server of the {@code adb} binary at {@code adb}, in {@code directory}: made with mode 0700 if missing, else set
     * to 0700.
     *
     * @throws IllegalStateException when the directory cannot be made, is not a directory (a symbolic link included),
     *             belongs to another uid than the agent's (whoever owns it could put a server of their own there), or
     *             its socket path is longer than {@value #MAX_SOCKET_PATH_BYTES} bytes
     * @throws UncheckedIOException when it cannot be made or its owner and mode cannot be read or set
     */
    public AdbServer(String adb, Path directory) {
        this.adb = adb;
        this.directory = directory.toAbsolutePath().normalize();
        prepare(this.directory);
    }

    /** The server's address as adb takes it: {@code localfilesystem:<directory>/adb.sock}. */
    public String socketSpec() {
        return "localfilesystem:" + directory.resolve(SOCKET_NAME);
    }

    /** The directory of the socket and of the server's log. */
    public Path directory() {
        return directory;
    }

    /** {@code adb -L <socket spec> <arguments…>}: an adb command that talks to (or starts) this server only. */
    public List<String> command(String... arguments) {
        return Stream.concat(Stream.of(adb, "-L", socketSpec()), Stream.of(arguments)).toList();
    }

    /** What an adb command's environment adds: the server's log in the directory ({@code TMPDIR}). */
    public Map<String, String> environment() {
        return Map.of("TMPDIR", directory.toString());
    }

    private static void prepare(Path directory) {
        String socket = directory.resolve(SOCKET_NAME).toString();
        if (socket.getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH_BYTES) {
            throw new IllegalStateException("the adb server's socket " + socket + " is longer than "
                    + MAX_SOCKET_PATH_BYTES + " bytes, the most a Unix socket address holds: set "
                    + "envgrid.device-agent.adb.server-dir to a shorter path");
        }
        try {
            Files.createDirectories(directory.getParent());
            try {
                Files.createDirectory(directory, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException kept) {
                // a former agent's: its server may still be running, and is reused
            }
            if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
                throw new IllegalStateException("envgrid.device-agent.adb.server-dir " + directory
                        + " is not a directory (a symbolic link is not taken)");
            }
            long owner = ((Number) Files.getAttribute(directory, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
            if (owner != WorkerExec.ownUid()) {
                throw new IllegalStateException("envgrid.device-agent.adb.server-dir " + directory + " belongs to uid "
                        + owner + ", not to the agent's: its owner could put an adb server of its own there");
            }
            Files.setPosixFilePermissions(directory, OWNER_ONLY);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the adb server's directory " + directory + ": " + e, e);
        }
    }
}

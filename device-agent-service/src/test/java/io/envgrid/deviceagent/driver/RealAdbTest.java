package io.envgrid.deviceagent.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.config.DeviceAgentConfig;
import io.envgrid.deviceagent.exec.WorkerExec;
import java.io.IOException;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Android driver against the real {@code adb} binary (installed by {@code ./envgrid test}) with no device
 * attached, its server started the agent's way ({@link AdbServer}: a Unix socket in a 0700 directory of its own, here a
 * temporary one, so runs of several checkouts never share a server). Discovery runs {@code adb devices -l}, which starts
 * the server, and finds no device without error; a worker's uid cannot reach that server (hostile review 11, F5: on
 * {@code tcp:localhost:5037} every worker's shell could drive, and kill, it). The server is killed afterwards.
 */
class RealAdbTest {

    private static final String ADB = findAdb();
    /** The host device's uid and the attached desktop's exec user ({@code nobody}): two worker uids of a root agent. */
    private static final List<Long> WORKER_UIDS = List.of(60999L, 65534L);
    private static final String LISTING = "List of devices attached";

    @TempDir
    static Path state;
    private static AdbServer server;
    private static CommandRunner runner;

    @BeforeAll
    static void theAgentsServer() {
        server = new AdbServer(ADB, state.resolve("adb-server"));
        runner = new CommandRunner(config());
    }

    @AfterAll
    static void stopTheAdbServerItStarted() throws IOException {
        runner.run(server.command("kill-server"), null, server.environment());
        // a worker's adb, refused, tried to start a server of its own and logged that where its TMPDIR says
        Path workersTemp = Path.of(System.getenv().getOrDefault("TMPDIR", "/tmp"));
        for (long uid : WORKER_UIDS) {
            Files.deleteIfExists(workersTemp.resolve("adb." + uid + ".log"));
        }
    }

    @Test
    void discoveryWithTheRealAdbAndNoDeviceFindsNone() {
        CommandResult listing = runner.run(server.command("devices", "-l"), null, server.environment());
        assertEquals(0, listing.exitCode(), listing.error());
        assertTrue(listing.output().startsWith(LISTING), listing.output());

        assertEquals(List.of(), new AdbDriver(config(), runner, server).discover());
    }

    @Test
    void onlyTheAgentsUidReachesItsAdbServer() throws IOException {
        assumeTrue(WorkerExec.ownUid() == 0, "needs a root agent: only root switches workers to their own uids");
        assertEquals(List.of(), new AdbDriver(config(), runner, server).discover(), "the agent's way starts the server");
        Path socket = Path.of(server.socketSpec().substring("localfilesystem:".length()));

        for (long uid : WORKER_UIDS) {
            CommandResult devices = asWorker(uid, server.command("devices"));
            assertNotEquals(0, devices.exitCode(), "uid " + uid + " listed the agent's devices: " + devices.output());
            assertFalse(devices.output().contains(LISTING), "uid " + uid + ": " + devices.output());
            // adb answers 0 even when it reached no server: that the server survived is checked below
            asWorker(uid, server.command("kill-server"));
            // the adb wire protocol straight to the socket, as a worker without an adb binary would speak it
            CommandResult raw = asWorker(uid, List.of("/usr/bin/python3", "-c", "import socket, sys\n"
                    + "s = socket.socket(socket.AF_UNIX)\ns.connect(sys.argv[1])\ns.sendall(b'000chost:version')\n"
                    + "print(s.recv(64))", socket.toString()));
            assertNotEquals(0, raw.exitCode(), "uid " + uid + " spoke to the agent's server: " + raw.output());
            assertTrue(raw.error().contains("PermissionError"), "uid " + uid + ": " + raw.error());
        }

        CommandResult agent = runner.run(server.command("devices"), null, server.environment());
        assertEquals(0, agent.exitCode(), agent.error());
        assertTrue(agent.output().startsWith(LISTING), agent.output());
        assertFalse(agent.error().contains("starting now"), "no worker killed the agent's server: " + agent.error());
        assertTrue(Files.exists(socket, LinkOption.NOFOLLOW_LINKS), "the server listens on " + socket);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(server.directory())));
        assertEquals(Set.of(), tcpListeners(serverPid()), "the agent's adb server listens on no TCP port");
    }

    private static CommandResult asWorker(long uid, List<String> command) {
        List<String> switched = new ArrayList<>(List.of("setpriv", "--reuid=" + uid, "--regid=" + uid, "--clear-groups"));
        switched.addAll(command);
        return runner.run(switched, null);
    }

    /** The pid of the server {@link #server} started: adb runs it as {@code adb -L <spec> fork-server server …}. */
    private static long serverPid() {
        return ProcessHandle.allProcesses()
                .filter(process -> commandLine(process.pid()).contains(server.socketSpec() + "\0fork-server\0"))
                .findFirst().orElseThrow(() -> new AssertionError("no adb server on " + server.socketSpec()))
                .pid();
    }

    /** The socket inodes of {@code pid} that are listening TCP sockets (state 0A in {@code /proc/net/tcp}, tcp6). */
    private static Set<String> tcpListeners(long pid) throws IOException {
        Set<String> listening = new HashSet<>();
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            List<String> lines = Files.readAllLines(Path.of(table));
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+"); // sl local remote st queues timer retransmits uid timeout inode
                if (fields[3].equals("0A")) {
                    listening.add(fields[9]);
                }
            }
        }
        try (Stream<Path> fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
            return fds.map(RealAdbTest::link).filter(target -> target.startsWith("socket:["))
                    .map(target -> target.substring("socket:[".length(), target.length() - 1))
                    .filter(listening::contains).collect(Collectors.toSet());
        }
    }

    private static String link(Path fd) {
        try {
            return Files.readSymbolicLink(fd).toString();
        } catch (IOException gone) {
            return "";
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
            return "";
        }
    }

    private static String findAdb() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .map(dir -> Path.of(dir, "adb"))
                .filter(Files::isExecutable)
                .findFirst()
                .map(Path::toString)
                .orElseThrow(() -> new AssertionError("no adb on PATH: install it (./envgrid test does, "
                        + "apt-get install adb)"));
    }

    /** Only what the runner and the driver read: adb enabled at {@link #ADB}, and time for the server to start. */
    private static DeviceAgentConfig config() {
        DeviceAgentConfig.Adb adb = (DeviceAgentConfig.Adb) Proxy.newProxyInstance(RealAdbTest.class.getClassLoader(),
                new Class<?>[] {DeviceAgentConfig.Adb.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "enabled" -> true;
                    case "path" -> ADB;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
        return (DeviceAgentConfig) Proxy.newProxyInstance(RealAdbTest.class.getClassLoader(),
                new Class<?>[] {DeviceAgentConfig.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "adb" -> adb;
                    case "commandTimeout" -> Duration.ofSeconds(30);
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }
}

package io.envgrid.deviceagent.fleet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.envgrid.deviceagent.support.AgentPrivileges;
import io.envgrid.deviceagent.support.Conditions;
import io.envgrid.deviceagent.support.FleetLeases;
import io.envgrid.deviceagent.support.FleetLeases.Lease;
import io.envgrid.deviceagent.support.RealAllocator;
import io.envgrid.deviceagent.support.WithAllocator;
import io.envgrid.deviceagent.support.XServerProcess;
import io.envgrid.deviceagent.x11.wire.XAuthority;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * The attached display's cookie file below {@code /tmp} ({@code desktop.xauthority}, as {@code xvfb-run} makes one:
 * {@code /tmp/xvfb-run.XXXXXX/Xauthority}) stays readable by the exec user's X clients, though their {@code /tmp} is
 * their disk's ({@code WorkerUidDiskTest}): the entry holding it is bound into it read-only, with its own owner and
 * mode. An X server that admits only that cookie answers the exec user's {@code xdpyinfo} (and refuses one without the
 * cookie); the worker cannot make a file in that directory. Before, the exec user's {@code XAUTHORITY} named a file its
 * private {@code /tmp} did not have, and the server refused it.
 */
@QuarkusTest
@WithAllocator
@TestProfile(AttachedDesktopCookieTest.CookieBelowTmp.class)
class AttachedDesktopCookieTest {

    private static final String DESKTOP = RealAllocator.AGENT_ID + ":desktop";
    /** World-writable, so that only the binding's read-only flag stops the worker's writes in it. */
    private static final Path DIRECTORY = Path.of("/tmp", "envgrid-test-xauth-" + ProcessHandle.current().pid());
    private static final Path COOKIE = DIRECTORY.resolve("Xauthority");

    /**
     * The cookie file, made before the agent starts (its disk's first namespace is made at start): one entry for every
     * display, readable by all (0644), as the display's.
     */
    public static class CookieBelowTmp implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            makeCookie();
            return Map.of("envgrid.device-agent.desktop.xauthority", COOKIE.toString());
        }
    }

    private static synchronized void makeCookie() {
        if (Files.exists(COOKIE)) {
            return;
        }
        byte[] cookie = new byte[16];
        ThreadLocalRandom.current().nextBytes(cookie);
        try {
            Files.createDirectories(DIRECTORY);
            Files.setPosixFilePermissions(DIRECTORY, PosixFilePermissions.fromString("rwxrwxrwx"));
            Files.write(COOKIE, XAuthority.anyDisplayEntry(cookie));
            Files.setPosixFilePermissions(COOKIE, PosixFilePermissions.fromString("rw-r--r--"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void theExecUsersXClientsReadTheDisplaysCookieBelowTmp() throws Exception {
        assumeTrue(AgentPrivileges.isRoot(), "needs root: the exec user's /tmp is its own only where the agent resets "
                + "the attached desktop");
        Conditions.await(() -> "free".equals(FleetLeases.state(DESKTOP)), DESKTOP + " free", Duration.ofSeconds(30));
        // a server of the test's own that admits only the cookie's holders (the shared Xvfb admits every client)
        try (XServerProcess guarded = XServerProcess.start("-auth", COOKIE.toString())) {
            Lease a = FleetLeases.allocate("worker-attached-cookie");
            try {
                UnaryOperator<String> shell = command -> FleetLeases.output(a.shell(command));
                String probe = "xdpyinfo -display " + guarded.display() + " >/dev/null 2>&1 && echo reached "
                        + "|| echo refused";
                assertEquals(COOKIE + "\n", shell.apply("echo \"$XAUTHORITY\""), "the cookie file its clients use");
                assertEquals("refused\n", shell.apply("XAUTHORITY=/nonexistent " + probe),
                        "the server admits a client without the cookie");
                assertEquals("reached\n", shell.apply(probe), "the exec user's X client, with the cookie");
                String made = shell.apply("touch " + DIRECTORY.resolve("made") + " 2>&1; true");
                assertTrue(made.contains("Read-only file system"), made);
                assertFalse(Files.exists(DIRECTORY.resolve("made")), "the worker wrote the cookie's directory");
            } finally {
                FleetLeases.release(a);
            }
        } finally {
            Files.deleteIfExists(DIRECTORY.resolve("made"));
            Files.deleteIfExists(COOKIE);
            Files.deleteIfExists(DIRECTORY);
        }
    }
}

package io.envgrid.deviceagent.x11.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.envgrid.deviceagent.support.XServerProcess;
import io.envgrid.deviceagent.support.Xvfb;
import io.envgrid.deviceagent.x11.X11Exception;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The wire client against real Xvfb servers: setup, the core requests, XTEST, errors, authorization. */
class X11ConnectionTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final Path NO_XAUTHORITY = Path.of("target", "no-such-xauthority");

    @Test
    void readsTheScreenAndMovesThePointer() {
        try (X11Connection x = X11Connection.open(Xvfb.display(), TIMEOUT, NO_XAUTHORITY)) {
            int root = x.setup().root();
            Requests.Geometry size = Requests.geometry(x, root);
            assertEquals(Xvfb.WIDTH, size.width());
            assertEquals(Xvfb.HEIGHT, size.height());
            assertEquals(24, size.depth());

            XTest xtest = XTest.on(x);
            xtest.motion(root, 123, 456);
            x.sync();
            assertEquals(new Requests.Point(123, 456), Requests.pointer(x, root));

            ByteBuffer image = Requests.zPixmap(x, root, 16, 8);
            // 32 bits per pixel for depth 24 on Xvfb: 16 × 8 × 4 bytes after the 32-byte header
            assertEquals(32 + 16 * 8 * 4, image.limit());
        }
    }

    @Test
    void bindsASpareKeycodeAndReadsItBack() {
        try (X11Connection x = X11Connection.open(Xvfb.display(), TIMEOUT, NO_XAUTHORITY)) {
            ConnectionSetup setup = x.setup();
            Requests.KeyboardMapping before = Requests.keyboardMapping(x, setup.minKeycode(), setup.maxKeycode() - setup.minKeycode() + 1);
            int spare = -1;
            for (int k = setup.maxKeycode(); k >= setup.minKeycode() && spare < 0; k--) {
                if (before.keysym(k, 0) == 0 && before.keysym(k, 1) == 0) {
                    spare = k;
                }
            }
            assertTrue(spare > 0, "Xvfb's keymap leaves some keycode unmapped");
            int cyrillicZhe = 0x01000416;
            Requests.changeKeyboardMapping(x, spare, 2, new int[] {cyrillicZhe, cyrillicZhe});
            x.sync();
            assertEquals(cyrillicZhe, Requests.keyboardMapping(x, spare, 1).keysym(spare, 0));
            Requests.changeKeyboardMapping(x, spare, 2, new int[] {0, 0});
            x.sync();
            assertEquals(0, Requests.keyboardMapping(x, spare, 1).keysym(spare, 0));
            assertTrue(x.takeMappingChanged(), "the server announced the change with MappingNotify");
            int[][] modifiers = Requests.modifierMapping(x);
            assertEquals(0xffe1, Requests.keyboardMapping(x, modifiers[0][0], 1).keysym(modifiers[0][0], 0),
                    "the first Shift modifier key is Shift_L");
        }
    }

    @Test
    void anXErrorIsRefusedWithItsCode() {
        try (X11Connection x = X11Connection.open(Xvfb.display(), TIMEOUT, NO_XAUTHORITY)) {
            X11Exception.Refused refused = assertThrows(X11Exception.Refused.class, () -> Requests.geometry(x, 0x1));
            assertEquals(9, refused.code(), "BadDrawable");
            // the stream stays usable after an error
            assertEquals(Xvfb.WIDTH, Requests.geometry(x, x.setup().root()).width());
            assertEquals(-1, Requests.extensionOpcode(x, "NO-SUCH-EXTENSION"));
        }
    }

    @Test
    void nothingListeningIsUnreachable() {
        assertThrows(X11Exception.Unreachable.class, () -> X11Connection.open(":999", TIMEOUT, NO_XAUTHORITY));
        assertThrows(X11Exception.Unreachable.class, () -> X11Connection.open("not a display", TIMEOUT, NO_XAUTHORITY));
    }

    @Test
    void aServerWithAccessControlAdmitsTheCookieAndRefusesWithoutIt() throws IOException {
        byte[] cookie = new byte[16];
        ThreadLocalRandom.current().nextBytes(cookie);
        Path authority = Files.createTempFile(Path.of("target").toAbsolutePath(), "xauth", "");
        // an entry for every host (FamilyWild) and display, in Xau's file format
        Files.write(authority, entry(65535, "", "", cookie));
        try (XServerProcess server = XServerProcess.start("-auth", authority.toString())) {
            X11Exception.Unreachable refused = assertThrows(X11Exception.Unreachable.class,
                    () -> X11Connection.open(server.display(), TIMEOUT, NO_XAUTHORITY));
            assertTrue(refused.getMessage().contains("refused"), refused.getMessage());
            try (X11Connection x = X11Connection.open(server.display(), TIMEOUT, authority)) {
                assertEquals(640, Requests.geometry(x, x.setup().root()).width());
            }
        }
    }

    @Test
    void xauthorityEntriesMatchByFamilyHostAndDisplay() throws IOException {
        byte[] local = {1, 2, 3};
        byte[] other = {4, 5, 6};
        ByteArrayOutputStream file = new ByteArrayOutputStream();
        file.write(entry(256, "otherhost", "7", other));
        file.write(entry(256, "myhost", "8", other));
        file.write(entry(256, "myhost", "7", local));
        DisplayAddress seven = DisplayAddress.parse(":7.0");
        assertEquals("[1, 2, 3]", java.util.Arrays.toString(XAuthority.cookie(file.toByteArray(), seven, "myhost").orElseThrow()));
        assertTrue(XAuthority.cookie(file.toByteArray(), DisplayAddress.parse(":9"), "myhost").isEmpty());
        assertTrue(XAuthority.cookie(file.toByteArray(), seven, "elsewhere").isEmpty());
    }

    /**
     * A file past any real Xauthority's size is not read (a worker's sparse 2.1 GB file was read whole into the agent's
     * heap: an {@link OutOfMemoryError}, review13 F1); its cookie is none, whatever its first entry says.
     */
    @Test
    void anOversizedXauthorityFileIsNotRead() throws IOException {
        Path file = Files.createTempFile("envgrid-xauthority", ".test");
        try {
            Files.write(file, entry(65535, "", "", new byte[] {1, 2, 3}));
            assertEquals("[1, 2, 3]", java.util.Arrays.toString(XAuthority.cookie(file, DisplayAddress.parse(":7"))
                    .orElseThrow()));
            try (java.io.RandomAccessFile grown = new java.io.RandomAccessFile(file.toFile(), "rw")) {
                grown.setLength(2_100_000_000L); // sparse: no disk
            }
            assertTrue(XAuthority.cookie(file, DisplayAddress.parse(":7")).isEmpty(), "an oversized file gave a cookie");
        } finally {
            Files.delete(file);
        }
    }

    private static byte[] entry(int family, String host, String display, byte[] cookie) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeShort(family);
        for (byte[] field : new byte[][] {host.getBytes(StandardCharsets.US_ASCII), display.getBytes(StandardCharsets.US_ASCII),
                XAuthority.MIT_MAGIC_COOKIE.getBytes(StandardCharsets.US_ASCII), cookie}) {
            out.writeShort(field.length);
            out.write(field);
        }
        return bytes.toByteArray();
    }
}

package io.envgrid.deviceagent.x11.wire;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * The MIT-MAGIC-COOKIE-1 for a display from an Xauthority file ({@code $XAUTHORITY}, else {@code ~/.Xauthority}),
 * as Xlib picks it. The file is a sequence of entries, each: family (CARD16, big-endian), then address, display
 * number (as decimal text), authorization name and data, each a CARD16 length and that many bytes (Xau's format,
 * X11R6 {@code Xau} library, {@code AuthRead}). An entry matches by family FamilyLocal (256) with this host's
 * name, FamilyWild (65535), or an Internet address equal to the display's host; and by display number (or an
 * empty one). No file, no matching entry or a file over {@value #MAX_FILE_BYTES} bytes: connect without
 * authorization (a server run with no access control, as Xvfb is by default).
 */
public final class XAuthority {

    /** The only protocol this client speaks; XDM-AUTHORIZATION-1 needs DES and is not offered by Xvfb. */
    public static final String MIT_MAGIC_COOKIE = "MIT-MAGIC-COOKIE-1";

    /**
     * The largest file read, in bytes: an entry is at most 5 × 65,535 bytes, a real file holds a few of them. A larger
     * file is read as one without a matching entry (review13 F1: a 2 GB file was read whole into the agent's heap).
     */
    static final int MAX_FILE_BYTES = 1 << 20;

    private static final int FAMILY_INTERNET = 0;
    private static final int FAMILY_LOCAL = 256;
    private static final int FAMILY_WILD = 65535;

    private XAuthority() {
    }

    /** The user's Xauthority file as Xlib finds it: {@code $XAUTHORITY}, else {@code ~/.Xauthority}. */
    public static Path defaultFile() {
        String file = System.getenv("XAUTHORITY");
        return file != null && !file.isBlank() ? Path.of(file) : Path.of(System.getProperty("user.home"), ".Xauthority");
    }

    /** The cookie for this display from an Xauthority file, if the file exists and has one. */
    public static Optional<byte[]> cookie(Path path, DisplayAddress display) {
        if (!Files.isReadable(path)) {
            return Optional.empty();
        }
        try (java.io.InputStream in = Files.newInputStream(path)) {
            // read at most the bound, never the whole file: whoever may write it must not fill the reader's heap
            byte[] contents = in.readNBytes(MAX_FILE_BYTES + 1);
            if (contents.length > MAX_FILE_BYTES) {
                return Optional.empty(); // no Xauthority file of a real host is that large
            }
            return cookie(contents, display, InetAddress.getLocalHost().getHostName());
        } catch (IOException e) {
            // an unreadable file is as good as none: the server decides whether it admits us without
            return Optional.empty();
        }
    }

    /** The matching cookie among these file contents; {@code localHost} is the name FamilyLocal entries carry. */
    static Optional<byte[]> cookie(byte[] contents, DisplayAddress display, String localHost) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(contents));
        String number = Integer.toString(display.number());
        while (true) {
            int family;
            try {
                family = in.readUnsignedShort();
            } catch (EOFException end) {
                return Optional.empty();
            }
            byte[] address = field(in);
            String entryNumber = new String(field(in), StandardCharsets.US_ASCII);
            String name = new String(field(in), StandardCharsets.US_ASCII);
            byte[] data = field(in);
            boolean hostMatches = family == FAMILY_WILD
                    || family == FAMILY_LOCAL && display.local() && new String(address, StandardCharsets.US_ASCII).equals(localHost)
                    || family == FAMILY_INTERNET && !display.local() && internetMatches(address, display.host());
            if (hostMatches && (entryNumber.isEmpty() || entryNumber.equals(number)) && name.equals(MIT_MAGIC_COOKIE)) {
                return Optional.of(data);
            }
        }
    }

    /**
     * An Xauthority file's contents with one FamilyWild entry (any host) giving {@code cookie} for every display (an
     * empty display number matches any, for Xlib as for {@link #cookie}): for a server whose display number is chosen
     * after it has read the file ({@code Xvfb -displayfd}).
     */
    public static byte[] anyDisplayEntry(byte[] cookie) {
        return entry("", cookie);
    }

    private static byte[] entry(String number, byte[] cookie) {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (java.io.DataOutputStream out = new java.io.DataOutputStream(bytes)) {
            out.writeShort(FAMILY_WILD);
            for (byte[] field : new byte[][] {new byte[0], number.getBytes(StandardCharsets.US_ASCII),
                    MIT_MAGIC_COOKIE.getBytes(StandardCharsets.US_ASCII), cookie}) {
                out.writeShort(field.length);
                out.write(field);
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    private static boolean internetMatches(byte[] address, String host) {
        try {
            return Arrays.equals(InetAddress.getByName(host).getAddress(), address);
        } catch (IOException e) {
            return false;
        }
    }

    private static byte[] field(DataInputStream in) throws IOException {
        byte[] value = new byte[in.readUnsignedShort()];
        in.readFully(value);
        return value;
    }
}

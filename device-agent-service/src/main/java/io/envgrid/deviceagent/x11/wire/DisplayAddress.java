package io.envgrid.deviceagent.x11.wire;

import io.envgrid.deviceagent.x11.X11Exception;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where an X display name ({@code :1}, {@code :1.0}, {@code unix:1}, {@code host:1}) is served, as Xlib reads
 * DISPLAY: no host (or {@code unix}) is the local socket {@code /tmp/.X11-unix/X<n>}, a host is TCP port
 * {@code 6000 + n}. The screen number after the dot is ignored (one screen per display here).
 *
 * @param host the host part, empty for the local socket
 * @param number the display number
 * @param address the socket to connect to
 */
public record DisplayAddress(String host, int number, SocketAddress address) {

    private static final Pattern NAME = Pattern.compile("([^:]*):(\\d+)(?:\\.\\d+)?");
    private static final int TCP_BASE_PORT = 6000;
    private static final String SOCKET_DIRECTORY = "/tmp/.X11-unix/X";

    /** Reads a display name; an {@link X11Exception.Unreachable} for one that is not of that shape. */
    public static DisplayAddress parse(String name) {
        Matcher m = NAME.matcher(name.strip());
        if (!m.matches()) {
            throw new X11Exception.Unreachable("'" + name + "' is not an X display name (like :0 or host:0)");
        }
        String host = m.group(1);
        int number = Integer.parseInt(m.group(2));
        boolean local = host.isEmpty() || host.equals("unix");
        SocketAddress address = local
                ? UnixDomainSocketAddress.of(SOCKET_DIRECTORY + number)
                : new InetSocketAddress(host, TCP_BASE_PORT + number);
        return new DisplayAddress(local ? "" : host, number, address);
    }

    /** True for the local socket, whose cookies Xauthority files keep under the host's own name. */
    public boolean local() {
        return host.isEmpty();
    }
}

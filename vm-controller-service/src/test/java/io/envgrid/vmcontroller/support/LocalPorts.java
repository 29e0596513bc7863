package io.envgrid.vmcontroller.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Ports on this host for servers a test starts. */
public final class LocalPorts {

    private LocalPorts() {
    }

    /** A port nothing listens on at the moment of the call (the system picks it). */
    public static int free() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

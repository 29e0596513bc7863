package io.envgrid.clustertest.support;

import io.envgrid.testsupport.process.PackagedApp;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** A loopback port nobody listens on right now. */
public final class FreePort {

    private FreePort() {
    }

    public static int next() {
        return PackagedApp.freePort();
    }

    /** The first of {@code count} consecutive free ports (a desktop fleet takes {@code first-port + i}). */
    public static int consecutive(int count) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = next();
            if (first + count > 65535) {
                continue;
            }
            boolean free = true;
            for (int p = first; p < first + count && free; p++) {
                try (ServerSocket socket = new ServerSocket(p)) {
                    socket.setReuseAddress(true);
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                return first;
            }
        }
        throw new IllegalStateException("no " + count + " consecutive free ports");
    }
}

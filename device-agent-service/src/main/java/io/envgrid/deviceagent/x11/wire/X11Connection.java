package io.envgrid.deviceagent.x11.wire;

import io.envgrid.deviceagent.x11.X11Exception;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * One client connection to an X server, speaking the core protocol's framing (X Window System Protocol, X11R7.7,
 * sections 8 "Connection Setup" and "Syntactic Conventions"; Appendix B "Protocol Encoding"). The client chooses
 * little-endian order. Requests are written as the caller encodes them; {@link #reply} reads the server's packets —
 * 32-byte events (skipped; a MappingNotify is remembered), errors, and replies with their extra length — until
 * the reply to the given request. Every read waits at most {@code timeout}; a silent server is an
 * {@link X11Exception.Unreachable}. Not thread-safe: {@code XServer} guards one instance with a lock.
 */
public final class X11Connection implements AutoCloseable {

    private static final int HEADER = 32;
    private static final int REPLY = 1;
    private static final int ERROR = 0;
    private static final int MAPPING_NOTIFY = 34;
    private static final int GENERIC_EVENT = 35;
    private static final int GET_INPUT_FOCUS = 43;

    private final SocketChannel channel;
    private final Selector selector;
    private final Duration timeout;
    private final ConnectionSetup setup;
    /** Requests sent so far; the server numbers them from 1 and reports the low 16 bits. */
    private long sent;
    private boolean mappingChanged;

    private X11Connection(SocketChannel channel, Selector selector, Duration timeout, ConnectionSetup setup) {
        this.channel = channel;
        this.selector = selector;
        this.timeout = timeout;
        this.setup = setup;
    }

    /**
     * Connects to the display and completes the setup handshake, sending the Xauthority cookie when there is one.
     * Cannot connect, refused, or silent past {@code timeout}: {@link X11Exception.Unreachable}.
     */
    public static X11Connection open(String displayName, Duration timeout) {
        return open(displayName, timeout, XAuthority.defaultFile());
    }

    /** As {@link #open(String, Duration)}, with the cookie looked up in this Xauthority file. */
    public static X11Connection open(String displayName, Duration timeout, Path xauthority) {
        DisplayAddress display = DisplayAddress.parse(displayName);
        SocketChannel channel = null;
        Selector selector = null;
        try {
            channel = display.address() instanceof UnixDomainSocketAddress
                    ? SocketChannel.open(StandardProtocolFamily.UNIX) : SocketChannel.open();
            channel.connect(display.address());
            channel.configureBlocking(false);
            selector = Selector.open();
            channel.register(selector, SelectionKey.OP_READ);
            return handshake(channel, selector, timeout, XAuthority.cookie(xauthority, display), displayName);
        } catch (IOException e) {
            closeQuietly(channel, selector);
            throw new X11Exception.Unreachable("cannot connect to X display " + displayName + ": " + e.getMessage());
        } catch (RuntimeException e) {
            closeQuietly(channel, selector);
            throw e;
        }
    }

    private static X11Connection handshake(SocketChannel channel, Selector selector, Duration timeout,
            Optional<byte[]> cookie, String displayName) throws IOException {
        byte[] name = cookie.isPresent() ? XAuthority.MIT_MAGIC_COOKIE.getBytes(StandardCharsets.US_ASCII) : new byte[0];
        byte[] data = cookie.orElse(new byte[0]);
        ByteBuffer hello = ByteBuffer.allocate(12 + ConnectionSetup.pad(name.length) + ConnectionSetup.pad(data.length))
                .order(ByteOrder.LITTLE_ENDIAN);
        hello.put((byte) 'l').put((byte) 0).putShort((short) 11).putShort((short) 0)
                .putShort((short) name.length).putShort((short) data.length).putShort((short) 0);
        hello.put(name).position(12 + ConnectionSetup.pad(name.length)).put(data);
        hello.position(hello.capacity()).flip();
        X11Connection probe = new X11Connection(channel, selector, timeout, null);
        probe.write(hello);
        ByteBuffer head = probe.read(8);
        int status = head.get(0);
        ByteBuffer body = probe.read(ConnectionSetup.u16(head, 6) * 4);
        if (status != 1) {
            int reasonLength = status == 0 ? ConnectionSetup.u8(head, 1) : body.capacity();
            String reason = new String(body.array(), 0, Math.min(reasonLength, body.capacity()), StandardCharsets.US_ASCII).strip();
            throw new X11Exception.Unreachable("X display " + displayName + " refused the connection"
                    + (cookie.isPresent() ? " (sent the " + XAuthority.MIT_MAGIC_COOKIE + " from Xauthority)" : " (no Xauthority cookie found)")
                    + ": " + reason);
        }
        return new X11Connection(channel, selector, timeout, ConnectionSetup.parse(body));
    }

    /** The server's setup: root window, visual, keycode range. */
    public ConnectionSetup setup() {
        return setup;
    }

    /**
     * Writes one request — the whole buffer, which the encoder sized to the request's length, so unwritten
     * padding goes out as zeros — and returns its sequence number.
     */
    public long send(ByteBuffer request) {
        try {
            write(request.clear());
        } catch (IOException e) {
            throw lost(e);
        }
        return ++sent;
    }

    /**
     * The reply to request {@code sequence}, whole (32-byte header and the rest), in little-endian order.
     * An error packet met on the way — for this request or an earlier one without a reply — is thrown as
     * {@link X11Exception.Refused}.
     */
    public ByteBuffer reply(long sequence) {
        int wanted = (int) (sequence & 0xffff);
        try {
            while (true) {
                ByteBuffer packet = read(HEADER);
                int kind = packet.get(0) & 0x7f;
                if (kind == ERROR) {
                    throw new X11Exception.Refused(packet.get(1) & 0xff, packet.get(10) & 0xff,
                            ConnectionSetup.u16(packet, 8), packet.getInt(4));
                }
                if (kind == REPLY) {
                    int extra = packet.getInt(4) * 4;
                    ByteBuffer whole = packet;
                    if (extra > 0) {
                        // one buffer for header and body: a screenshot's reply is megabytes, copied once
                        whole = ByteBuffer.allocate(HEADER + extra).order(ByteOrder.LITTLE_ENDIAN).put(packet);
                        fill(whole);
                        whole.flip();
                    }
                    if (ConnectionSetup.u16(packet, 2) == wanted) {
                        return whole;
                    }
                    continue;
                }
                if (kind == MAPPING_NOTIFY) {
                    mappingChanged = true;
                } else if (kind == GENERIC_EVENT) {
                    read(packet.getInt(4) * 4);
                }
            }
        } catch (IOException e) {
            throw lost(e);
        }
    }

    /**
     * Waits until the server has processed every request sent so far (a GetInputFocus round trip, as XSync
     * does) and throws the first error any of them caused.
     */
    public void sync() {
        reply(send(Requests.bare(GET_INPUT_FOCUS)));
    }

    /** True once since the last call if the server announced a keyboard or modifier mapping change. */
    public boolean takeMappingChanged() {
        boolean changed = mappingChanged;
        mappingChanged = false;
        return changed;
    }

    @Override
    public void close() {
        closeQuietly(channel, selector);
    }

    private void write(ByteBuffer data) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (data.hasRemaining()) {
            if (channel.write(data) == 0) {
                waitFor(SelectionKey.OP_WRITE, deadline);
            }
        }
    }

    private ByteBuffer read(int length) throws IOException {
        ByteBuffer into = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        fill(into);
        return into.flip();
    }

    /** Reads until the buffer is full, each wait bounded by the timeout. */
    private void fill(ByteBuffer into) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (into.hasRemaining()) {
            int n = channel.read(into);
            if (n < 0) {
                throw new IOException("the X server closed the connection");
            }
            if (n == 0) {
                waitFor(SelectionKey.OP_READ, deadline);
            } else {
                // progress: a slow, large reply is not a silent server
                deadline = System.nanoTime() + timeout.toNanos();
            }
        }
    }

    private void waitFor(int operation, long deadline) throws IOException {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw new X11Exception.Unreachable("the X server did not answer within " + timeout.toMillis() + " ms");
        }
        SelectionKey key = channel.keyFor(selector);
        key.interestOps(operation);
        selector.select(Math.max(1, left / 1_000_000));
        selector.selectedKeys().clear();
    }


    private static X11Exception lost(IOException e) {
        return new X11Exception.Unreachable("lost the X server connection: " + e.getMessage());
    }

    private static void closeQuietly(SocketChannel channel, Selector selector) {
        try {
            if (selector != null) {
                selector.close();
            }
            if (channel != null) {
                channel.close();
            }
        } catch (IOException e) {
            // closing a connection we are abandoning; nothing depends on it
        }
    }
}

package io.envgrid.deviceagent.fleet;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The connections of one desktop's port ({@link DesktopPorts}): at most {@code max} open at once, and none kept while
 * it carries no request for {@code idleTimeout}. Opening a connection needs no credential (the lease is checked per
 * request, behind the proxy), so without these one client could hold thousands of idle or slowloris connections (a
 * request head sent a byte at a time) and run the agent out of file descriptors, which every desktop and the agent's
 * own port share.
 * <p>
 * A connection over the cap is closed at once, before anything is read from it. Its clock runs at all times but one:
 * <ul>
 * <li>idle: from the connection's start and from the end of its last answer until the head of its next request is
 * complete, so a head trickled in slowly is closed as surely as a silent connection;</li>
 * <li>stopped while the agent works on a request (from its head until its answer's head), because a call may
 * legitimately run silent for minutes ({@code /execute} with a long timeout), which Vert.x' own idle timeout (any
 * traffic, requests or not) would cut off;</li>
 * <li>writing: from the answer's head until the answer was ended, so a caller that does not read (the socket buffers
 * full, the proxy's copy of the answer paused) loses the connection, and with it the call place its answer holds
 * ({@link DesktopCallGate}), after the idle timeout. The clock closes the socket at once, dropping what was not
 * written out (the idle clock too: the last bytes of an ended answer may be what a caller never reads).</li>
 * </ul>
 * A request sent before the answer to the one before it was written out (HTTP/1.1 pipelining) closes the connection
 * ({@link NoPipelining}): Vert.x would read on and queue such requests without bound, each taking its place in turn.
 */
final class DesktopPortConnections {

    private static final Logger LOG = Logger.getLogger(DesktopPortConnections.class);

    private final Vertx vertx;
    private final String desktop;
    private final int max;
    private final long idleMillis;
    private final AtomicInteger open = new AtomicInteger();
    private final Map<HttpConnection, Idle> connections = new ConcurrentHashMap<>();

    /**
     * @param vertx       the instance the port's server runs on (its timers)
     * @param desktop     the desktop's name, for the log
     * @param max         connections open at once, ≥ 1
     * @param idleTimeout how long a connection may carry no request (nor a complete request head)
     */
    DesktopPortConnections(Vertx vertx, String desktop, int max, Duration idleTimeout) {
        if (max < 1 || idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("max-connections must be ≥ 1 and idle-timeout > 0");
        }
        this.vertx = vertx;
        this.desktop = desktop;
        this.max = max;
        this.idleMillis = idleTimeout.toMillis();
    }

    /** The server's connection handler: admits the connection or closes it, and starts its idle clock. */
    void connected(HttpConnection connection) {
        if (open.incrementAndGet() > max) {
            open.decrementAndGet();
            // at debug: a flood would otherwise write a line per refused connection
            LOG.debugf("desktop %s: more than %d connections, one from %s closed", desktop, max,
                    connection.remoteAddress());
            connection.close();
            return;
        }
        if (connection instanceof ConnectionBase base) {
            // before Vert.x' handler, after the HTTP codec: sees requests as they are read, answers as they are written
            base.channel().pipeline().addBefore("handler", "envgrid-no-pipelining", new NoPipelining(desktop));
        }
        Idle idle = new Idle(connection);
        connections.put(connection, idle);
        connection.closeHandler(closed -> {
            open.decrementAndGet();
            connections.remove(connection);
            idle.stopClock();
        });
        idle.startClock();
    }

    /**
     * Wraps the port's request handler: a request stops its connection's clock until its answer's head is sent, which
     * restarts it as the answer's write deadline until the answer has ended.
     */
    Handler<HttpServerRequest> tracking(Handler<HttpServerRequest> next) {
        return request -> {
            Idle idle = connections.get(request.connection());
            if (idle != null) {
                idle.requestStarted();
                request.response().headersEndHandler(head -> idle.answerStarted());
                // ends once, also when the connection closes mid-answer (then the close handler has the last word)
                request.response().endHandler(ended -> idle.requestEnded());
            }
            next.handle(request);
        };
    }

    /** Connections open now (admitted, not yet closed). */
    int open() {
        return open.get();
    }

    /**
     * Closes a connection on which a request arrives before the answer to the one before it was written out (HTTP/1.1
     * pipelining). Vert.x reads such requests on and queues them, without bound, behind the answer under way, so a
     * caller that pipelines and does not read would fill the agent's memory, and each queued request would take its
     * call place as soon as its turn came. OSWorld clients send a call once they read the previous answer. Runs on the
     * connection's event loop only.
     */
    private static final class NoPipelining extends ChannelDuplexHandler {
        private final String desktop;
        /** Requests read and answers written out (ended, and their last bytes handed to the socket). */
        private long requests;
        private long answered;

        NoPipelining(String desktop) {
            this.desktop = desktop;
        }

        @Override
        public void channelRead(ChannelHandlerContext context, Object message) throws Exception {
            // a request the codec could not read is Vert.x' to answer (400) and close on
            if (message instanceof HttpRequest request && request.decoderResult().isSuccess()
                    && ++requests - answered > 1) {
                LOG.debugf("desktop %s: a request from %s pipelined behind an answer not written out, closed",
                        desktop, context.channel().remoteAddress());
                ReferenceCountUtil.release(message);
                context.close();
                return;
            }
            super.channelRead(context, message);
        }

        @Override
        public void write(ChannelHandlerContext context, Object message, ChannelPromise promise) throws Exception {
            boolean informational = message instanceof HttpResponse head
                    && head.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (message instanceof LastHttpContent && !informational) {
                // Vert.x may pass a void promise, which takes no listener
                ChannelPromise written = promise.unvoid();
                written.addListener(done -> {
                    if (done.isSuccess()) {
                        answered++;
                    }
                });
                super.write(context, message, written);
                return;
            }
            super.write(context, message, promise);
        }
    }

    /** One connection's requests in flight and clock; touched on the server's event loop only. */
    private final class Idle {
        private final HttpConnection connection;
        private int inFlight;
        private long timer = -1;

        Idle(HttpConnection connection) {
            this.connection = connection;
        }

        void requestStarted() {
            inFlight++;
            stopClock();
        }

        void answerStarted() {
            // HTTP/1.1 answers a connection's requests one after another, so this is the only answer under way
            startClock("did not take its answer");
        }

        void requestEnded() {
            inFlight--;
            if (inFlight == 0) {
                startClock();
            }
        }

        void startClock() {
            startClock("was idle");
        }

        private void startClock(String state) {
            stopClock();
            timer = vertx.setTimer(idleMillis, fired -> {
                timer = -1;
                LOG.debugf("desktop %s: connection from %s %s for %d ms, closed", desktop, connection.remoteAddress(),
                        state, idleMillis);
                // not close(): Vert.x closes only once what it queued was written out, which a caller that does not
                // read never lets happen; closing the socket from the pipeline's head (past Vert.x' handler, which
                // waits too) drops what is queued, which fails the proxy's copy of an answer and gives its place back
                if (connection instanceof ConnectionBase base) {
                    base.channel().pipeline().firstContext().close();
                } else {
                    connection.close();
                }
            });
        }

        void stopClock() {
            if (timer != -1) {
                vertx.cancelTimer(timer);
                timer = -1;
            }
        }
    }
}

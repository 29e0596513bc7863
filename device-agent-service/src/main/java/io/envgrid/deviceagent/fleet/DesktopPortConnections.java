package io.envgrid.deviceagent.fleet;

import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
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
 * A connection over the cap is closed at once, before anything is read from it. "Idle" is counted from the connection's
 * start and from the end of its last answer until the head of its next request is complete, so a head trickled in
 * slowly is closed as surely as a silent connection; while a request is in flight nothing is timed, because a call may
 * legitimately run silent for minutes ({@code /execute} with a long timeout), which Vert.x' own idle timeout (any
 * traffic, requests or not) would cut off.
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
        Idle idle = new Idle(connection);
        connections.put(connection, idle);
        connection.closeHandler(closed -> {
            open.decrementAndGet();
            connections.remove(connection);
            idle.stopClock();
        });
        idle.startClock();
    }

    /** Wraps the port's request handler: a request in flight stops its connection's idle clock until it is answered. */
    Handler<HttpServerRequest> tracking(Handler<HttpServerRequest> next) {
        return request -> {
            Idle idle = connections.get(request.connection());
            if (idle != null) {
                idle.requestStarted();
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

    /** One connection's requests in flight and idle timer; touched on the server's event loop only. */
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

        void requestEnded() {
            inFlight--;
            if (inFlight == 0) {
                startClock();
            }
        }

        void startClock() {
            stopClock();
            timer = vertx.setTimer(idleMillis, fired -> {
                timer = -1;
                LOG.debugf("desktop %s: connection from %s idle for %d ms, closed", desktop,
                        connection.remoteAddress(), idleMillis);
                connection.close();
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

package io.envgrid.gateway.mcp.session;

import io.envgrid.gateway.cluster.IdleSweep;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.lease.WorkerCleanup;
import io.envgrid.gateway.mcp.protocol.InFlightCalls;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * How MCP sessions end, on every replica: {@code DELETE}, a closed SSE stream, or idle for
 * {@code envgrid.gateway.mcp.session-idle-timeout} (each replica sweeps; the removal from the
 * index decides who cleans up). However it ends, the calls of the session still running are
 * cancelled on every replica (a waiting allocation is withdrawn, a grant that raced undone): their
 * answers have nowhere to go. A worker's last session ending releases everything it holds, so
 * a crashed agent leaks no lease. Every {@link SessionEndListener} hears of it with the session's last fields. Lease
 * keep-alive and expiries are in {@code lease/}.
 */
@ApplicationScoped
public class SessionLifecycle {

    private static final Logger LOG = Logger.getLogger(SessionLifecycle.class);

    private final McpSessions sessions;
    private final WorkerCleanup cleanup;
    private final InFlightCalls inFlight;
    private final GatewayConfig config;
    private final IdleSweep idleSweep;
    private final Instance<SessionEndListener> listeners;

    public SessionLifecycle(McpSessions sessions, WorkerCleanup cleanup, InFlightCalls inFlight, GatewayConfig config,
            Vertx vertx, Instance<SessionEndListener> listeners) {
        this.listeners = listeners;
        this.sessions = sessions;
        this.cleanup = cleanup;
        this.inFlight = inFlight;
        this.config = config;
        this.idleSweep = new IdleSweep(vertx, "idle-session sweep", sessions::idle, id -> end(id, "idle"));
    }

    void start(@Observes StartupEvent event) {
        idleSweep.start(config.mcp().sweepInterval());
    }

    void stop(@Observes ShutdownEvent event) {
        idleSweep.stop();
    }

    /**
     * Ends a session (DELETE, closed SSE stream, idle): its running calls are cancelled first (so a
     * waiting allocation is withdrawn before the release, not granted after it) and, if it was its
     * worker's last session, everything the worker holds is given back. Only the caller that ended
     * the session does this; a session already ended is left alone.
     */
    public Uni<Void> end(String sessionId, String why) {
        // the fields are read before the hash goes; only the caller that ends the session passes them on
        return sessions.peek(sessionId).chain(fields -> sessions.end(sessionId).call(ended -> ended == null
                ? Uni.createFrom().voidItem() : told(sessionId, fields))).chain(ended -> {
            if (ended == null) {
                return Uni.createFrom().voidItem();
            }
            Uni<Void> cancelled = inFlight.cancelAll(sessionId).onFailure().invoke(e -> LOG.warnf(
                    "could not cancel the calls of ended session %s: %s", sessionId, e.getMessage())).onFailure().recoverWithNull();
            if (ended.workerId() == null || ended.workerSessionsLeft() > 0) {
                return cancelled;
            }
            LOG.infof("session %s ended (%s); releasing everything worker %s holds", sessionId, why, ended.workerId());
            return cancelled.chain(() -> cleanup.releaseAll(ended.workerId())).replaceWithVoid();
        });
    }

    private Uni<Void> told(String sessionId, Map<String, String> fields) {
        Uni<Void> all = Uni.createFrom().voidItem();
        for (SessionEndListener listener : listeners) {
            all = all.call(() -> listener.sessionEnded(sessionId, fields).onFailure().invoke(e -> LOG.warnf(
                    "a listener of session %s's end failed: %s", sessionId, e.getMessage())).onFailure().recoverWithNull());
        }
        return all;
    }
}

package io.envgrid.gateway.sandbox.session;

import io.envgrid.gateway.cluster.IdleSweep;
import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.sandbox.execution.SandboxCatalog;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * Ends explicit sessions unused for the profile's {@code session_ttl}, on every replica; the
 * record's removal decides which replica cleans up, so a worker that vanished without destroying
 * its sessions leaks no lease.
 */
@ApplicationScoped
public class IdleSessionSweep {

    private static final Logger LOG = Logger.getLogger(IdleSessionSweep.class);

    private final SandboxSessions sessions;
    private final SessionRouter router;
    private final SandboxCatalog catalog;
    private final GatewayConfig config;
    private final IdleSweep idleSweep;

    public IdleSessionSweep(SandboxSessions sessions, SessionRouter router, SandboxCatalog catalog, GatewayConfig config,
            Vertx vertx) {
        this.sessions = sessions;
        this.router = router;
        this.catalog = catalog;
        this.config = config;
        this.idleSweep = new IdleSweep(vertx, "idle sandbox-session sweep",
                () -> sessions.idleSince(System.currentTimeMillis() - catalog.profile().sessionTtlSeconds() * 1000L),
                this::endIdle);
    }

    void start(@Observes StartupEvent event) {
        idleSweep.start(config.mcp().sweepInterval());
    }

    void stop(@Observes ShutdownEvent event) {
        idleSweep.stop();
    }

    private Uni<Void> endIdle(String member) {
        String[] parts = SandboxSessions.parseMember(member);
        String type = parts[0];
        String worker = parts[1];
        return sessions.find(worker, type).chain(found -> {
            if (found.isEmpty()) {
                // a create may claim the type between that read and this: only a last use without a record goes
                return sessions.removeStrayLastUse(worker, type).replaceWithVoid();
            }
            if (catalog.backend(type).isEmpty()) {
                return sessions.remove(worker, type).replaceWithVoid();
            }
            return router.end(router.stateful(type), found.get()).invoke(ended -> {
                if (ended) {
                    LOG.infof("sandbox session %s of worker %s idle for %d s: ended", found.get().path("session_id").asText(),
                            worker, catalog.profile().sessionTtlSeconds());
                }
            }).replaceWithVoid();
        });
    }
}

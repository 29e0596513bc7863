package io.envgrid.gateway.sandbox.session;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.sandbox.execution.SandboxCatalog;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
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
    private final Vertx vertx;
    private long timer = -1;

    public IdleSessionSweep(SandboxSessions sessions, SessionRouter router, SandboxCatalog catalog, GatewayConfig config,
            Vertx vertx) {
        this.sessions = sessions;
        this.router = router;
        this.catalog = catalog;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent event) {
        timer = vertx.setPeriodic(config.mcp().sweepInterval().toMillis(), t -> sweep());
    }

    void stop(@Observes ShutdownEvent event) {
        vertx.cancelTimer(timer);
    }

    void sweep() {
        long cutoff = System.currentTimeMillis() - catalog.profile().sessionTtlSeconds() * 1000L;
        sessions.idleSince(cutoff)
                .onItem().transformToMulti(members -> Multi.createFrom().iterable(members))
                .onItem().transformToUniAndConcatenate(member -> endIdle(member).onFailure().recoverWithNull())
                .collect().asList()
                .subscribe().with(done -> { }, e -> LOG.warnf("idle sandbox-session sweep failed: %s", e.getMessage()));
    }

    private Uni<Void> endIdle(String member) {
        String[] parts = SandboxSessions.parseMember(member);
        String type = parts[0];
        String worker = parts[1];
        return sessions.find(worker, type).chain(found -> {
            if (found.isEmpty() || catalog.backend(type).isEmpty()) {
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

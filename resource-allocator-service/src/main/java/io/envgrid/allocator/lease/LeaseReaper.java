package io.envgrid.allocator.lease;

import io.envgrid.allocator.cell.Cell;
import io.envgrid.allocator.cell.Cells;
import io.envgrid.allocator.config.AllocatorConfig;
import io.envgrid.allocator.metrics.AllocatorMetrics;
import io.envgrid.allocator.redis.AllocatorScript;
import io.envgrid.allocator.redis.ScriptRunner;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jboss.logging.Logger;

/**
 * Every replica reclaims expired leases, marks lapsed heartbeats down, purges dead wait tickets
 * and renews its own liveness (so the others withdraw its tickets once it has crashed) on a short
 * timer; the script is atomic, so each expiry is reclaimed (and published on
 * the expiry channel) exactly once, by whichever replica runs first. A Vert.x timer rather than
 * the Quarkus scheduler, which does not go below one second. A run covers every cell (one script per cell, in
 * parallel), so this replica's liveness is kept in each cell's {@code replicas}, where its tickets are.
 */
@ApplicationScoped
public class LeaseReaper {

    private static final Logger LOG = Logger.getLogger(LeaseReaper.class);

    private final ScriptRunner scripts;
    private final AllocatorMetrics metrics;
    private final AllocatorConfig config;
    private final Vertx vertx;
    private final Replica replica;
    private final Cells cells;
    private final AtomicBoolean running = new AtomicBoolean();
    private long timer = -1;

    public LeaseReaper(ScriptRunner scripts, AllocatorMetrics metrics, AllocatorConfig config, Vertx vertx,
            Replica replica, Cells cells) {
        this.scripts = scripts;
        this.cells = cells;
        this.replica = replica;
        this.metrics = metrics;
        this.config = config;
        this.vertx = vertx;
    }

    void start(@Observes StartupEvent ignored) {
        timer = vertx.setPeriodic(config.reapInterval().toMillis(), id -> reap());
    }

    void stop(@Observes ShutdownEvent ignored) {
        vertx.cancelTimer(timer);
    }

    /** One run at a time per replica: a slow Redis must not pile runs up. */
    private void reap() {
        if (!running.compareAndSet(false, true)) {
            return;
        }
        List<String> args = List.of(Integer.toString(config.reapBatch()), replica.id(),
                Long.toString(config.replicaTtl().toMillis()), Long.toString(config.resetDeadline().toMillis()));
        List<Uni<Void>> runs = new ArrayList<>();
        for (Cell cell : cells.all()) {
            runs.add(reap(cell, args));
        }
        // Each cell's run recovers from its own failure, so this join always completes.
        Uni.join().all(runs).andFailFast().eventually(() -> running.set(false)).subscribe().with(done -> { });
    }

    /** One cell's run; a failure is logged and skips only that cell. */
    private Uni<Void> reap(Cell cell, List<String> args) {
        return scripts.run(cell.keys(), AllocatorScript.REAP, args)
                .invoke(counts -> {
                    int reclaimed = counts.get(0).toInteger();
                    if (reclaimed > 0) {
                        metrics.expired(reclaimed);
                        LOG.infof("reclaimed %d expired lease(s)", reclaimed);
                    }
                    int down = counts.get(1).toInteger();
                    if (down > 0) {
                        LOG.infof("marked %d resource(s) down: heartbeat lapsed", down);
                    }
                    int purged = counts.get(2).toInteger();
                    if (purged > 0) {
                        LOG.infof("withdrew %d wait ticket(s) of crashed replicas or past their deadline", purged);
                    }
                })
                .onFailure().invoke(e -> LOG.debugf("reaper skipped a run in cell %s: %s", cell.name(), e.getMessage()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }
}

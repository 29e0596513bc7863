package io.envgrid.gateway.cluster;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * A periodic pass, on every replica, over what has idled out (MCP sessions, Sandbox sessions): each pass asks for
 * the idle ones and ends them one after the other; ending one that fails, or that another replica ended first, does
 * not stop the pass. Which replica does the work is for {@code end} to decide (the record's removal is the claim).
 */
public final class IdleSweep {

    private static final Logger LOG = Logger.getLogger(IdleSweep.class);

    private final Vertx vertx;
    private final String what;
    private final Supplier<Uni<List<String>>> idle;
    private final Function<String, Uni<Void>> end;
    private long timer = -1;

    /**
     * @param what names the sweep in the log ("idle-session sweep")
     * @param idle the ids idle now
     * @param end ends one of them
     */
    public IdleSweep(Vertx vertx, String what, Supplier<Uni<List<String>>> idle, Function<String, Uni<Void>> end) {
        this.vertx = vertx;
        this.what = what;
        this.idle = idle;
        this.end = end;
    }

    /** Sweeps every {@code interval} from now on. */
    public void start(Duration interval) {
        timer = vertx.setPeriodic(interval.toMillis(), t -> sweep());
    }

    public void stop() {
        vertx.cancelTimer(timer);
    }

    /** One pass, now. */
    public void sweep() {
        idle.get()
                .onItem().transformToMulti(ids -> Multi.createFrom().iterable(ids))
                .onItem().transformToUniAndConcatenate(id -> end.apply(id).onFailure().recoverWithNull())
                .collect().asList()
                .subscribe().with(done -> { }, e -> LOG.warnf("%s failed: %s", what, e.getMessage()));
    }
}

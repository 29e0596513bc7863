package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.ToolSpec;
import io.vertx.mutiny.redis.client.Response;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/** Every {@link WorkerActivity} as one: what the worker layer calls, whoever listens. */
@ApplicationScoped
public class WorkerActivities {

    private static final Logger LOG = Logger.getLogger(WorkerActivities.class);

    private final Instance<WorkerActivity> listeners;
    private volatile List<WorkerActivity> resolved;
    /** The listeners with a {@link WorkerActivity#renewalRead}, in the order their reads are made. */
    private volatile List<WorkerActivity> readers;

    public WorkerActivities(Instance<WorkerActivity> listeners) {
        this.listeners = listeners;
    }

    public void report(String workerId, Severity severity, String event, ObjectNode details) {
        each(l -> l.report(workerId, severity, event, details));
    }

    public void leasesChanged(String workerId) {
        each(l -> l.leasesChanged(workerId));
    }

    /** A renewal changed the worker's lease terms and made no {@link RenewalRead}: each listener reads for itself. */
    public void leaseTermsChanged(String workerId) {
        each(l -> l.leaseTermsChanged(workerId, null));
    }

    /**
     * A renewal changed the worker's lease terms, and its script made the listeners' {@link #renewalReads}: {@code
     * reads} holds their answers in that order (empty: none made, each listener reads for itself).
     */
    public void leaseTermsChanged(String workerId, List<Response> reads) {
        List<WorkerActivity> readers = readers();
        each(l -> {
            int i = readers.indexOf(l);
            l.leaseTermsChanged(workerId, i >= 0 && i < reads.size() ? reads.get(i) : null);
        });
    }

    /** The reads the listeners want made with a renewal's write, in a fixed order ({@link WorkerActivity#renewalRead}). */
    public List<RenewalRead> renewalReads() {
        return readers().stream().map(WorkerActivity::renewalRead).toList();
    }

    private List<WorkerActivity> readers() {
        List<WorkerActivity> found = readers;
        if (found == null) {
            found = all().stream().filter(l -> l.renewalRead() != null).toList();
            readers = found;
        }
        return found;
    }

    public void toolSucceeded(String workerId, ToolSpec tool, ObjectNode arguments) {
        each(l -> l.toolSucceeded(workerId, tool, arguments));
    }

    /**
     * Resolved at first use, not at construction: the listeners depend on worker-layer beans that
     * depend on this one. Then kept, since this runs on every tool call.
     */
    private List<WorkerActivity> all() {
        List<WorkerActivity> all = resolved;
        if (all == null) {
            all = listeners.stream().toList();
            resolved = all;
        }
        return all;
    }

    private void each(Consumer<WorkerActivity> call) {
        for (WorkerActivity listener : all()) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warnf("worker activity listener %s failed: %s", listener.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}

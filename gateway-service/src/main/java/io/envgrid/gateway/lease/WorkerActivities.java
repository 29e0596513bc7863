package io.envgrid.gateway.lease;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.tool.ToolSpec;
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

    public WorkerActivities(Instance<WorkerActivity> listeners) {
        this.listeners = listeners;
    }

    public void report(String workerId, Severity severity, String event, ObjectNode details) {
        each(l -> l.report(workerId, severity, event, details));
    }

    public void leasesChanged(String workerId) {
        each(l -> l.leasesChanged(workerId));
    }

    public void leaseTermsChanged(String workerId) {
        each(l -> l.leaseTermsChanged(workerId));
    }

    public void toolSucceeded(String workerId, ToolSpec tool, ObjectNode arguments) {
        each(l -> l.toolSucceeded(workerId, tool, arguments));
    }

    /**
     * Resolved at first use, not at construction: the listeners depend on worker-layer beans that
     * depend on this one. Then kept, since this runs on every tool call.
     */
    private void each(Consumer<WorkerActivity> call) {
        List<WorkerActivity> all = resolved;
        if (all == null) {
            all = listeners.stream().toList();
            resolved = all;
        }
        for (WorkerActivity listener : all) {
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                LOG.warnf("worker activity listener %s failed: %s", listener.getClass().getSimpleName(), e.getMessage());
            }
        }
    }
}

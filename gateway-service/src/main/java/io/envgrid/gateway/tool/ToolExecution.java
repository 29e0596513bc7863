package io.envgrid.gateway.tool;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Runs a tool by name for any front end (MCP, Sandbox API): checks that a worker is known when
 * the tool needs one, times the call by tool and outcome, and turns an unexpected exception
 * into an {@code INTERNAL_ERROR} failure rather than a broken response.
 */
@ApplicationScoped
public class ToolExecution {

    private static final Logger LOG = Logger.getLogger(ToolExecution.class);

    private final ToolRegistry registry;
    private final MeterRegistry meters;

    public ToolExecution(ToolRegistry registry, MeterRegistry meters) {
        this.registry = registry;
        this.meters = meters;
    }

    /**
     * Runs {@code name} for {@code call.workerId()} (already entitled by the front end). Id arguments
     * are checked against the id rule here too, so every front end refuses the same ids (400
     * {@code INVALID_ID}) before a tool runs.
     */
    public Uni<ToolResult> run(String name, ToolCall call) {
        try {
            IdRule.checkArguments(call.arguments());
        } catch (ToolFailure e) {
            return Uni.createFrom().failure(e);
        }
        Tool tool = registry.find(name).orElse(null);
        if (tool == null) {
            return Uni.createFrom().failure(new ToolFailure(404, ErrorCode.UNKNOWN_TOOL, "unknown tool '" + name + "'", Map.of()));
        }
        if (tool.spec().needsWorker() && call.workerId() == null) {
            return Uni.createFrom().failure(new ToolFailure(400, ErrorCode.WORKER_NOT_BOUND,
                    "'worker_id' is required until the session is bound to a worker", Map.of()));
        }
        Timer.Sample sample = Timer.start(meters);
        return Uni.createFrom().deferred(() -> tool.call(call))
                .onFailure(e -> !(e instanceof ToolFailure)).transform(e -> {
                    LOG.errorf(e, "tool %s failed unexpectedly", name);
                    return new ToolFailure(500, ErrorCode.INTERNAL_ERROR, "tool '" + name + "' failed: " + e.getMessage(), Map.of());
                })
                .onItem().invoke(r -> sample.stop(timer(name, "ok")))
                .onFailure().invoke(e -> sample.stop(timer(name, ((ToolFailure) e).code())))
                .onCancellation().invoke(() -> sample.stop(timer(name, "cancelled")));
    }

    private Timer timer(String tool, String outcome) {
        return Timer.builder("envgrid.gateway.tool.calls")
                .description("Tool calls by tool and outcome (ok or the error code)")
                .tags("tool", tool, "outcome", outcome)
                .publishPercentileHistogram()
                .register(meters);
    }
}

package io.envgrid.gateway.tool;

import io.envgrid.gateway.config.GatewayConfig;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.RedisOutage;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.lease.WorkerActivities;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.jboss.logging.Logger;

/**
 * Runs a checked call for any front end (MCP, Sandbox API): checks that a worker is known when
 * the tool's scope needs one, times the call by tool and outcome, and turns an unexpected
 * exception into an {@code INTERNAL_ERROR} failure rather than a broken response (a Redis outage
 * into 503 {@code REDIS_UNAVAILABLE}, {@link RedisOutage}), and tells the
 * {@link WorkerActivities} of each success. With
 * {@code envgrid.gateway.tools.check-output} (on in the tests) every result is also checked
 * against the tool's output schema, and a mismatch is an {@code INTERNAL_ERROR}.
 */
@ApplicationScoped
public class ToolExecution {

    private static final Logger LOG = Logger.getLogger(ToolExecution.class);

    private final ToolRegistry registry;
    private final MeterRegistry meters;
    private final boolean checkOutput;
    private final WorkerActivities activities;
    /** One meter lookup per tool and outcome, not per call: tool name → outcome → timer (no key built per call). */
    private final ConcurrentMap<String, ConcurrentMap<String, Timer>> timers = new ConcurrentHashMap<>();

    public ToolExecution(ToolRegistry registry, MeterRegistry meters, GatewayConfig config, WorkerActivities activities) {
        this.registry = registry;
        this.activities = activities;
        this.meters = meters;
        this.checkOutput = config.tools().checkOutput();
    }

    /**
     * Runs {@code call} for {@code workerId} (already entitled by the front end; null when none is
     * known, which a tool whose scope needs a worker refuses with 400 {@code WORKER_NOT_BOUND}).
     */
    public Uni<ToolResult> run(CheckedCall call, String workerId, ProgressSink progress) {
        Tool tool = call.tool();
        String name = tool.spec().name();
        if (tool.spec().needsWorker() && workerId == null) {
            return Uni.createFrom().failure(new ToolFailure(400, ErrorCode.WORKER_NOT_BOUND,
                    "'worker_id' is required until the session is bound to a worker", Map.of()));
        }
        Timer.Sample sample = Timer.start(meters);
        // two stages for the outcome, not one per step: on this path every Mutiny stage also captures and restores the
        // thread context around its callback (SmallRye context propagation), a cost paid per call
        return Uni.createFrom().deferred(() -> tool.call(new ToolCall(call.arguments(), workerId, progress)))
                .onItem().transform(result -> {
                    if (checkOutput) {
                        checkOutput(tool, result);
                    }
                    if (workerId != null) {
                        // both front ends alike: e.g. a desktop action raises resources/updated for its screenshot
                        activities.toolSucceeded(workerId, tool.spec(), call.arguments());
                    }
                    // last: a check above that throws is timed by the failure's stage, with its code
                    sample.stop(timer(name, "ok"));
                    return result;
                })
                .onFailure().transform(e -> {
                    ToolFailure refused = e instanceof ToolFailure known ? known : unexpected(name, e);
                    sample.stop(timer(name, refused.code()));
                    return refused;
                })
                .onCancellation().invoke(() -> sample.stop(timer(name, "cancelled")));
    }

    /** An exception no tool answers with on purpose, as the failure the caller gets. */
    private static ToolFailure unexpected(String name, Throwable e) {
        if (RedisOutage.isOutage(e)) {
            LOG.warnf("tool %s met a Redis outage: %s", name, e);
            return RedisOutage.failure(e);
        }
        LOG.errorf(e, "tool %s failed unexpectedly", name);
        return new ToolFailure(500, ErrorCode.INTERNAL_ERROR, "tool '" + name + "' failed: " + e.getMessage(), Map.of());
    }

    private void checkOutput(Tool tool, ToolResult result) {
        List<String> problems = registry.outputProblems(tool, result.structured());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("result does not match the output schema: " + problems + " in " + result.structured());
        }
    }

    private Timer timer(String tool, String outcome) {
        ConcurrentMap<String, Timer> byOutcome = timers.get(tool);
        Timer known = byOutcome == null ? null : byOutcome.get(outcome);
        if (known != null) {
            return known;
        }
        return timers.computeIfAbsent(tool, t -> new ConcurrentHashMap<>()).computeIfAbsent(outcome, o -> Timer.builder("envgrid.gateway.tool.calls")
                .description("Tool calls by tool and outcome (ok or the error code)")
                .tags("tool", tool, "outcome", outcome)
                .publishPercentileHistogram()
                .register(meters));
    }
}

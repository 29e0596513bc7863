package io.envgrid.gateway.sandbox.execution;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.sandbox.backend.SandboxBackend;
import io.envgrid.gateway.sandbox.backend.SessionContext;
import io.envgrid.gateway.sandbox.session.Binding;
import io.envgrid.gateway.sandbox.session.CallScope;
import io.envgrid.gateway.sandbox.session.SandboxSessions;
import io.envgrid.gateway.tool.CheckedCall;
import io.envgrid.gateway.tool.ProgressSink;
import io.envgrid.gateway.tool.ToolExecution;
import io.envgrid.gateway.tool.ToolRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Seed 002's ToolExecutor: resolves the action, checks its parameters, warms the backend up if
 * needed, runs the tool in the worker's explicit session or a temporary one, and answers
 * {@code {success, data, tool, resource_type, session_id, temporary_session, execution_time_ms}}.
 */
@ApplicationScoped
public class SandboxExecutor {

    private static final Logger LOG = Logger.getLogger(SandboxExecutor.class);
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    /** An action resolved to its tool, with parameters that passed the tool's one argument check. */
    public record Prepared(SandboxTool tool, CheckedCall call) {
    }

    private final SandboxCatalog catalog;
    private final SandboxSessions sessions;
    private final WarmUps warmUps;
    private final MeterRegistry meters;
    private final ToolRegistry registry;
    private final ToolExecution execution;

    public SandboxExecutor(SandboxCatalog catalog, SandboxSessions sessions, WarmUps warmUps, MeterRegistry meters,
            ToolRegistry registry, ToolExecution execution) {
        this.catalog = catalog;
        this.registry = registry;
        this.execution = execution;
        this.sessions = sessions;
        this.warmUps = warmUps;
        this.meters = meters;
    }

    /**
     * Resolves and checks one action for {@code workerId} (the request's, already entitled; null
     * when it names none): the parameters pass the tool's one argument check (the same as on MCP); a
     * {@code worker_id} among them must be the request's (403 {@code WORKER_MISMATCH}). Nothing runs,
     * so a refusal here changes nothing.
     */
    public Prepared prepare(String action, ObjectNode params, String workerId) {
        SandboxTool tool = catalog.resolve(action);
        ObjectNode arguments = params == null ? NODES.objectNode() : params;
        CheckedCall call = registry.prepare(tool.tool(), arguments);
        JsonNode named = arguments.get("worker_id");
        if (named != null && !named.isNull() && !named.asText().equals(workerId)) {
            throw new ToolFailure(403, ErrorCode.WORKER_MISMATCH, "params.worker_id '" + named.asText()
                    + "' is not the request's worker_id", Map.of("tool", tool.name()));
        }
        return new Prepared(tool, call);
    }

    public Uni<ObjectNode> execute(String workerId, Prepared call) {
        CallScope scope = new CallScope(workerId, sessions);
        return run(scope, workerId, call).eventually(scope::close);
    }

    /**
     * Runs the calls in order (or all at once with {@code parallel}); each gets its own result, a
     * failure does not undo the others; with {@code stopOnError} the calls after a failure are
     * skipped. Temporary sessions are shared by the batch's calls and closed at its end.
     */
    public Uni<ObjectNode> batch(String workerId, List<Prepared> calls, boolean parallel, boolean stopOnError) {
        long start = System.nanoTime();
        CallScope scope = new CallScope(workerId, sessions);
        Uni<List<ObjectNode>> results;
        if (parallel) {
            results = Uni.join().all(calls.stream().map(c -> settled(scope, workerId, c)).toList()).andFailFast();
        } else {
            results = sequence(scope, workerId, calls, 0, new ArrayList<>(), stopOnError);
        }
        return results.eventually(scope::close).map(list -> {
            ObjectNode answer = NODES.objectNode();
            ArrayNode array = answer.putArray("results");
            list.forEach(array::add);
            answer.put("success", list.stream().allMatch(r -> r.path("success").asBoolean()));
            answer.put("execution_time_ms", elapsedMs(start));
            return answer;
        });
    }

    private Uni<List<ObjectNode>> sequence(CallScope scope, String workerId, List<Prepared> calls, int index,
            List<ObjectNode> done, boolean stopOnError) {
        if (index == calls.size()) {
            return Uni.createFrom().item(done);
        }
        boolean failedBefore = done.stream().anyMatch(r -> !r.path("success").asBoolean());
        if (stopOnError && failedBefore) {
            done.add(named(NODES.objectNode().put("success", false).put("skipped", true), calls.get(index).tool()));
            return sequence(scope, workerId, calls, index + 1, done, stopOnError);
        }
        return settled(scope, workerId, calls.get(index)).chain(result -> {
            done.add(result);
            return sequence(scope, workerId, calls, index + 1, done, stopOnError);
        });
    }

    /**
     * The call with what its session supplies where the call leaves it out. Where that comes from the worker's config
     * (rag's {@code default_top_k}: the worker's input too) it passes the tool's argument check again, so a bad value is
     * a 400 naming the argument before the tool runs; a resource id the gateway recorded itself is not checked twice.
     */
    private CheckedCall inSession(CheckedCall call, SandboxBackend backend, Binding binding) {
        CheckedCall withSession = call.withSessionArguments(backend.sessionArguments(binding.context()));
        return withSession == call || !backend.configSuppliesArguments()
                ? withSession
                : registry.prepare(withSession.tool(), withSession.arguments());
    }

    /** A call's result, its failure turned into a {@code success: false} entry carrying the error envelope. */
    private Uni<ObjectNode> settled(CallScope scope, String workerId, Prepared call) {
        long start = System.nanoTime();
        return run(scope, workerId, call).onFailure().recoverWithItem(e -> {
            ObjectNode failed = named(NODES.objectNode().put("success", false), call.tool());
            failed.putPOJO("error", failure(call.tool(), e).envelope().error());
            return failed.put("execution_time_ms", elapsedMs(start));
        });
    }

    private Uni<ObjectNode> run(CallScope scope, String workerId, Prepared call) {
        SandboxTool tool = call.tool();
        long start = System.nanoTime();
        Timer.Sample sample = Timer.start(meters);
        SandboxBackend backend = tool.resourceType() == null ? null : catalog.backend(tool.resourceType()).orElseThrow();
        Uni<Binding> binding = backend == null
                ? Uni.createFrom().item(new Binding(SessionContext.none(workerId), null, false))
                : warmUps.ensure(backend).chain(() -> scope.bind(backend));
        return binding.chain(b -> execution.run(backend == null ? call.call() : inSession(call.call(), backend, b),
                        workerId, ProgressSink.NONE)
                .map(result -> {
                    JsonNode data = result.structured();
                    ObjectNode answer = NODES.objectNode().put("success", true);
                    answer.set("data", data);
                    named(answer, tool);
                    answer.put("session_id", b.sessionId());
                    answer.put("temporary_session", b.temporary());
                    return answer.put("execution_time_ms", elapsedMs(start));
                }))
                .onItem().invoke(r -> sample.stop(timer(tool.name(), "ok")))
                .onFailure().transform(e -> {
                    ToolFailure failure = failure(tool, e);
                    sample.stop(timer(tool.name(), failure.code()));
                    return failure;
                });
    }

    /**
     * Names the tool an entry is about as every entry of a batch does, whatever its outcome: {@code tool} (its short
     * name, {@code click}) and {@code resource_type} ({@code vm}; null for an API tool), so a failed or skipped entry
     * reads as the successful one would.
     */
    private static ObjectNode named(ObjectNode entry, SandboxTool tool) {
        return entry.put("tool", tool.shortName()).put("resource_type", tool.resourceType());
    }

    private static ToolFailure failure(SandboxTool tool, Throwable e) {
        if (e instanceof ToolFailure failure) {
            return failure;
        }
        LOG.errorf(e, "sandbox tool %s failed unexpectedly", tool.name());
        return new ToolFailure(500, ErrorCode.INTERNAL_ERROR, "tool '" + tool.name() + "' failed: " + e.getMessage(), Map.of());
    }

    private static double elapsedMs(long startNanos) {
        return Math.round((System.nanoTime() - startNanos) / 10_000.0) / 100.0;
    }

    private Timer timer(String tool, String outcome) {
        return Timer.builder("envgrid.gateway.sandbox.calls")
                .description("Sandbox API tool calls by tool and outcome (ok or the error code)")
                .tags("tool", tool, "outcome", outcome)
                .publishPercentileHistogram()
                .register(meters);
    }
}

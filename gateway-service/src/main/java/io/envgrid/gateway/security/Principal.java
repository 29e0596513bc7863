package io.envgrid.gateway.security;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import java.util.List;
import java.util.Map;

/**
 * Who is calling, as the bearer token proved it, and which worker ids it may act as. Auth off (no
 * token configured: local development) is {@link Open}, which may act as any id the id rule
 * allows; a token gives an {@link Authenticated} principal limited to its {@link WorkerPattern}s.
 */
public sealed interface Principal permits Principal.Open, Principal.Authenticated {

    /** The principal's name for logs and refusals. */
    String name();

    /** True when this principal may act as {@code workerId} (which already passed the id rule). */
    boolean entitledTo(String workerId);

    /**
     * Checks the worker id against the id rule, then against the entitlement: 400 {@code INVALID_ID}
     * or 403 {@code WORKER_NOT_ENTITLED} before anything is bound, allocated or released.
     */
    default String authorize(String field, String workerId) {
        IdRule.requireId(field, workerId);
        if (!entitledTo(workerId)) {
            throw new ToolFailure(403, ErrorCode.WORKER_NOT_ENTITLED, "the token of '" + name()
                    + "' does not cover worker '" + workerId + "'", Map.of("principal", name(), "worker_id", workerId));
        }
        return workerId;
    }

    /** No tokens are configured: every id the id rule allows. */
    record Open() implements Principal {
        public static final Open INSTANCE = new Open();

        @Override
        public String name() {
            return "anonymous";
        }

        @Override
        public boolean entitledTo(String workerId) {
            return true;
        }
    }

    /** A token holder: the ids its patterns cover, nothing else. */
    record Authenticated(String name, List<WorkerPattern> workers) implements Principal {
        public Authenticated {
            workers = List.copyOf(workers);
        }

        @Override
        public boolean entitledTo(String workerId) {
            return workers.stream().anyMatch(p -> p.covers(workerId));
        }
    }
}

package io.envgrid.gateway.security;

import io.envgrid.gateway.error.ErrorCode;
import io.envgrid.gateway.error.ToolFailure;
import io.envgrid.gateway.id.IdRule;
import java.time.Instant;
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
     * When the token that proved this principal stops being valid (a signed token's {@code exp}); null when it does
     * not expire (a fixed token, open mode). Whoever keeps a principal beyond one request (a Socket.IO connection, an
     * MCP session's office binding) compares it with the clock on every use.
     */
    default Instant expiry() {
        return null;
    }

    /**
     * The {@code jti} of the signed token that proved this principal, by which an operator can revoke it
     * ({@link RevokedTokens}); null for a token that has none (fixed, {@code egw1}, an {@code egw2} minted before
     * tokens carried one) and in open mode.
     */
    default String tokenId() {
        return null;
    }

    /**
     * True for an operator: a token whose patterns cover every worker id ({@code *}), or open mode. Operators may
     * revoke tokens.
     */
    boolean operator();

    /** True when the token behind this principal has expired at {@code now}. */
    default boolean expiredAt(Instant now) {
        Instant expiry = expiry();
        return expiry != null && !now.isBefore(expiry);
    }

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

        @Override
        public boolean operator() {
            return true;
        }
    }

    /**
     * A token holder: the ids its patterns cover, nothing else, until {@code expiry} (null: a token that does not
     * expire); {@code tokenId} the token's {@code jti} (null: it has none).
     */
    record Authenticated(String name, List<WorkerPattern> workers, Instant expiry, String tokenId) implements Principal {
        public Authenticated {
            workers = List.copyOf(workers);
        }

        /** A principal of a token without a {@code jti}. */
        public Authenticated(String name, List<WorkerPattern> workers, Instant expiry) {
            this(name, workers, expiry, null);
        }

        /** A principal of a token that does not expire (a fixed token). */
        public Authenticated(String name, List<WorkerPattern> workers) {
            this(name, workers, null, null);
        }

        @Override
        public boolean entitledTo(String workerId) {
            return workers.stream().anyMatch(p -> p.covers(workerId));
        }

        @Override
        public boolean operator() {
            return workers.stream().anyMatch(p -> p instanceof WorkerPattern.Prefix prefix && prefix.prefix().isEmpty());
        }
    }
}

package io.envgrid.gateway.security;

import io.envgrid.gateway.id.IdRule;

/**
 * One entry of a token's entitlement: an exact worker id ({@code job42}), a prefix
 * ({@code job42/} or {@code job42-*}: every id starting with {@code job42/} resp. {@code job42-}),
 * or {@code *} (every id; for operators). The same text form in signed tokens, fixed tokens and
 * {@code mint-token --workers}.
 */
public sealed interface WorkerPattern permits WorkerPattern.Exact, WorkerPattern.Prefix {

    boolean covers(String workerId);

    /** The text form, as {@link #parse} reads it. */
    String text();

    /** An exact id. */
    record Exact(String id) implements WorkerPattern {
        @Override
        public boolean covers(String workerId) {
            return id.equals(workerId);
        }

        @Override
        public String text() {
            return id;
        }
    }

    /** Every id starting with {@code prefix} (the empty prefix: every id). */
    record Prefix(String prefix) implements WorkerPattern {
        @Override
        public boolean covers(String workerId) {
            return workerId.startsWith(prefix);
        }

        @Override
        public String text() {
            return prefix.endsWith("/") ? prefix : prefix + "*";
        }
    }

    /**
     * {@code *} → every id; {@code p*} → prefix {@code p}; {@code p/} → prefix {@code p/} (a
     * trailing slash is a job's namespace, so {@code job42/} covers {@code job42/w0001}); anything
     * else → that exact id. The id part must follow the id rule.
     *
     * @throws IllegalArgumentException for text that is none of these
     */
    static WorkerPattern parse(String text) {
        String t = text == null ? "" : text.trim();
        if (t.equals("*")) {
            return new Prefix("");
        }
        if (t.endsWith("*")) {
            String prefix = t.substring(0, t.length() - 1);
            check(text, prefix);
            return new Prefix(prefix);
        }
        check(text, t);
        return t.endsWith("/") ? new Prefix(t) : new Exact(t);
    }

    private static void check(String text, String id) {
        if (!IdRule.isId(id)) {
            throw new IllegalArgumentException("worker pattern '" + text + "' is not an id, 'prefix*', 'prefix/' or '*'");
        }
    }
}

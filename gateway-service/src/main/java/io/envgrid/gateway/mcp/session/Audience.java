package io.envgrid.gateway.mcp.session;

import java.util.List;

/**
 * Which of a worker's sessions want a server-initiated message, decided on their Redis records by
 * {@link McpSessions#wanting} without reading them into the gateway: every live session ({@code field} empty), or
 * those whose record has {@code field} ({@code values} empty: with any value; else with one of {@code values}).
 *
 * @param field  a field of the session's record ({@code sub:<uri>}, {@code log_level}), or empty for every session
 * @param values the values of {@code field} that want the message; empty: any
 */
public record Audience(String field, List<String> values) {

    public Audience {
        values = List.copyOf(values);
        if (field.isEmpty() && !values.isEmpty()) {
            throw new IllegalArgumentException("values without a field");
        }
    }

    /** Every live session of the worker. */
    public static Audience everySession() {
        return new Audience("", List.of());
    }

    /** The sessions whose record has {@code field}, whatever its value (a subscription). */
    public static Audience having(String field) {
        return new Audience(field, List.of());
    }

    /** The sessions whose record has {@code field} set to one of {@code values} (a log level at most the message's). */
    public static Audience havingOneOf(String field, List<String> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("no value of " + field + " would want the message");
        }
        return new Audience(field, values);
    }
}

package io.envgrid.gateway.lease;

import java.util.Locale;
import java.util.Optional;

/**
 * How much a worker's agent should care about something done on its behalf: the syslog severities
 * of RFC 5424, least severe first, named as MCP's {@code LoggingLevel} names them.
 */
public enum Severity {
    DEBUG, INFO, NOTICE, WARNING, ERROR, CRITICAL, ALERT, EMERGENCY;

    /** The wire name ({@code "warning"}). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The severity of a wire name; empty for anything else (case matters, as in the MCP schema). */
    public static Optional<Severity> of(String wireName) {
        for (Severity severity : values()) {
            if (severity.wireName().equals(wireName)) {
                return Optional.of(severity);
            }
        }
        return Optional.empty();
    }
}

package io.envgrid.errors;

import io.quarkus.runtime.annotations.RegisterForReflection;
import java.time.Instant;
import java.util.Map;

/**
 * The one error shape of every envgrid service: {@code {"error": {code, message, details, timestamp}}}
 * (docs/contracts/errors.md). {@code timestamp} is the ISO-8601 instant the envelope was made, in UTC.
 * Registered for reflection because Jackson writes it from exception mappers and Vert.x routes, which Quarkus
 * does not see as resource return types.
 */
@RegisterForReflection
public record ErrorEnvelope(Body error) {

    /** The envelope's one field; {@code details} is never null (empty when there is nothing to add). */
    @RegisterForReflection
    public record Body(String code, String message, Map<String, Object> details, String timestamp) {
    }

    /** An envelope made now; {@code details} as given (callers pass {@code Map.of()} for none). */
    public static ErrorEnvelope of(String code, String message, Map<String, Object> details) {
        return new ErrorEnvelope(new Body(code, message, details, Instant.now().toString()));
    }
}
